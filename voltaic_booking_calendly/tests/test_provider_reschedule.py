"""Over HTTP: a Calendly or Cal.com booking is moved at the provider (the manage page links there, the back office
says so), and cancelled here by its client (manage page, API), which reaches the provider."""

import json
import re
from datetime import datetime, timedelta

from odoo.exceptions import UserError
from odoo.tests import HttpCase, tagged

from .provider_common import LENA_UID, TOM_UID, FakeProviderHttp, ProviderCase, fixture

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

    def test_client_cancels_on_the_manage_page_and_by_api(self):
        parameters = self.env["ir.config_parameter"].sudo()
        parameters.set_param("voltaic_booking.rate_limit_per_minute", "0")
        parameters.set_param("voltaic_booking.calendly_api_token", "eyJraWQiOiIxY2UxZTEzNjE3ZGNmNzY2YjNjZWJj")
        parameters.set_param("voltaic_booking.calcom_api_key", "cal_live_5f9d2c4b7a1e3d6c8b0a2f4e6d8c0b1a")
        lena = self.deliver("calendly", self.future_delivery("calendly_invitee_created")).booking_id
        tom = self.deliver("calcom", self.future_delivery("calcom_booking_created")).booking_id
        # the client's manage page
        token = lena.sudo()._portal_ensure_token()
        page = self.url_open(f"/book-consultation/manage/{lena.reference}?token={token}")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        cancelled = self.url_open(f"/book-consultation/manage/{lena.reference}/cancel", allow_redirects=False,
                                  data={"token": token, "reason": "Found another date.", "csrf_token": csrf})
        self.assertEqual(cancelled.status_code, 303, cancelled.text[:300])
        # an API client
        tom_token = tom.sudo()._portal_ensure_token()
        response = self.url_open(f"/api/consultations/{tom.reference}/cancel",
                                 data=json.dumps({"reason": "Budget moved to next year."}),
                                 headers={"Content-Type": "application/json", "Authorization": f"Bearer {tom_token}"},
                                 method="POST")
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual((lena.state, tom.state), ("cancelled", "cancelled"))
        self.assertEqual((lena.provider_push_state, tom.provider_push_state), ("pending", "pending"))
        http = FakeProviderHttp({
            ("POST", "https://api.calendly.com/scheduled_events/5e8b2a1c-3d4f-4a6b-9c7d-8e9f0a1b2c3d/cancellation"):
                (201, fixture("calendly_api_cancellation")[0]),
            ("POST", f"https://api.cal.com/v2/bookings/{TOM_UID}/cancel"):
                (200, fixture("calcom_api_booking_cancelled")[0]),
        })
        with http.installed():
            self.bookings._provider_push_due()
        self.assertEqual([call["json"] for call in http.calls], [
            {"reason": "Found another date."}, {"cancellationReason": "Budget moved to next year."}])
        self.assertEqual((lena.provider_push_state, tom.provider_push_state), ("done", "done"))
