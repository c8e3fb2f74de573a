"""OAuth authorization-code flow that connects a consultant's Google account.

``/voltaic_booking/google/authorize/<consultant>`` sends the logged-in user to
Google's consent screen; Google sends them back to
``/voltaic_booking/google/callback`` with a code, exchanged for a refresh
token stored on the consultant's connection. The ``state`` parameter is
signed with the database secret, bound to the user and to a nonce kept in
their session, and expires after ten minutes: a callback nobody started here
is refused.
"""

import logging
import secrets
import time

from werkzeug.exceptions import Forbidden, NotFound

from odoo import http
from odoo.exceptions import AccessError
from odoo.http import request
from odoo.tools import consteq

from ..lib import google_mapping as gmap
from ..models.google_sync import GoogleSyncError

_logger = logging.getLogger(__name__)

SESSION_KEY = "voltaic_google_oauth_nonce"
STATE_LIFETIME_SECONDS = 600


class GoogleOAuthController(http.Controller):

    @staticmethod
    def _state_key():
        return request.env["ir.config_parameter"].sudo().get_param("database.secret")

    @staticmethod
    def _consultant(consultant_id):
        consultant = request.env["voltaic.consultant"].browse(int(consultant_id)).exists()
        if not consultant:
            raise NotFound()
        try:
            consultant.check_access("write")
        except AccessError:
            raise Forbidden() from None
        return consultant

    @staticmethod
    def _back_to(consultant, message):
        consultant.sudo().message_post(body=message, subtype_xmlid="mail.mt_note")
        return request.redirect(f"/odoo/voltaic.consultant/{consultant.id}")

    @http.route("/voltaic_booking/google/authorize/<int:consultant_id>", type="http", auth="user", methods=["GET"])
    def google_authorize(self, consultant_id, **kwargs):
        consultant = self._consultant(consultant_id)
        connection_model = request.env["voltaic.google.connection"].sudo()
        client_id = connection_model._google_param("client_id")
        if not client_id:
            return self._back_to(consultant, request.env._(
                "Google Calendar cannot be connected: set the OAuth client id and secret in the settings first."))
        nonce = secrets.token_urlsafe(16)
        request.session[SESSION_KEY] = nonce
        state = gmap.encode_state({
            "c": consultant.id,
            "u": request.env.uid,
            "n": nonce,
            "exp": int(time.time()) + STATE_LIFETIME_SECONDS,
        }, self._state_key())
        url = gmap.authorization_url(
            client_id, connection_model._oauth_redirect_uri(), state, login_hint=consultant._google_account_email())
        return request.redirect(url, local=False)

    @http.route("/voltaic_booking/google/callback", type="http", auth="user", methods=["GET"])
    def google_callback(self, state=None, code=None, error=None, **kwargs):
        payload = gmap.decode_state(state, self._state_key(), time.time())
        nonce = request.session.pop(SESSION_KEY, None)
        if not payload or payload.get("u") != request.env.uid or not nonce \
                or not consteq(str(payload.get("n", "")), nonce):
            _logger.warning("Refused a Google OAuth callback with an invalid state (user %s)", request.env.uid)
            raise Forbidden()
        consultant = self._consultant(payload["c"])
        if error or not code:
            return self._back_to(consultant, request.env._(
                "Google Calendar was not connected: Google answered “%s”.", error or "no code"))
        connection = consultant._google_connection()
        try:
            connection._oauth_exchange_code(code)
        except GoogleSyncError as exchange_error:
            _logger.warning("Google OAuth code exchange failed for %s: %s", consultant.name, exchange_error)
            return self._back_to(consultant, request.env._(
                "Google Calendar was not connected: %s", str(exchange_error)))
        return self._back_to(consultant, request.env._("Google Calendar connected."))
