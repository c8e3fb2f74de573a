"""A Calendly or Cal.com booking is moved at the provider: the manage page links there, the back office says so."""

import json
from datetime import datetime, timedelta

from odoo.exceptions import UserError
from odoo.tests import HttpCase, tagged

from .provider_common import LENA_UID, TOM_UID, ProviderCase, fixture

LENA_RESCHEDULE = f"https://calendly.com/reschedulings/{LENA_UID}"


@tagged("post_install", "-at_install")
class TestProviderReschedule(HttpCase, ProviderCase):

    def future_delivery(self, name, days=20):
        """A recorded delivery moved ``days`` ahead of the real clock (the manage page uses it)."""
        _data, raw = fixture(name)
        day = (datetime.now() + timedelta(days=days)).strftime("%Y-%m-%d")
        return json.loads(raw.decode().replace("2026-03-10T", f"{day}T").replace("2026-03-11T", f"{day}T"))

    def test_back_office_points_to_the_provider(self):
        booking = self.deliver("calendly", self.future_delivery("calendly_invitee_created")).booking_id
        self.assertEqual(booking.state, "confirmed")
        start = booking.start
        with self.assertRaises(UserError) as caught:
            booking.with_user(self.manager).action_open_reschedule_wizard()
        self.assertIn("reschedule it in Calendly", str(caught.exception))
        self.assertIn(LENA_RESCHEDULE, str(caught.exception))
        with self.assertRaises(UserError):
            booking._reschedule(booking._start_utc() + timedelta(days=1))
        with self.assertRaises(UserError):
            booking.write({"start": booking.start + timedelta(hours=2)})  # dragged in a calendar
        self.assertEqual(booking.start, start)
        self.assertEqual(booking._external_reschedule_url(), LENA_RESCHEDULE)
        booking.action_cancel()
        self.assertFalse(booking._external_reschedule_url(), "nothing to move any more")

    def test_calcom_reschedule_link_is_stored(self):
        booking = self.deliver("calcom", self.future_delivery("calcom_booking_created")).booking_id
        self.assertEqual(booking.external_reschedule_url, f"https://cal.com/reschedule/{TOM_UID}")
        self.assertEqual(booking.external_cancel_url, f"https://cal.com/booking/{TOM_UID}?cancel=true")
        with self.assertRaises(UserError) as caught:
            booking.action_open_reschedule_wizard()
        self.assertIn("Cal.com", str(caught.exception))

    def test_manage_page_and_api_send_the_client_to_the_provider(self):
        booking = self.deliver("calendly", self.future_delivery("calendly_invitee_created")).booking_id
        self.env["ir.config_parameter"].sudo().set_param("voltaic_booking.rate_limit_per_minute", "0")
        token = booking.sudo()._portal_ensure_token()
        page = self.url_open(f"/book-consultation/manage/{booking.reference}?token={token}")
        self.assertEqual(page.status_code, 200)
        self.assertIn("o_vb_external_reschedule", page.text)
        self.assertIn(LENA_RESCHEDULE, page.text)
        self.assertNotIn(f"/book-consultation/manage/{booking.reference}/reschedule", page.text,
                         "no slot picker of ours for a provider booking")
        self.assertIn(f"/book-consultation/manage/{booking.reference}/cancel", page.text, "cancel stays here")
        # an API client gets the same answer, and nothing moves
        start = booking.start
        response = self.url_open(
            f"/api/consultations/{booking.reference}/reschedule",
            data=json.dumps({"start": (booking._start_utc() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")}),
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"}, method="POST")
        self.assertEqual(response.status_code, 409, response.text)
        self.assertIn(LENA_RESCHEDULE, response.json()["error"]["message"])
        self.assertEqual(booking.start, start)

    def test_the_provider_still_moves_it(self):
        booking = self.deliver("calendly", "calendly_invitee_created").booking_id
        self.deliver("calendly", "calendly_rescheduled_canceled")
        row = self.deliver("calendly", "calendly_rescheduled_created")
        self.assertEqual(row.state, "done", row.last_error)
        self.assertEqual(row.booking_id, booking)
        self.assertNotEqual(booking.start, datetime(2026, 3, 10, 9, 0))
