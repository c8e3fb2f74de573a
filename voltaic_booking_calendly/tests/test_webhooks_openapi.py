"""The webhook routes against their OpenAPI document (``static/api/webhooks.openapi.json``)."""

from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from .provider_common import ProviderCase, calcom_headers, calendly_headers, fixture
from odoo.addons.voltaic_booking.tests.openapi_common import OpenApiDocument, load_document, routes_of

BOOK = "/api/consultations/book"


@tagged("post_install", "-at_install")
class TestWebhooksOpenApi(ProviderCase, HttpCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.spec = OpenApiDocument(load_document("voltaic_booking_calendly/static/api/webhooks.openapi.json"))

    def post(self, path, raw, headers, expected_status):
        response = self.url_open(path, data=raw, headers=headers, method="POST")
        self.assertEqual(response.status_code, expected_status, response.text[:500])
        return self.spec.check_answer(path, "post", response)

    def test_document_is_valid_and_covers_every_webhook_route(self):
        self.assertEqual(self.spec.problems(), [])
        self.assertEqual(routes_of(self.env, "voltaic_booking_calendly", prefix="/api/"), self.spec.operations())

    def test_document_is_served_as_a_static_file(self):
        response = self.url_open("/voltaic_booking_calendly/static/api/webhooks.openapi.json")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json(), self.spec.document)

    @mute_logger("odoo.addons.voltaic_booking_calendly.controllers.webhooks",
                 "odoo.addons.voltaic_booking_calendly.models.webhook_inbox")
    def test_answers_match_the_document(self):
        _data, raw = fixture("calendly_invitee_created")
        body = self.post(f"{BOOK}/calendly", raw, calendly_headers(raw), 200)
        self.assertEqual(body, {"status": "accepted"})
        self.assertEqual(self.post(BOOK, raw, calendly_headers(raw), 200), {"status": "duplicate"})
        _data, raw = fixture("calcom_booking_created")
        self.assertEqual(self.post(f"{BOOK}/calcom", raw, calcom_headers(raw), 200), {"status": "accepted"})
        unknown = b'{"triggerEvent": "FORM_SUBMITTED", "createdAt": "2026-03-02T09:31:07Z", "payload": {}}'
        self.assertEqual(self.post(BOOK, unknown, calcom_headers(unknown), 200), {"status": "ignored"})
        not_an_object = b"[1, 2]"
        body = self.post(f"{BOOK}/calcom", not_an_object, calcom_headers(not_an_object), 400)
        self.assertEqual(body["status"], "bad_request")
        for path in (BOOK, f"{BOOK}/calendly", f"{BOOK}/calcom"):
            body = self.post(path, raw, {"Content-Type": "application/json"}, 401)
            self.assertEqual(body["status"], "invalid_signature")
