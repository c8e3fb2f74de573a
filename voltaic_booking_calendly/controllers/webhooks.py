"""Calendly and Cal.com webhooks: verify, store, acknowledge.

``POST /api/consultations/book`` tells the providers apart by their signature
header; ``/book/calendly`` and ``/book/calcom`` take one provider each. A
verified delivery is stored raw in the inbox (``voltaic.webhook.inbox``) and
answered 200 at once; the inbox job applies it after the commit. Nothing is
stored for a bad or missing signature (401); malformed JSON is a 400.
"""

import json
import logging

from odoo import http
from odoo.http import request

from ..lib import signatures

_logger = logging.getLogger(__name__)

SECRET_PARAMETERS = {
    "calendly": "voltaic_booking.calendly_signing_key",
    "calcom": "voltaic_booking.calcom_webhook_secret",
}
MAX_BODY_BYTES = 1024 * 1024


def _answer(status, code, message=None):
    payload = {"status": code}
    if message:
        payload["message"] = message
    return request.make_json_response(payload, status=status)


class ProviderWebhooks(http.Controller):

    @http.route("/api/consultations/book", type="http", auth="public", methods=["POST"], csrf=False,
                save_session=False, max_content_length=MAX_BODY_BYTES)
    def receive_any(self, **_kwargs):
        headers = request.httprequest.headers
        if headers.get(signatures.CALENDLY_HEADER):
            return self._receive("calendly")
        if headers.get(signatures.CALCOM_HEADER):
            return self._receive("calcom")
        _logger.warning("Webhook without a Calendly or Cal.com signature from %s refused",
                        request.httprequest.remote_addr)
        return _answer(401, "invalid_signature", "Missing signature.")

    @http.route("/api/consultations/book/calendly", type="http", auth="public", methods=["POST"], csrf=False,
                save_session=False, max_content_length=MAX_BODY_BYTES)
    def receive_calendly(self, **_kwargs):
        return self._receive("calendly")

    @http.route("/api/consultations/book/calcom", type="http", auth="public", methods=["POST"], csrf=False,
                save_session=False, max_content_length=MAX_BODY_BYTES)
    def receive_calcom(self, **_kwargs):
        return self._receive("calcom")

    def _receive(self, provider):
        body = request.httprequest.get_data(cache=True)
        secret = request.env["ir.config_parameter"].sudo().get_param(SECRET_PARAMETERS[provider])
        try:
            if provider == "calendly":
                signatures.verify_calendly(secret, request.httprequest.headers.get(signatures.CALENDLY_HEADER), body)
            else:
                signatures.verify_calcom(secret, request.httprequest.headers.get(signatures.CALCOM_HEADER), body)
        except signatures.SignatureError as error:
            _logger.warning("%s webhook from %s refused: %s signature", provider,
                            request.httprequest.remote_addr, error.reason)
            return _answer(401, "invalid_signature", "Invalid or missing signature.")
        try:
            data = json.loads(body)
        except ValueError:
            data = None
        if not isinstance(data, dict):
            return _answer(400, "bad_request", "The body must be a JSON object.")
        row, is_new = request.env["voltaic.webhook.inbox"].sudo()._receive(provider, data, body)
        if not is_new:
            return _answer(200, "duplicate")
        return _answer(200, "ignored" if row.state == "ignored" else "accepted")
