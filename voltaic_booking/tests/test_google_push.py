"""Bookings out: after the commit, idempotent, retried with backoff, failures shown to managers."""

import base64
import json
from datetime import datetime
from unittest.mock import patch

from odoo.exceptions import AccessError
from odoo.tests import freeze_time
from odoo.tools import mute_logger

from ..lib import google_mapping as gmap
from .google_common import (
    BACKEND_ERROR,
    DUPLICATE,
    FORBIDDEN,
    GONE,
    INVALID_GRANT,
    NOW,
    RATE_LIMITED,
    GoogleCase,
    event_answer,
    token_answer,
    utc,
)
from odoo.addons.base.tests.test_ir_cron import CronMixinCase

PUSH_CRON = "voltaic_booking.ir_cron_google_push"
PUSH_LOGGER = "odoo.addons.voltaic_booking.models.booking_google"
SYNC_LOGGER = "odoo.addons.voltaic_booking.models.google_sync"


@freeze_time(NOW)
class TestGooglePush(GoogleCase, CronMixinCase):

    def setUp(self):
        super().setUp()
        self.connection.busy_refreshed_at = datetime(2026, 3, 2, 5, 59)  # fresh busy times: slots call nobody

    def push(self, exchanges):
        with self.fake_google(exchanges) as google:
            self.env["voltaic.booking"]._google_push_due()
        google.assert_done(self)
        return google

    def booked_and_synced(self, start=None):
        booking = self.book(start or utc(2026, 3, 3, 8))
        event_id = booking._google_new_event_id()
        self.push([
            ("POST", "oauth2.googleapis.com/token", 200, token_answer()),
            ("POST", "/calendars/primary/events", 200, event_answer({"id": event_id})),
        ])
        self.assertEqual(booking.google_sync_state, "synced")
        return booking

    def test_booking_pushed_after_commit(self):
        with self.capture_triggers(PUSH_CRON) as triggers, self.fake_google([]) as google:
            booking = self.book(utc(2026, 3, 3, 8))
        self.assertEqual(google.count, 0, "nothing goes to Google inside the booking transaction")
        self.assertEqual(booking.google_sync_state, "pending")
        self.assertTrue(triggers.records, "the push job is woken once the booking is committed")
        event_id = booking._google_new_event_id()

        google = self.push([
            ("POST", "oauth2.googleapis.com/token", 200, token_answer()),
            ("POST", "/calendar/v3/calendars/primary/events", 200, event_answer({"id": event_id})),
        ])
        query = google.query(1)
        self.assertEqual(query["sendUpdates"], ["none"], "our own mails inform the client, not Google's")
        self.assertEqual(query["conferenceDataVersion"], ["0"])
        body = google.body(1)
        self.assertEqual(body["id"], event_id, "the client-chosen id makes the insert idempotent")
        self.assertEqual(body["summary"], "Consultation: Priya Sharma (Sharma Solar)")
        self.assertEqual(body["start"], {"dateTime": "2026-03-03T08:00:00Z", "timeZone": "Europe/Berlin"})
        self.assertEqual(body["end"], {"dateTime": "2026-03-03T09:00:00Z", "timeZone": "Europe/Berlin"})
        self.assertEqual(body["extendedProperties"], {"private": {"voltaicBooking": booking.reference}})
        self.assertEqual(body["location"], "https://meet.example.com/vb_google_carla")
        self.assertNotIn("attendees", body, "the client is not a guest unless the setting says so")
        self.assertNotIn("conferenceData", body)
        for expected in (f"Booking: {booking.reference}", "Client: Priya Sharma <priya@sharma-solar.example>",
                         "Phone: +91 22 1234 5678", "Subject: Solar roof for the warehouse",
                         "We would like to discuss a 200 kWp roof.",
                         f"/odoo/crm.lead/{booking.lead_id.id}"):
            self.assertIn(expected, body["description"])
        self.assertRecordValues(booking, [{
            "google_sync_state": "synced",
            "google_event_id": event_id,
            "google_event_calendar_id": "primary",
            "google_sync_attempts": 0,
            "google_synced_at": datetime(2026, 3, 2, 6),
        }])
        # nothing left to do
        self.push([])

    def test_duplicate_insert_becomes_patch(self):
        """An insert whose answer was lost is retried: Google says 409, the event is patched instead."""
        booking = self.book(utc(2026, 3, 3, 8))
        event_id = booking._google_new_event_id()
        google = self.push([
            ("POST", "oauth2.googleapis.com/token", 200, token_answer()),
            ("POST", "/calendars/primary/events", 409, DUPLICATE),
            ("PATCH", f"/calendars/primary/events/{event_id}", 200, event_answer({"id": event_id})),
        ])
        patch_body = google.body(2)
        self.assertNotIn("id", patch_body)
        self.assertEqual(patch_body["start"]["dateTime"], "2026-03-03T08:00:00Z")
        self.assertEqual(patch_body["status"], "confirmed")
        self.assertEqual(booking.google_sync_state, "synced")
        self.assertEqual(booking.google_event_id, event_id)

    def test_reschedule_patches_and_cancel_deletes(self):
        booking = self.booked_and_synced()
        event_id = booking.google_event_id
        with self.fake_google([]) as google:
            booking._reschedule(utc(2026, 3, 3, 12))
        self.assertEqual(google.count, 0)
        self.assertEqual(booking.google_sync_state, "pending")
        google = self.push([  # the access token is still valid: no token request
            ("PATCH", f"/calendars/primary/events/{event_id}", 200, event_answer({"id": event_id})),
        ])
        self.assertEqual(google.body(0)["start"]["dateTime"], "2026-03-03T12:00:00Z")
        self.assertEqual(google.query(0)["sendUpdates"], ["none"])
        self.assertEqual(booking.google_sync_state, "synced")
        self.assertFalse(self.connection.busy_refreshed_at, "Google's free/busy still shows the old time: read again")

        booking.action_cancel(reason="Client ill")
        self.assertEqual(booking.google_sync_state, "pending")
        self.push([("DELETE", f"/calendars/primary/events/{event_id}", 204, "")])
        self.assertEqual(booking.google_sync_state, "synced")

        # cancelled again in a retry (or by hand in Google first): "already deleted" is fine
        booking._google_enqueue()
        self.push([("DELETE", f"/calendars/primary/events/{event_id}", 410, GONE)])
        self.assertEqual(booking.google_sync_state, "synced")

    def test_backoff_on_rate_limit_and_server_errors(self):
        booking = self.book(utc(2026, 3, 3, 8))
        event_id = booking._google_new_event_id()
        with self.capture_triggers(PUSH_CRON) as triggers:
            self.push([
                ("POST", "oauth2.googleapis.com/token", 200, token_answer()),
                ("POST", "/calendars/primary/events", 429, RATE_LIMITED),
            ])
        self.assertRecordValues(booking, [{
            "google_sync_state": "pending",
            "google_sync_attempts": 1,
            "google_next_attempt_at": datetime(2026, 3, 2, 6, 1),
        }])
        self.assertIn("rateLimitExceeded", booking.google_sync_error)
        self.assertIn(datetime(2026, 3, 2, 6, 1), triggers.records.mapped("call_at"), "woken when the wait is over")
        self.push([])  # not due yet: Google is left alone

        with freeze_time("2026-03-02 06:01:00"):
            self.push([("POST", "/calendars/primary/events", 503, BACKEND_ERROR)])
        self.assertRecordValues(booking, [{
            "google_sync_state": "pending", "google_sync_attempts": 2,
            "google_next_attempt_at": datetime(2026, 3, 2, 6, 3),
        }])
        with freeze_time("2026-03-02 06:03:00"):
            self.push([("POST", "/calendars/primary/events", 200, event_answer({"id": event_id}))])
        self.assertRecordValues(booking, [{
            "google_sync_state": "synced", "google_sync_attempts": 0, "google_sync_error": False,
            "google_next_attempt_at": False,
        }])
        self.assertFalse(booking.activity_ids, "a success after retries bothers nobody")

    @mute_logger(PUSH_LOGGER, SYNC_LOGGER)
    def test_repeated_failure_shown_to_managers_with_retry(self):
        booking = self.book(utc(2026, 3, 3, 8))
        self.push([
            ("POST", "oauth2.googleapis.com/token", 200, token_answer()),
            ("POST", "/calendars/primary/events", 503, BACKEND_ERROR),
        ])
        for _attempt in range(2, gmap.MAX_ATTEMPTS + 1):
            booking.google_next_attempt_at = datetime(2026, 3, 2, 6)
            self.push([("POST", "/calendars/primary/events", 503, BACKEND_ERROR)])
        self.assertEqual(booking.google_sync_state, "failed")
        self.assertEqual(booking.google_sync_attempts, gmap.MAX_ATTEMPTS)
        activity = booking.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.manager, "the team's manager handles it")
        self.assertEqual(activity.activity_type_id, self.env.ref("mail.mail_activity_data_warning"))
        self.assertIn("backendError", activity.note)
        self.push([])  # a failed booking is not retried on its own

        with self.assertRaises(AccessError):
            booking.with_user(self.consultant_user).action_google_retry()
        booking.with_user(self.manager).action_google_retry()
        self.assertRecordValues(booking, [{"google_sync_state": "pending", "google_sync_attempts": 0}])
        self.assertFalse(booking.activity_ids, "the failure activity is done once retried")
        self.push([("POST", "/calendars/primary/events", 200, event_answer({"id": booking._google_new_event_id()}))])
        self.assertEqual(booking.google_sync_state, "synced")

    @mute_logger("googleapiclient.http")
    def test_refused_request_fails_at_once(self):
        booking = self.book(utc(2026, 3, 3, 8))
        with self.assertLogs(PUSH_LOGGER, "WARNING") as logs:
            self.push([
                ("POST", "oauth2.googleapis.com/token", 200, token_answer()),
                ("POST", "/calendars/primary/events", 403, FORBIDDEN),
            ])
        self.assertIn("failed for good", logs.output[0])
        self.assertRecordValues(booking, [{"google_sync_state": "failed", "google_sync_attempts": 1}])
        self.assertIn("requiredAccessLevel", booking.google_sync_error)
        self.assertEqual(booking.activity_ids.user_id, self.manager)

    def test_meet_link_and_client_as_guest(self):
        parameters = self.env["ir.config_parameter"].sudo()
        parameters.set_param("voltaic_booking.google_meet", "True")
        parameters.set_param("voltaic_booking.google_invite_client", "True")
        booking = self.book(utc(2026, 3, 3, 8))
        event_id = booking._google_new_event_id()
        meet = "https://meet.google.com/abc-defg-hij"
        google = self.push([
            ("POST", "oauth2.googleapis.com/token", 200, token_answer()),
            ("POST", "/calendars/primary/events", 200, event_answer({"id": event_id}, hangoutLink=meet, conferenceData={
                "createRequest": {"requestId": f"{event_id}-meet", "status": {"statusCode": "success"},
                                  "conferenceSolutionKey": {"type": "hangoutsMeet"}},
                "entryPoints": [{"entryPointType": "video", "uri": meet, "label": "meet.google.com/abc-defg-hij"}],
                "conferenceSolution": {"key": {"type": "hangoutsMeet"}, "name": "Google Meet"},
                "conferenceId": "abc-defg-hij",
            })),
        ])
        self.assertEqual(google.query(1)["conferenceDataVersion"], ["1"])
        body = google.body(1)
        self.assertEqual(body["conferenceData"]["createRequest"]["conferenceSolutionKey"], {"type": "hangoutsMeet"})
        self.assertNotIn("location", body, "the Meet link replaces the video link in Google")
        self.assertEqual(body["attendees"], [{"email": "priya@sharma-solar.example", "displayName": "Priya Sharma"}])
        self.assertEqual(booking.google_meet_url, meet)

        # a phone call gets no conference
        phone = self.book(utc(2026, 3, 3, 12), meeting_type="phone")
        google = self.push([
            ("POST", "/calendars/primary/events", 200, event_answer({"id": phone._google_new_event_id()})),
        ])
        self.assertNotIn("conferenceData", google.body(0))

    def test_consultant_without_google(self):
        self.consultant.google_sync_enabled = False
        with self.capture_triggers(PUSH_CRON) as triggers:
            booking = self.book(utc(2026, 3, 3, 8))
        self.assertFalse(booking.google_sync_state)
        self.assertFalse(triggers.records)
        # turning the sync on later brings the upcoming bookings to Google
        self.consultant.google_sync_enabled = True
        self.assertEqual(booking.google_sync_state, "pending")

    def test_cron_entry_point(self):
        booking = self.book(utc(2026, 3, 3, 8))
        with self.fake_google([
            ("POST", "oauth2.googleapis.com/token", 200, token_answer()),
            ("POST", "/calendars/primary/events", 200, event_answer({"id": booking._google_new_event_id()})),
        ]), patch.object(type(self.env["ir.cron"]), "_commit_progress", return_value=100.0) as progress:
            self.env["voltaic.booking"]._cron_google_push()
        self.assertEqual(booking.google_sync_state, "synced")
        progress.assert_called_once_with(remaining=0)

    @mute_logger(PUSH_LOGGER, SYNC_LOGGER)
    def test_revoked_token(self):
        """The consultant revoked the access: the connection breaks, someone is told, nothing crashes."""
        booking = self.book(utc(2026, 3, 3, 8))
        other = self.book(utc(2026, 3, 3, 12))
        google = self.push([("POST", "oauth2.googleapis.com/token", 400, INVALID_GRANT)])
        self.assertEqual(google.form(0)["grant_type"], ["refresh_token"])
        self.assertEqual(self.connection.state, "broken")
        self.assertIn("invalid_grant", self.connection.last_error)
        self.assertEqual((booking | other).mapped("google_sync_state"), ["failed", "failed"])
        self.assertFalse((booking | other).activity_ids, "one notice on the consultant, not one per booking")
        activity = self.consultant.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.consultant_user)
        self.assertEqual(activity.summary, "Reconnect Google Calendar")

        # nothing more goes to Google with these credentials, slots still work
        with self.fake_google([]) as silent:
            self.connection.busy_refreshed_at = False
            slots = self.consultant._get_slots(utc(2026, 3, 2, 23), utc(2026, 3, 3, 23), 60)
            self.assertTrue(slots[self.consultant.id])
            self.env["voltaic.google.connection"]._active_connections()._refresh_busy()
        self.assertEqual(silent.count, 0)
        booking._reschedule(utc(2026, 3, 3, 13))
        self.push([])
        self.assertEqual(booking.google_sync_state, "failed")
        self.assertEqual(len(self.consultant.activity_ids), 1, "still one notice")

        # reconnecting (OAuth callback) restores the connection and sends the failed bookings again
        with self.fake_google([("POST", "oauth2.googleapis.com/token", 200, dict(
                token_answer(), refresh_token="1//0gNewRefreshToken"))]) as google:
            self.connection._oauth_exchange_code("4/0AeanS0bCodeFromGoogle")
        form = google.form(0)
        self.assertEqual(form["grant_type"], ["authorization_code"])
        self.assertEqual(form["code"], ["4/0AeanS0bCodeFromGoogle"])
        self.assertEqual(form["redirect_uri"], [self.connection._oauth_redirect_uri()])
        self.assertEqual(self.connection.state, "connected")
        self.assertEqual(self.connection.refresh_token, "1//0gNewRefreshToken")
        self.assertFalse(self.consultant.activity_ids, "the reconnect notice is done")
        self.assertEqual((booking | other).mapped("google_sync_state"), ["pending", "pending"])

    @mute_logger(PUSH_LOGGER)
    def test_not_connected_yet(self):
        """Sync turned on before the consultant granted access: nothing breaks, nobody is spammed."""
        self.connection.write({"refresh_token": False, "state": "new"})
        booking = self.book(utc(2026, 3, 3, 8))
        self.push([])
        self.assertEqual(booking.google_sync_state, "failed")
        self.assertIn("not connected", booking.google_sync_error)
        self.assertEqual(self.connection.state, "new", "not broken: just not set up")
        self.assertFalse(booking.activity_ids | self.consultant.activity_ids)
        with self.fake_google([]) as google, \
                patch.object(type(self.env["ir.cron"]), "_commit_progress", return_value=100.0):
            self.env["voltaic.google.connection"]._cron_refresh_busy()
            self.env["voltaic.google.connection"]._cron_sync_changes()
        self.assertEqual(google.count, 0)
        self.assertEqual(self.connection.state, "new")

    def test_service_account(self):
        """Domain-wide delegation: a signed JWT for the consultant's account, then the same calls."""
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa

        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
        parameters = self.env["ir.config_parameter"].sudo()
        parameters.set_param("voltaic_booking.google_auth_mode", "service_account")
        parameters.set_param("voltaic_booking.google_service_account_key", json.dumps({
            "type": "service_account",
            "project_id": "voltaic-booking",
            "private_key_id": "4f1c2a7e9b0d",
            "private_key": pem,
            "client_email": "calendar-sync@voltaic-booking.iam.gserviceaccount.com",
            "client_id": "109876543210987654321",
            "token_uri": "https://oauth2.googleapis.com/token",
        }))
        booking = self.book(utc(2026, 3, 3, 8))
        google = self.push([
            ("POST", "oauth2.googleapis.com/token", 200, token_answer()),
            ("POST", "/calendars/primary/events", 200, event_answer({"id": booking._google_new_event_id()})),
        ])
        form = google.form(0)
        self.assertEqual(form["grant_type"], ["urn:ietf:params:oauth:grant-type:jwt-bearer"])
        claims_part = form["assertion"][0].split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(claims_part + "=" * (-len(claims_part) % 4)))
        self.assertEqual(claims["sub"], "carla@voltaic.example", "the service account acts as the consultant")
        self.assertEqual(claims["iss"], "calendar-sync@voltaic-booking.iam.gserviceaccount.com")
        self.assertEqual(claims["scope"], gmap.CALENDAR_SCOPE)
        self.assertEqual(booking.google_sync_state, "synced")

        # with a directory user, the busy times of all consultants come in one query
        other = self._make_consultant("Otto Other", "vb_google_otto", "otto@voltaic.example",
                                      groups="voltaic_booking.group_user")
        other.google_sync_enabled = True
        parameters.set_param("voltaic_booking.google_freebusy_subject", "admin@voltaic.example")
        connections = (self.consultant | other)._google_connection()
        with self.fake_google([
            ("POST", "oauth2.googleapis.com/token", 200, token_answer("ya29.directory")),
            ("POST", "/calendar/v3/freeBusy", 200, {"kind": "calendar#freeBusy", "calendars": {
                "carla@voltaic.example": {"busy": [{"start": "2026-03-03T09:00:00Z", "end": "2026-03-03T10:00:00Z"}]},
                "family08154711@group.calendar.google.com": {"busy": []},
                "otto@voltaic.example": {"busy": [{"start": "2026-03-03T12:00:00Z", "end": "2026-03-03T16:00:00Z"}]},
            }}),
        ]) as google:
            connections._refresh_busy()
        google.assert_done(self)
        self.assertEqual(google.body(1)["items"], [
            {"id": "carla@voltaic.example"}, {"id": "family08154711@group.calendar.google.com"},
            {"id": "otto@voltaic.example"}])
        busy = self.env["voltaic.google.busy"].search([("consultant_id", "in", (self.consultant | other).ids)])
        self.assertEqual(sorted((row.consultant_id.name, row.start.hour) for row in busy),
                         [("Carla Consultant", 9), ("Otto Other", 12)])
