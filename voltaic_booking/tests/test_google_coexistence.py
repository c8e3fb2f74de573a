"""Next to Odoo's own google_calendar sync: a booking never appears twice in Google.

The rule (see README, "Google Calendar"): when the consultant syncs with our
Google sync, we write the booking's event; the booking's ``calendar.event``
is claimed (``google_id`` = our event id, ``need_sync`` off, our writes carry
``no_calendar_sync``) so Odoo's sync takes it as already in Google and, when
it imports our event, updates that meeting instead of creating a second one.
Otherwise Odoo's sync (if any) pushes the meeting as usual.

``google_calendar`` is not a dependency: the decision is tested here with
the Odoo-side facts faked at the model level; the classes that need the
module itself run in a database where it is installed (they skip elsewhere).
"""

from datetime import datetime, timedelta
from unittest.mock import patch

from odoo.tests import freeze_time

from ..models.booking_google import VoltaicBooking as GoogleBooking
from ..models.consultant_google import VoltaicConsultant as GoogleConsultant
from .google_common import NOW, GoogleCase, event_answer, token_answer, utc


@freeze_time(NOW)
class TestGoogleCoexistenceDecision(GoogleCase):

    def test_who_writes_the_booking_event(self):
        consultant = self.consultant
        with patch.object(GoogleBooking, "_google_calendar_module_installed", lambda self: True), \
                patch.object(GoogleConsultant, "_google_odoo_user_synced", lambda self: True):
            self.assertEqual(consultant._google_event_writer(), "voltaic", "our sync wins: one writer")
            consultant.google_sync_enabled = False
            self.assertEqual(consultant._google_event_writer(), "odoo", "Odoo's sync keeps its meetings")
        with patch.object(GoogleBooking, "_google_calendar_module_installed", lambda self: True), \
                patch.object(GoogleConsultant, "_google_odoo_user_synced", lambda self: False):
            self.assertIsNone(consultant._google_event_writer())
        consultant.google_sync_enabled = True
        with patch.object(GoogleBooking, "_google_calendar_module_installed", lambda self: False):
            self.assertEqual(consultant._google_event_writer(), "voltaic")

    def test_claim_only_when_google_calendar_is_installed(self):
        self.connection.busy_refreshed_at = datetime(2026, 3, 2, 5, 59)
        with self.fake_google([]):
            booking = self.book(utc(2026, 3, 3, 8))
        installed = "google.calendar.sync" in self.env
        self.assertEqual(booking._google_claims_odoo_event(), installed)
        self.assertEqual("google_id" in booking.event_id._fields, installed)
        booking._google_claim_odoo_event()  # harmless either way
        if not installed:
            self.assertFalse(booking.with_context(active_test=False).event_id.read()[0].get("google_id"))


