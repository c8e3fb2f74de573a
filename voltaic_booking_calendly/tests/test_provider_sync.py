"""Reconciliation and webhook registration against Calendly's and Cal.com's APIs, faked at the HTTP layer."""

from datetime import datetime, timezone

from odoo.exceptions import AccessError, UserError
from odoo.tests import freeze_time, tagged
from odoo.tools import mute_logger

from .provider_common import (
    CALENDLY_TOKEN,
    FakeProviderHttp,
    ProviderApiCase,
    answer,
    fixture,
)

UTC = timezone.utc

CALENDLY = "https://api.calendly.com"
CALCOM = "https://api.cal.com"
KNOWN_EVENT = "5e8b2a1c-3d4f-4a6b-9c7d-8e9f0a1b2c3d"
MISSED_EVENT = "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"
NOW = datetime(2026, 3, 5, 12, 0, tzinfo=UTC)
UNAUTHENTICATED = (401, {"title": "Unauthenticated", "message": "The access token is invalid"})



@tagged("post_install", "-at_install")
@freeze_time("2026-03-05 12:00:00")
class TestReconciliation(ProviderApiCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sync = cls.env["voltaic.provider.sync"]

    def fake_apis(self):
        return FakeProviderHttp({
            ("GET", f"{CALENDLY}/users/me"): answer("calendly_api_users_me"),
            ("GET", f"{CALENDLY}/scheduled_events"): answer("calendly_api_scheduled_events"),
            ("GET", f"{CALENDLY}/scheduled_events/{KNOWN_EVENT}/invitees"): answer("calendly_api_invitees_known"),
            ("GET", f"{CALENDLY}/scheduled_events/{MISSED_EVENT}/invitees"): answer("calendly_api_invitees_missed"),
            ("GET", f"{CALCOM}/v2/bookings"): answer("calcom_api_bookings"),
        })

    def test_reconciliation_fills_the_missed_deliveries(self):
        # the webhooks brought one booking per provider; one more of each never arrived
        lena = self.deliver("calendly", "calendly_invitee_created").booking_id
        tom = self.deliver("calcom", "calcom_booking_created").booking_id
        with self.fake_apis().installed() as http:
            queued = self.sync._reconcile(now=NOW)
        self.assertEqual(queued, 2, "only what no webhook brought")
        self.inbox._process_due()
        priya = self.bookings.search([("email", "=", "priya.sharma@sharma-solar.example")])
        self.assertEqual(len(priya), 1)
        self.assertEqual((priya.source, priya.consultant_id, priya.start), ("calendly", self.anna,
                                                                           datetime(2026, 3, 16, 11, 0)))
        self.assertEqual((priya.meeting_type, priya.location),
                         ("in_person", "Voltaic office, Speicherstadt 4, 20457 Hamburg"))
        self.assertEqual(priya.company, "Sharma Solar GmbH")
        self.assertEqual(priya.client_tz, "Asia/Kolkata")
        oskar = self.bookings.search([("email", "=", "oskar@lindqvist-bakery.example")])
        self.assertEqual((oskar.source, oskar.consultant_id, oskar.duration), ("calcom", self.james, 30))
        self.assertEqual((oskar.meeting_type, oskar.phone), ("phone", "+44 161 496 0753"))
        self.assertEqual(oskar.external_uid, "Hx3vLq8rWd1sNc6tBm9kPa")
        self.assertEqual(len(self.provider_bookings("calendly") | self.provider_bookings("calcom")), 4)
        self.assertEqual(self.inbox.search([("origin", "=", "reconciliation")]).mapped("state"), ["done", "done"])
        self.assertEqual((lena.state, tom.state), ("confirmed", "confirmed"))

        # what went over the wire: the documented endpoints, the token, the window
        events_call = http.calls_to("GET", f"{CALENDLY}/scheduled_events")[0]
        self.assertEqual(events_call["headers"]["Authorization"],
                         f"Bearer {CALENDLY_TOKEN}")
        self.assertEqual(events_call["params"]["organization"],
                         "https://api.calendly.com/organizations/0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f")
        self.assertEqual(events_call["params"]["min_start_time"], "2026-03-03T12:00:00.000000Z")
        bookings_call = http.calls_to("GET", f"{CALCOM}/v2/bookings")[0]
        self.assertEqual(bookings_call["headers"]["cal-api-version"], "2024-08-13")
        self.assertEqual(bookings_call["params"]["afterStart"], "2026-03-03T12:00:00.000000Z")
        self.assertTrue(all(call["timeout"] for call in http.calls))

        # a second run finds nothing missing
        with self.fake_apis().installed():
            self.assertEqual(self.sync._reconcile(now=NOW), 0)

    def test_reconciliation_applies_a_missed_cancel(self):
        tom = self.deliver("calcom", "calcom_booking_created").booking_id
        bookings = fixture("calcom_api_bookings")[0]
        bookings["data"] = [dict(bookings["data"][0], status="cancelled",
                                 cancellationReason="Cancelled by phone.")]
        http = FakeProviderHttp({("GET", f"{CALCOM}/v2/bookings"): (200, bookings)})
        self.env["ir.config_parameter"].sudo().set_param("voltaic_booking.calendly_api_token", "")
        with http.installed():
            self.assertEqual(self.sync._reconcile(now=NOW), 1)
        self.inbox._process_due()
        self.assertEqual(tom.state, "cancelled")
        self.assertIn("Cancelled by phone.", tom.cancellation_reason)

    @mute_logger("odoo.addons.voltaic_booking_calendly.models.provider_sync")
    def test_a_provider_error_does_not_stop_the_other(self):
        http = FakeProviderHttp({
            ("GET", f"{CALENDLY}/users/me"): UNAUTHENTICATED,
            ("GET", f"{CALCOM}/v2/bookings"): answer("calcom_api_bookings"),
        })
        with http.installed():
            self.assertEqual(self.sync._reconcile(now=NOW), 2)

    def test_register_calendly_webhook_stores_the_signing_key(self):
        http = FakeProviderHttp({
            ("GET", f"{CALENDLY}/users/me"): answer("calendly_api_users_me"),
            ("POST", f"{CALENDLY}/webhook_subscriptions"): answer("calendly_api_webhook_subscription", 201),
        })
        self.env["ir.config_parameter"].sudo().set_param("web.base.url", "https://crm.voltaic.example")
        with http.installed():
            self.sync.with_user(self.env.ref("base.user_admin"))._action_register("calendly")
        body = http.calls_to("POST", f"{CALENDLY}/webhook_subscriptions")[0]["json"]
        self.assertEqual(body["url"], "https://crm.voltaic.example/api/consultations/book/calendly")
        self.assertEqual(body["scope"], "organization")
        self.assertEqual(set(body["events"]), {"invitee.created", "invitee.canceled", "invitee_no_show.created",
                                               "invitee_no_show.deleted"})
        self.assertEqual(self.env["ir.config_parameter"].sudo().get_param("voltaic_booking.calendly_signing_key"),
                         body["signing_key"], "the key Calendly signs with is the one we verify with")

    def test_register_calcom_webhook_replaces_ours(self):
        url = "https://crm.voltaic.example/api/consultations/book/calcom"
        http = FakeProviderHttp({
            ("GET", f"{CALCOM}/v2/webhooks"): (200, {"status": "success", "data": [
                {"id": 50211, "subscriberUrl": url, "triggers": ["BOOKING_CREATED"], "active": True},
                {"id": 50212, "subscriberUrl": "https://hooks.zapier.example/1", "triggers": [], "active": True}]}),
            ("DELETE", f"{CALCOM}/v2/webhooks/50211"): (200, {"status": "success", "data": {"id": 50211}}),
            ("POST", f"{CALCOM}/v2/webhooks"): answer("calcom_api_webhook_created", 201),
        })
        self.env["ir.config_parameter"].sudo().set_param("web.base.url", "https://crm.voltaic.example")
        with http.installed():
            self.sync.with_user(self.env.ref("base.user_admin"))._action_register("calcom")
        self.assertEqual(len(http.calls_to("DELETE", f"{CALCOM}/v2/webhooks/50211")), 1)
        self.assertFalse(http.calls_to("DELETE", f"{CALCOM}/v2/webhooks/50212"), "other webhooks are left alone")
        body = http.calls_to("POST", f"{CALCOM}/v2/webhooks")[0]["json"]
        self.assertEqual(body["subscriberUrl"], url)
        self.assertIn("MEETING_ENDED", body["triggers"])
        self.assertEqual(self.env["ir.config_parameter"].sudo().get_param("voltaic_booking.calcom_webhook_secret"),
                         body["secret"])

    def test_registration_errors_and_rights(self):
        http = FakeProviderHttp({
            ("GET", f"{CALENDLY}/users/me"): UNAUTHENTICATED,
        })
        with http.installed(), self.assertRaises(UserError) as caught:
            self.sync.with_user(self.env.ref("base.user_admin"))._action_register("calendly")
        self.assertIn("The access token is invalid", str(caught.exception))
        with self.assertRaises(AccessError):
            self.sync.with_user(self.manager)._action_register("calendly")
