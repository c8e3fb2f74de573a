"""Busy times in: Google's free/busy answers block slots, refreshed in batches, in time or not at all."""

import logging
from datetime import datetime, timedelta
from unittest.mock import patch

from freezegun.api import real_perf_counter

from odoo.tests import freeze_time

from ..models import google_sync
from ..models.consultant_google import VoltaicConsultant as GoogleConsultant
from .google_common import NOW, GoogleCase, token_answer, utc

TUESDAY = (utc(2026, 3, 2, 23), utc(2026, 3, 3, 23))
# Tuesday 3 March, 60-minute slots (UTC) of a Berlin 9:00-17:00 day with lunch 12-13
ALL_TUESDAY = [utc(2026, 3, 3, 8)] + [utc(2026, 3, 3, 8, 30), utc(2026, 3, 3, 9), utc(2026, 3, 3, 9, 30),
                                      utc(2026, 3, 3, 10)] + [
    utc(2026, 3, 3, 12), utc(2026, 3, 3, 12, 30), utc(2026, 3, 3, 13), utc(2026, 3, 3, 13, 30),
    utc(2026, 3, 3, 14), utc(2026, 3, 3, 14, 30), utc(2026, 3, 3, 15)]
FAMILY = "family08154711@group.calendar.google.com"


def freebusy_answer(primary=(), family=(), family_errors=None):
    def periods(intervals):
        return [{"start": start, "end": end} for start, end in intervals]
    family_answer = {"errors": [{"domain": "global", "reason": family_errors}], "busy": []} if family_errors \
        else {"busy": periods(family)}
    return {
        "kind": "calendar#freeBusy",
        "timeMin": "2026-03-02T05:00:00.000Z",
        "timeMax": "2026-05-03T06:00:00.000Z",
        "calendars": {"primary": {"busy": periods(primary)}, FAMILY: family_answer},
    }


TUESDAY_BUSY = freebusy_answer(
    primary=[("2026-03-03T10:00:00+01:00", "2026-03-03T11:30:00+01:00")],  # 9:00-10:30 UTC
    family=[("2026-03-03T13:00:00Z", "2026-03-03T14:00:00Z")],
)


