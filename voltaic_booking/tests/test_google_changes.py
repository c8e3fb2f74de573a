"""Changes back: what the consultant does to a booking's event in Google reaches the booking, never silently."""

from datetime import datetime
from unittest.mock import patch

from odoo.tests import freeze_time
from odoo.tools import mute_logger

from ..models import google_sync
from .google_common import (
    INVALID_GRANT,
    NOW,
    SYNC_TOKEN_EXPIRED,
    GoogleCase,
    event_answer,
    events_page,
    token_answer,
    utc,
)

OLD_TOKEN = "CPjXsPCmqogCEPjXsPCmqogCGAU="
NEW_TOKEN = "CKCL8bXjq4gCEKCL8bXjq4gCGAU="


@freeze_time(NOW)
class TestGoogleChanges(GoogleCase):

    def setUp(self):
        super().setUp()
        self.connection.write({
            "busy_refreshed_at": datetime(2026, 3, 2, 5, 59),
            "sync_token": OLD_TOKEN,
            "sync_calendar_id": "primary",
        })
        with self.fake_google([]):
            self.booking = self.book(utc(2026, 3, 3, 8))  # Tuesday 9:00-10:00 in Berlin
        self.event_id = self.booking._google_new_event_id()
        self.booking.write({
            "google_sync_state": "synced",
            "google_event_id": self.event_id,
            "google_event_calendar_id": "primary",
            "google_synced_at": datetime(2026, 3, 2, 6),
        })
        self.foreign = {  # the consultant's own appointment, none of our business
            "kind": "calendar#event", "etag": '"3456789012345001"', "id": "4k2l9m7q1r8s0t3u5v6a", "status": "confirmed",
            "summary": "Dentist", "start": {"dateTime": "2026-03-03T15:00:00+01:00"},
            "end": {"dateTime": "2026-03-03T16:00:00+01:00"}, "updated": "2026-03-02T06:05:00.000Z",
        }

    def our_event(self, start, end, **extra):
        body = {"id": self.event_id, "summary": "Consultation: Priya Sharma (Sharma Solar)",
                "start": {"dateTime": start, "timeZone": "Europe/Berlin"},
                "end": {"dateTime": end, "timeZone": "Europe/Berlin"},
                "extendedProperties": {"private": {"voltaicBooking": self.booking.reference}}}
        return event_answer(body, **extra)

    def deleted_event(self):
        # Google only guarantees id and status for deleted events
        return {"kind": "calendar#event", "etag": '"3456789012345002"', "id": self.event_id, "status": "cancelled"}

    def sync(self, items, token=NEW_TOKEN):
        google_sync._TOKEN_CACHE.clear()  # each run asks for an access token
        with self.fake_google([
            ("POST", "oauth2.googleapis.com/token", 200, token_answer()),
            ("GET", "/calendars/primary/events", 200, events_page(items, next_sync_token=token)),
        ]) as google:
            self.connection._sync_changes()
        google.assert_done(self)
        return google

    def test_deleted_in_google_flags_the_booking(self):
        google = self.sync([self.foreign, self.deleted_event()])
        query = google.query(1)
        self.assertEqual(query["syncToken"], [OLD_TOKEN], "incremental")
        self.assertEqual(query["showDeleted"], ["true"])
        self.assertNotIn("timeMin", query, "Google refuses timeMin together with a sync token")
        self.assertNotIn("privateExtendedProperty", query, "Google refuses it together with a sync token")
        self.assertEqual(self.connection.sync_token, NEW_TOKEN)
        self.assertRecordValues(self.booking, [{"state": "confirmed", "google_attention": "deleted"}])
        activity = self.booking.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.consultant_user, "the consultant is told")
        self.assertEqual(activity.summary, "Deleted in Google Calendar")

        # the same change read again (e.g. after a full resync) changes nothing
        self.sync([self.deleted_event()])
        self.assertEqual(len(self.booking.activity_ids), 1)

        # keeping the booking restores the event in Google
        self.booking.action_google_keep_booking()
        self.assertFalse(self.booking.google_attention)
        self.assertFalse(self.booking.activity_ids)
        self.assertEqual(self.booking.google_sync_state, "pending")
        with self.fake_google([
            ("PATCH", f"/calendars/primary/events/{self.event_id}", 200,
             self.our_event("2026-03-03T09:00:00+01:00", "2026-03-03T10:00:00+01:00")),
        ]) as google:
            self.env["voltaic.booking"]._google_push_due()
        self.assertEqual(google.body(0)["status"], "confirmed")
        self.assertEqual(self.booking.google_sync_state, "synced")

    def test_deleted_in_google_cancels_when_set(self):
        self.env["ir.config_parameter"].sudo().set_param("voltaic_booking.google_on_delete", "cancel")
        self.sync([self.deleted_event()])
        self.assertEqual(self.booking.state, "cancelled")
        self.assertIn("Google Calendar", self.booking.cancellation_reason)
        note = self.booking.message_ids.filtered(lambda message: "deleted this consultation" in (message.body or ""))
        self.assertEqual(note.partner_ids, self.consultant.partner_id, "the consultant is told")
        self.assertFalse(self.booking.event_id.active, "the Odoo meeting follows")
        self.assertEqual(self.booking.google_sync_state, "pending", "the event gets deleted for good")

    def test_moved_in_google_proposes_a_reschedule(self):
        self.sync([self.our_event("2026-03-03T14:00:00+01:00", "2026-03-03T15:00:00+01:00")])
        self.assertRecordValues(self.booking, [{
            "start": datetime(2026, 3, 3, 8),
            "google_attention": "moved",
            "google_proposed_start": datetime(2026, 3, 3, 13),
            "google_proposed_stop": datetime(2026, 3, 3, 14),
        }])
        activity = self.booking.activity_ids
        self.assertEqual(activity.user_id, self.consultant_user)
        self.assertEqual(activity.activity_type_id, self.env.ref("mail.mail_activity_data_todo"))
        self.assertIn("Tue, Mar 3, 2026, 2:00 PM – 3:00 PM (Europe/Berlin)", activity.note,
                      "the new time, in the consultant's zone and the reader's language")
        self.assertIn("Tue, Mar 3, 2026, 2:00 PM – 3:00 PM (Europe/Berlin)", self.booking.google_proposal_display)

        # Google's free/busy now shows the event at the new time: that is the booking's own time
        self.env["voltaic.google.busy"].create({
            "consultant_id": self.consultant.id, "calendar": "primary",
            "start": datetime(2026, 3, 3, 13), "stop": datetime(2026, 3, 3, 14)})
        with self.fake_google([]):
            self.booking.with_user(self.consultant_user).action_google_apply_move()
        self.assertRecordValues(self.booking, [{
            "start": datetime(2026, 3, 3, 13),
            "stop": datetime(2026, 3, 3, 14),
            "google_attention": False,
            "google_sync_state": "pending",
        }])
        self.assertFalse(self.booking.activity_ids)
        self.assertEqual(self.booking.event_id.start, datetime(2026, 3, 3, 13))

    def test_keep_booked_time_moves_the_event_back(self):
        self.sync([self.our_event("2026-03-03T14:00:00+01:00", "2026-03-03T15:00:00+01:00")])
        self.booking.with_user(self.consultant_user).action_google_keep_booking()
        self.assertRecordValues(self.booking, [{
            "start": datetime(2026, 3, 3, 8), "google_attention": False, "google_sync_state": "pending"}])
        self.assertFalse(self.booking.activity_ids)

    def test_moved_back_clears_the_proposal(self):
        self.sync([self.our_event("2026-03-03T14:00:00+01:00", "2026-03-03T15:00:00+01:00")])
        self.sync([self.our_event("2026-03-03T09:00:00+01:00", "2026-03-03T10:00:00+01:00")])
        self.assertFalse(self.booking.google_attention)
        self.assertFalse(self.booking.activity_ids)

    def test_own_echo_and_foreign_events_change_nothing(self):
        self.sync([self.foreign, self.our_event("2026-03-03T09:00:00+01:00", "2026-03-03T10:00:00+01:00")])
        self.assertFalse(self.booking.google_attention)
        self.assertFalse(self.booking.activity_ids)

    def test_pending_push_wins(self):
        """A booking moved in Odoo is still at its old time in Google until the push: no false proposal."""
        with self.fake_google([]):
            self.booking._reschedule(utc(2026, 3, 3, 12))
        self.sync([self.our_event("2026-03-03T09:00:00+01:00", "2026-03-03T10:00:00+01:00")])
        self.assertFalse(self.booking.google_attention)

    def test_past_meetings_are_left_alone(self):
        with freeze_time("2026-03-03 10:00:00"):
            self.sync([self.deleted_event()])
        self.assertFalse(self.booking.google_attention)

    def test_expired_sync_token_triggers_full_resync(self):
        with self.fake_google([
            ("POST", "oauth2.googleapis.com/token", 200, token_answer()),
            ("GET", "/calendars/primary/events", 410, SYNC_TOKEN_EXPIRED),
            ("GET", "/calendars/primary/events", 200, events_page([self.foreign], next_page_token="EiIKGjJ")),
            ("GET", "/calendars/primary/events", 200, events_page(
                [self.our_event("2026-03-04T14:00:00+01:00", "2026-03-04T15:00:00+01:00")],
                next_sync_token=NEW_TOKEN)),
        ]) as google:
            self.connection._sync_changes()
        google.assert_done(self)
        self.assertEqual(google.query(1)["syncToken"], [OLD_TOKEN])
        full = google.query(2)
        self.assertNotIn("syncToken", full)
        self.assertEqual(full["timeMin"], ["2026-03-01T06:00:00Z"])
        self.assertEqual(google.query(3)["pageToken"], ["EiIKGjJ"])
        self.assertEqual(self.connection.sync_token, NEW_TOKEN)
        self.assertEqual(self.booking.google_attention, "moved", "changes found by the full sync count")
        self.assertEqual(self.booking.google_proposed_start, datetime(2026, 3, 4, 13))

    def test_first_sync_and_new_calendar_read_everything(self):
        self.consultant.google_calendar_id = "bookings08154711@group.calendar.google.com"
        with self.fake_google([
            ("POST", "oauth2.googleapis.com/token", 200, token_answer()),
            ("GET", "/calendars/bookings08154711%40group.calendar.google.com/events", 200, events_page([])),
        ]) as google:
            self.connection._sync_changes()
        self.assertNotIn("syncToken", google.query(1), "the token belonged to another calendar")
        self.assertEqual(self.connection.sync_calendar_id, "bookings08154711@group.calendar.google.com")

    @mute_logger("odoo.addons.voltaic_booking.models.google_sync")
    def test_cron_with_revoked_token(self):
        with self.fake_google([("POST", "oauth2.googleapis.com/token", 400, INVALID_GRANT)]), \
                patch.object(type(self.env["ir.cron"]), "_commit_progress", return_value=100.0):
            self.env["voltaic.google.connection"]._cron_sync_changes()
        self.assertEqual(self.connection.state, "broken")
        self.assertEqual(self.consultant.activity_ids.summary, "Reconnect Google Calendar")
        self.assertEqual(self.connection.sync_token, OLD_TOKEN)
