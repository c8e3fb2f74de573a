"""The webhook routes over HTTP: signatures, storage, answers."""

import json
import time

from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from .provider_common import CALCOM_SECRET, ProviderCase, calcom_headers, calendly_headers, fixture

BOOK = "/api/consultations/book"


@tagged("post_install", "-at_install")
class TestWebhookRoutes(ProviderCase, HttpCase):

    def post(self, path, raw, headers):
        return self.url_open(path, data=raw, headers=headers, method="POST")

    def rows(self):
        return self.inbox.search([])

    def cron_triggers(self):
        cron = self.env.ref("voltaic_booking_calendly.ir_cron_webhook_inbox")
        return self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)])

    def test_calendly_delivery_is_stored_and_acknowledged(self):
        _data, raw = fixture("calendly_invitee_created")
        triggers = self.cron_triggers()
        for path in (BOOK, f"{BOOK}/calendly"):
            with self.subTest(path=path):
                response = self.post(path, raw, calendly_headers(raw))
                self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json(), {"status": "duplicate"}, "the second copy is acknowledged only")
        row = self.rows()
        self.assertEqual(len(row), 1)
        self.assertEqual((row.provider, row.event_type, row.state), ("calendly", "invitee.created", "pending"))
        self.assertEqual(row.payload.encode(), raw, "stored exactly as received")
        self.assertGreater(self.cron_triggers(), triggers, "the inbox job is woken after the commit")
        self.assertFalse(self.provider_bookings("calendly"), "applied by the job, not inside the request")
        self.inbox._process_due()
        self.assertEqual(row.state, "done", row.last_error)
        self.assertEqual(len(self.provider_bookings("calendly")), 1)

    def test_calcom_delivery_on_both_routes(self):
        _data, raw = fixture("calcom_booking_created")
        response = self.post(BOOK, raw, calcom_headers(raw))
        self.assertEqual((response.status_code, response.json()), (200, {"status": "accepted"}))
        _data, raw = fixture("calcom_booking_cancelled")
        response = self.post(f"{BOOK}/calcom", raw, calcom_headers(raw))
        self.assertEqual((response.status_code, response.json()), (200, {"status": "accepted"}))
        self.assertEqual(self.rows().mapped("event_type"), ["BOOKING_CANCELLED", "BOOKING_CREATED"])

    @mute_logger("odoo.addons.voltaic_booking_calendly.controllers.webhooks")
    def test_tampered_delivery_is_refused_and_not_stored(self):
        _data, raw = fixture("calendly_invitee_created")
        headers = calendly_headers(raw)
        tampered = raw.replace(b"lena.fischer@stadtwerke-nord.example", b"mallory@evil.example")
        self.assertEqual(self.post(BOOK, tampered, headers).status_code, 401)
        _data, raw = fixture("calcom_booking_created")
        headers = calcom_headers(raw)
        self.assertEqual(self.post(f"{BOOK}/calcom", raw.replace(b"Tom Baker", b"Eve"), headers).status_code, 401)
        self.assertEqual(self.post(f"{BOOK}/calcom", raw, calcom_headers(raw, secret="not-" + CALCOM_SECRET))
                         .status_code, 401)
        self.assertFalse(self.rows())

    @mute_logger("odoo.addons.voltaic_booking_calendly.controllers.webhooks")
    def test_expired_calendly_signature_is_refused(self):
        _data, raw = fixture("calendly_invitee_created")
        old = calendly_headers(raw, timestamp=time.time() - 4 * 60)
        response = self.post(f"{BOOK}/calendly", raw, old)
        self.assertEqual(response.status_code, 401)
        self.assertEqual(response.json()["status"], "invalid_signature")
        self.assertFalse(self.rows())

    @mute_logger("odoo.addons.voltaic_booking_calendly.controllers.webhooks")
    def test_missing_signature_is_refused(self):
        _data, raw = fixture("calendly_invitee_created")
        plain = {"Content-Type": "application/json"}
        for path in (BOOK, f"{BOOK}/calendly", f"{BOOK}/calcom"):
            with self.subTest(path=path):
                self.assertEqual(self.post(path, raw, plain).status_code, 401)
        self.assertFalse(self.rows())

    @mute_logger("odoo.addons.voltaic_booking_calendly.controllers.webhooks")
    def test_unconfigured_secret_refuses_everything(self):
        self.env["ir.config_parameter"].sudo().set_param("voltaic_booking.calcom_webhook_secret", "")
        _data, raw = fixture("calcom_booking_created")
        self.assertEqual(self.post(f"{BOOK}/calcom", raw, calcom_headers(raw, secret="")).status_code, 401)
        self.assertFalse(self.rows())

    def test_malformed_json_is_a_bad_request(self):
        for raw in (b'{"event": "invitee.created", "payload": ', b"[1, 2, 3]", b"\xff\xfe"):
            with self.subTest(raw=raw):
                response = self.post(f"{BOOK}/calendly", raw, calendly_headers(raw))
                self.assertEqual(response.status_code, 400)
                self.assertEqual(response.json()["status"], "bad_request")
        self.assertFalse(self.rows())

    def test_unknown_event_type_is_acknowledged_and_ignored(self):
        raw = json.dumps({"triggerEvent": "RECORDING_READY", "createdAt": "2026-03-11T15:30:00.000Z",
                          "payload": {"uid": "kT4pXw9bQe2nVr7yLm3sHd", "downloadLink": "https://x.example/r"}}).encode()
        response = self.post(BOOK, raw, calcom_headers(raw))
        self.assertEqual((response.status_code, response.json()), (200, {"status": "ignored"}))
        self.assertEqual(self.rows().state, "ignored")
        self.inbox._process_due()
        self.assertFalse(self.provider_bookings("calcom"))

    def test_linked_scheduling_page(self):
        self.anna.scheduling_url = "https://calendly.com/anna-weber-voltaic/consultation"
        slug = self.env["ir.http"]._slug(self.anna)
        response = self.url_open(f"/book-consultation/{slug}/schedule?name=Lena+Fischer&email=lena%40example.com")
        self.assertEqual(response.status_code, 200)
        self.assertIn("https://calendly.com/anna-weber-voltaic/consultation?name=Lena+Fischer&amp;"
                      "email=lena%40example.com", response.text)
        slug = self.env["ir.http"]._slug(self.james)
        self.assertEqual(self.url_open(f"/book-consultation/{slug}/schedule").status_code, 404,
                         "only for consultants with an external link")

    def test_the_webhooks_get_no_cors_headers(self):
        """The webhooks share the API's URL prefix but are not part of it: a browser page of an origin the API
        allows gets no CORS answer from them."""
        app = "https://app.vbt-client.example"
        self.env["ir.config_parameter"].sudo().set_param("voltaic_booking.api_cors_origins", app)
        with mute_logger("odoo.addons.voltaic_booking_calendly.controllers.webhooks"):
            webhook = self.url_open("/api/consultations/book/calendly", data="{}", method="POST",
                                    headers={"Origin": app, "Content-Type": "application/json"})
        self.assertEqual(webhook.status_code, 401)
        self.assertNotIn("Access-Control-Allow-Origin", webhook.headers)
        self.assertEqual(self.url_open("/api/consultations/consultants", headers={"Origin": app}).headers.get(
            "Access-Control-Allow-Origin"), app, "the API itself answers that origin")