@freeze_time(NOW)
class TestGoogleBusy(GoogleCase):

    def refresh_busy_cron(self):
        with patch.object(type(self.env["ir.cron"]), "_commit_progress", return_value=100.0):
            self.env["voltaic.google.connection"]._cron_refresh_busy()

    def test_freebusy_blocks_slots(self):
        self.connection.busy_refreshed_at = datetime(2026, 3, 2, 5, 59)  # fresh: no refresh before slots
        self.assertEqual(self.slot_starts(*TUESDAY), ALL_TUESDAY)
        with self.fake_google([
            ("POST", "oauth2.googleapis.com/token", 200, token_answer()),
            ("POST", "/calendar/v3/freeBusy", 200, TUESDAY_BUSY),
        ]) as google:
            self.refresh_busy_cron()
        google.assert_done(self)
        self.assertEqual(google.form(0)["grant_type"], ["refresh_token"])
        self.assertEqual(google.form(0)["refresh_token"], ["1//0gRefreshToken-carla"])
        query = google.body(1)
        self.assertEqual(query["items"], [{"id": "primary"}, {"id": FAMILY}], "both calendars in one query")
        self.assertEqual(query["timeMin"], "2026-03-02T05:00:00Z")
        self.assertEqual(query["timeMax"], "2026-05-03T06:00:00Z", "the whole booking horizon")
        busy = self.env["voltaic.google.busy"].search([("consultant_id", "=", self.consultant.id)])
        self.assertEqual(
            sorted((row.calendar, row.start, row.stop) for row in busy),
            [(FAMILY, datetime(2026, 3, 3, 13), datetime(2026, 3, 3, 14)),
             ("primary", datetime(2026, 3, 3, 9), datetime(2026, 3, 3, 10, 30))])
        self.assertEqual(self.connection.busy_refreshed_at, datetime(2026, 3, 2, 6))
        self.assertEqual(self.slot_starts(*TUESDAY), [
            utc(2026, 3, 3, 8), utc(2026, 3, 3, 12), utc(2026, 3, 3, 14), utc(2026, 3, 3, 14, 30),
            utc(2026, 3, 3, 15)])

        # the next refresh replaces the busy times: the family appointment is gone
        with self.fake_google([
            ("POST", "/calendar/v3/freeBusy", 200, freebusy_answer(
                primary=[("2026-03-03T09:00:00Z", "2026-03-03T10:30:00Z")])),
        ]):
            self.refresh_busy_cron()
        self.assertEqual(self.env["voltaic.google.busy"].search_count([("consultant_id", "=", self.consultant.id)]), 1)
        self.assertIn(utc(2026, 3, 3, 13), self.slot_starts(*TUESDAY))
        self.assertNotIn(utc(2026, 3, 3, 9), self.slot_starts(*TUESDAY))

    def test_calendar_error_keeps_its_busy_times(self):
        self.connection.busy_refreshed_at = datetime(2026, 3, 2, 5, 59)
        with self.fake_google([
            ("POST", "oauth2.googleapis.com/token", 200, token_answer()),
            ("POST", "/calendar/v3/freeBusy", 200, TUESDAY_BUSY),
            ("POST", "/calendar/v3/freeBusy", 200, freebusy_answer(family_errors="notFound")),
        ]):
            self.connection._refresh_busy()
            with self.assertLogs("odoo.addons.voltaic_booking.models.google_sync", "WARNING"):
                self.connection._refresh_busy()
        rows = self.env["voltaic.google.busy"].search([("consultant_id", "=", self.consultant.id)])
        self.assertEqual(rows.mapped("calendar"), [FAMILY], "primary answered: nothing busy; family kept")
        self.assertIn("notFound", self.connection.last_error)
        self.assertNotIn(utc(2026, 3, 3, 12, 30), self.slot_starts(*TUESDAY))

    def test_stale_busy_times_refreshed_before_slots(self):
        self.connection.busy_refreshed_at = datetime(2026, 3, 2, 5, 30)  # older than 15 minutes
        with self.fake_google([
            ("POST", "oauth2.googleapis.com/token", 200, token_answer()),
            ("POST", "/calendar/v3/freeBusy", 200, TUESDAY_BUSY),
        ]) as google:
            starts = self.slot_starts(*TUESDAY)
            self.assertEqual(starts[:2], [utc(2026, 3, 3, 8), utc(2026, 3, 3, 12)])
            # fresh now: asking again in the same transaction does not call Google
            self.slot_starts(*TUESDAY)
            self.consultant._next_available(60)
        google.assert_done(self)
        self.assertEqual(self.connection.busy_refreshed_at, datetime(2026, 3, 2, 6), "stored for the next requests")
        self.assertEqual(len(self.env["voltaic.google.busy"].search([("consultant_id", "=", self.consultant.id)])), 2)

    def test_fresh_busy_times_are_not_read_again(self):
        self.connection.busy_refreshed_at = datetime(2026, 3, 2, 5, 50)
        with self.fake_google([]) as google:
            self.assertEqual(self.slot_starts(*TUESDAY), ALL_TUESDAY)
        self.assertEqual(google.count, 0)

    def test_slow_google_answers_with_stored_busy_times(self):
        self.env["ir.config_parameter"].sudo().set_param("voltaic_booking.google_timeout_seconds", "0.2")
        self.connection.write({"busy_refreshed_at": datetime(2026, 3, 2, 5), "refresh_token": "1//0gSlowToken"})
        self.env["voltaic.google.busy"].create({
            "consultant_id": self.consultant.id, "calendar": "primary",
            "start": datetime(2026, 3, 3, 12), "stop": datetime(2026, 3, 3, 16)})
        with self.fake_google([
            ("POST", "oauth2.googleapis.com/token", 200, token_answer()),
            ("POST", "/calendar/v3/freeBusy", 200, TUESDAY_BUSY),
        ], delay=1.0), self.assertLogs("odoo.addons.voltaic_booking.models.google_sync", "WARNING") as logs:
            clock = real_perf_counter()  # the frozen clocks do not move
            starts = self.slot_starts(*TUESDAY)
            waited = real_perf_counter() - clock
        self.assertLess(waited, 0.9, "the answer must not wait for the slow Google")
        self.assertIn("did not answer within", logs.output[0])
        self.assertEqual(starts, ALL_TUESDAY[:5], "the stored afternoon busy time still counts")
        # a second request soon after does not wait for Google again
        with self.fake_google([]) as google:
            self.env.cr.cache.pop(google_sync.BUSY_STASH_KEY, None)
            self.slot_starts(*TUESDAY)
        self.assertEqual(google.count, 0)

    def test_broken_connection_is_not_called(self):
        self.connection.write({"state": "broken", "busy_refreshed_at": False})
        with self.fake_google([]) as google:
            self.assertEqual(self.slot_starts(*TUESDAY), ALL_TUESDAY)
            self.refresh_busy_cron()
        self.assertEqual(google.count, 0)

    def test_no_query_added_without_google(self):
        """Consultants who do not sync with Google cost no query at all."""
        self.consultant.google_sync_enabled = False
        self.consultant.invalidate_recordset()
        self.env.invalidate_all()
        self.slot_starts(*TUESDAY)  # warm up caches (settings, calendars)

        def assert_queries():
            self.env.cr.flush()  # pending precommit checks first: they are not counted
            self.env.invalidate_all()
            with self.assertQueryCount(11):  # measured, and the same with the Google hooks patched out
                self.slot_starts(*TUESDAY)

        assert_queries()
        with patch.object(GoogleConsultant, "_refresh_external_busy", lambda self: None), \
                patch.object(GoogleConsultant, "_get_external_busy_intervals", lambda self, *args, **kwargs: {}):
            assert_queries()

    def test_moving_a_booking_over_its_own_google_time(self):
        """Google still shows a booking at its old time until the push: that time is the booking's own."""
        self.connection.busy_refreshed_at = datetime(2026, 3, 2, 5, 59)
        with self.fake_google([]):
            booking = self.book(utc(2026, 3, 3, 8))
        self.env["voltaic.google.busy"].create({
            "consultant_id": self.consultant.id, "calendar": "primary",
            "start": datetime(2026, 3, 3, 8), "stop": datetime(2026, 3, 3, 9)})
        with self.fake_google([]):
            booking._reschedule(utc(2026, 3, 3, 8, 30))
        self.assertEqual(booking.start, datetime(2026, 3, 3, 8, 30))

    def test_busy_horizon_split_in_windows_and_batches(self):
        """A long horizon is cut into windows Google accepts (under 90 days)."""
        self.consultant.max_advance_days = 120
        self.connection.busy_refreshed_at = datetime(2026, 3, 2, 5, 59)
        empty = freebusy_answer()
        with self.fake_google([
            ("POST", "oauth2.googleapis.com/token", 200, token_answer()),
            ("POST", "/calendar/v3/freeBusy", 200, empty),
            ("POST", "/calendar/v3/freeBusy", 200, empty),
        ]) as google:
            self.connection._refresh_busy()
        google.assert_done(self)
        first, second = google.body(1), google.body(2)
        self.assertEqual(first["timeMax"], second["timeMin"])
        span = datetime.fromisoformat(second["timeMax"]) - datetime.fromisoformat(first["timeMin"])
        self.assertGreaterEqual(span, timedelta(days=122))

    def test_refresh_interval_setting_drives_the_cron(self):
        settings = self.env["res.config.settings"].create({"voltaic_google_refresh_minutes": 7})
        settings.execute()
        self.assertEqual(self.env.ref("voltaic_booking.ir_cron_google_busy").interval_number, 7)
        self.assertEqual(self.env["res.config.settings"].create({}).voltaic_google_refresh_minutes, 7)

    def test_disabled_consultants_busy_times_dropped(self):
        self.env["voltaic.google.busy"].create({
            "consultant_id": self.consultant.id, "calendar": "primary",
            "start": datetime(2026, 3, 3, 12), "stop": datetime(2026, 3, 3, 16)})
        self.consultant.google_sync_enabled = False
        self.assertEqual(self.slot_starts(*TUESDAY), ALL_TUESDAY, "busy times of a disconnected calendar do not count")
        with self.fake_google([]):
            self.refresh_busy_cron()
        self.assertFalse(self.env["voltaic.google.busy"].search([("consultant_id", "=", self.consultant.id)]))


@freeze_time(NOW)
class TestGoogleBusyLogging(GoogleCase):
    """Quiet logs: a normal refresh logs nothing above INFO."""

    def test_refresh_logs_nothing_alarming(self):
        self.connection.busy_refreshed_at = datetime(2026, 3, 2, 5, 30)
        with self.fake_google([
            ("POST", "oauth2.googleapis.com/token", 200, token_answer()),
            ("POST", "/calendar/v3/freeBusy", 200, TUESDAY_BUSY),
        ]), self.assertNoLogs("odoo.addons.voltaic_booking", logging.WARNING):
            self.slot_starts(*TUESDAY)
