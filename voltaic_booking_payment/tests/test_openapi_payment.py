"""The 201 of a paid booking against the API's OpenAPI document: the keys this addon adds are documented."""

import json
from datetime import datetime, timedelta, timezone

from odoo.tests import HttpCase, tagged

from odoo.addons.voltaic_booking.tests.common import BERLIN, VoltaicBookingCase
from odoo.addons.voltaic_booking.tests.openapi_common import OpenApiDocument, load_document

UTC = timezone.utc

API = "/api/consultations"


@tagged("post_install", "-at_install")
class TestPaidBookingOpenApi(HttpCase, VoltaicBookingCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].sudo().set_param("voltaic_booking.rate_limit_per_minute", "0")
        cls.consultant.duration_ids.filtered(lambda line: line.duration == 60).price = 120.0

    def test_served_document_describes_the_paid_keys(self):
        served = self.url_open(f"{API}/openapi.json").json()
        self.assertEqual(OpenApiDocument(served).problems(), [])
        created = served["components"]["schemas"]["BookingCreated"]
        for key in ("state", "amount", "currency", "hold_expires_at", "payment_url"):
            self.assertIn(key, created["properties"], "the paid-consultation keys are documented")
            self.assertNotIn(key, created["required"], "and optional")
        stored = load_document("voltaic_booking/static/api/openapi.json")
        self.assertNotIn("payment_url", stored["components"]["schemas"]["BookingCreated"]["properties"],
                         "the core's own document knows no payment")

    def test_paid_booking_answer_matches_the_document(self):
        self.spec = OpenApiDocument(self.url_open(f"{API}/openapi.json").json())
        now = datetime.now(UTC)
        free = self.consultant._get_slots(now + timedelta(days=14), now + timedelta(days=28), 60)[self.consultant.id]
        self.assertTrue(free, "the consultant has free time in two to four weeks")
        start = free[0][0].astimezone(BERLIN).isoformat()
        response = self.url_open(API, method="POST", headers={"Content-Type": "application/json"}, data=json.dumps({
            "consultant": self.consultant.id, "start": start, "duration": 60, "first_name": "Paula",
            "last_name": "Payer", "email": "paula.payer@vbt-client.example", "tz": "Europe/Berlin",
            "terms_accepted": True, "privacy_accepted": True,
        }))
        self.assertEqual(response.status_code, 201, response.text)
        body = self.spec.check_answer(API, "post", response)
        self.assertEqual((body["state"], body["amount"]), ("pending_payment", 120.0))
        self.assertEqual(body["currency"], self.consultant.currency_id.name)
        self.assertIn(f"/book-consultation/pay/{body['reference']}?token=", body["payment_url"])