@freeze_time(NOW)
class TestGoogleCalendarModule(GoogleCase):
    """Needs Odoo's google_calendar installed (e.g. ``-i voltaic_booking,google_calendar``)."""

    def setUp(self):
        super().setUp()
        if "google.calendar.sync" not in self.env:
            self.skipTest("google_calendar is not installed in this database")
        self.connection.busy_refreshed_at = datetime(2026, 3, 2, 5, 59)
        # the consultant's user also syncs with Odoo's Google Calendar
        self.consultant_user.res_users_settings_id.sudo().write({
            "google_calendar_rtoken": "1//0gOdooSyncRefreshToken",
            "google_calendar_token": "ya29.odoo-sync",
            "google_calendar_token_validity": datetime(2026, 3, 2, 7),
            "google_synchronization_stopped": False,
        })
        self.assertTrue(self.consultant._google_odoo_user_synced())

    def odoo_sync_callbacks(self):
        """Calls to Google queued by google_calendar for after the commit."""
        return [func for func in self.env.cr.postcommit._funcs if "google_calendar" in (func.__module__ or "")]

    def odoo_records_to_sync(self):
        return self.env["calendar.event"].with_user(self.consultant_user).sudo()._get_records_to_sync()

    def test_booking_meeting_stays_out_of_odoos_sync(self):
        self.env.cr.postcommit.clear()
        # control: an ordinary meeting of the consultant is pushed by Odoo's sync
        meeting = self.env["calendar.event"].with_context(no_mail_to_attendees=True).create({
            "name": "Team lunch", "start": datetime(2026, 3, 4, 11), "stop": datetime(2026, 3, 4, 12),
            "user_id": self.consultant_user.id, "partner_ids": [(6, 0, self.consultant.partner_id.ids)],
        })
        self.assertTrue(self.odoo_sync_callbacks(), "Odoo's sync would insert an ordinary meeting")
        self.assertIn(meeting, self.odoo_records_to_sync())
        self.env.cr.postcommit.clear()

        booking = self.book(utc(2026, 3, 3, 8))
        event = booking.event_id
        self.assertFalse(self.odoo_sync_callbacks(), "Odoo's sync must not insert the booking's meeting")
        self.assertEqual(event.google_id, booking._google_new_event_id())
        self.assertFalse(event.need_sync)
        self.assertNotIn(event, self.odoo_records_to_sync())

        booking._reschedule(utc(2026, 3, 3, 12))
        self.assertEqual(event.start, datetime(2026, 3, 3, 12))
        self.assertFalse(self.odoo_sync_callbacks(), "nor patch it when it moves")
        self.assertFalse(event.need_sync)
        self.assertNotIn(event, self.odoo_records_to_sync())

        # our push writes the one event
        event_id = booking.google_event_id or booking._google_new_event_id()
        with self.fake_google([
            ("POST", "oauth2.googleapis.com/token", 200, token_answer()),
            ("POST", "/calendars/primary/events", 200, event_answer({"id": event_id})),
        ]):
            self.env["voltaic.booking"]._google_push_due()
        self.assertEqual(booking.google_sync_state, "synced")

        booking.action_cancel()
        self.assertFalse(self.odoo_sync_callbacks(), "nor delete it when cancelled")
        self.assertFalse(event.active)
        self.assertNotIn(event, self.odoo_records_to_sync())

    def test_odoo_import_of_our_event_updates_the_booking_meeting(self):
        """Odoo's sync reads our event from Google: it matches the meeting, no second one in Odoo."""
        from odoo.addons.google_calendar.utils.google_event import GoogleEvent

        booking = self.book(utc(2026, 3, 3, 8))
        event_id = booking._google_new_event_id()
        body = booking._google_event_body(event_id, self.env["voltaic.google.connection"]._google_settings())
        google_event = event_answer(body, updated="2026-03-02T06:00:02.000Z")
        events_before = self.env["calendar.event"].search_count([])
        with freeze_time(datetime(2026, 3, 2, 6) + timedelta(seconds=1)):
            self.env["calendar.event"].with_user(self.consultant_user).sudo()._sync_google2odoo(
                GoogleEvent([google_event]))
        self.assertEqual(self.env["calendar.event"].search_count([]), events_before)
        self.assertEqual(self.env["calendar.event"].search_count([("google_id", "=", event_id)]), 1)

    def cancelled_in_google(self, event):
        """Odoo's Google sync of the consultant reads the event as cancelled in Google."""
        from odoo.addons.google_calendar.utils.google_event import GoogleEvent

        self.env["calendar.event"].with_user(self.consultant_user).sudo()._sync_google2odoo(
            GoogleEvent([{"id": event.google_id, "status": "cancelled"}]))

    def test_a_meeting_cancelled_in_google_cancels_the_booking(self):
        booking = self.book(utc(2026, 3, 3, 8))
        event = booking.event_id
        self.cancelled_in_google(event)
        self.assertEqual(booking.state, "cancelled")
        self.assertFalse(event.exists() and event.active)

    def test_a_begun_meeting_cancelled_in_google_does_not_stop_odoos_sync(self):
        """Refusing the deletion would fail the consultant's whole Google sync, at every run."""
        booking = self.book(utc(2026, 3, 3, 8))
        event = booking.event_id
        with freeze_time(datetime(2026, 3, 3, 8, 20)):
            self.assertTrue(booking.meeting_started)
            self.cancelled_in_google(event)
        self.assertEqual(booking.state, "confirmed", "mark it completed or no-show as usual")
        self.assertFalse(event.exists())

    def test_takes_over_an_event_odoo_already_pushed(self):
        """Voltaic sync turned on after Odoo's sync pushed the meeting: that event is reused, not duplicated."""
        self.consultant.google_sync_enabled = False
        booking = self.book(utc(2026, 3, 3, 8))
        self.assertTrue(booking.event_id.need_sync, "Odoo's sync owns this meeting")
        odoo_google_id = "4c1e8f0d9a7b4e2f8a6c3b1d0e9f8a7b"  # uuid4().hex, as google_calendar chooses
        booking.event_id.with_context(no_calendar_sync=True).write({"google_id": odoo_google_id, "need_sync": False})

        self.consultant.google_sync_enabled = True
        self.assertEqual(booking.google_sync_state, "pending")
        with self.fake_google([
            ("POST", "oauth2.googleapis.com/token", 200, token_answer()),
            ("PATCH", f"/calendars/primary/events/{odoo_google_id}", 200, event_answer({"id": odoo_google_id})),
        ]) as google:
            self.env["voltaic.booking"]._google_push_due()
        google.assert_done(self)
        self.assertEqual(google.body(1)["extendedProperties"]["private"]["voltaicBooking"], booking.reference)
        self.assertRecordValues(booking, [{
            "google_sync_state": "synced", "google_event_id": odoo_google_id, "google_event_calendar_id": "primary"}])
        self.assertEqual(booking.event_id.google_id, odoo_google_id)
        self.assertFalse(booking.event_id.need_sync)
