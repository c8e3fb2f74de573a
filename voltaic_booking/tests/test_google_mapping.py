"""The pure Google mapping: event ids, event bodies, free/busy, change detection, backoff, OAuth state."""

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from odoo.tests import BaseCase

from ..lib import google_mapping as gmap

UTC = timezone.utc


def utc(*args):
    return datetime(*args, tzinfo=UTC)


class TestGoogleMapping(BaseCase):

    def test_event_id_is_stable_valid_and_distinct(self):
        first = gmap.event_id_for("VLT-20260302-AB7K", "db-uuid-1")
        self.assertEqual(first, gmap.event_id_for("VLT-20260302-AB7K", "db-uuid-1"), "a retry must reuse the id")
        self.assertTrue(gmap.is_valid_event_id(first))
        self.assertRegex(first, r"^[a-v0-9]{5,1024}$", "Google accepts base32hex characters only")
        self.assertNotEqual(first, gmap.event_id_for("VLT-20260302-AB7L", "db-uuid-1"))
        self.assertNotEqual(first, gmap.event_id_for("VLT-20260302-AB7K", "db-uuid-2"),
                            "two databases writing into one calendar must not collide")
        self.assertTrue(first.startswith(gmap.EVENT_ID_PREFIX))

    def test_event_body(self):
        body = gmap.event_body(
            event_id="vltabc123", reference="VLT-20260302-AB7K",
            start=utc(2026, 3, 3, 9), stop=utc(2026, 3, 3, 10), timezone="Europe/Berlin",
            summary="Consultation: Priya Sharma", description="Booking: VLT-20260302-AB7K",
            location="Hauptstraße 1, Berlin", attendees=[("priya@example.com", "Priya Sharma")],
            meet=True, source_url="https://odoo.example.com/odoo/voltaic.booking/7")
        self.assertEqual(body["start"], {"dateTime": "2026-03-03T09:00:00Z", "timeZone": "Europe/Berlin"})
        self.assertEqual(body["end"]["dateTime"], "2026-03-03T10:00:00Z")
        self.assertEqual(body["extendedProperties"], {"private": {"voltaicBooking": "VLT-20260302-AB7K"}})
        self.assertEqual(body["attendees"], [{"email": "priya@example.com", "displayName": "Priya Sharma"}])
        self.assertEqual(body["conferenceData"]["createRequest"]["conferenceSolutionKey"], {"type": "hangoutsMeet"})
        self.assertEqual(body["transparency"], "opaque", "a booking makes the consultant busy")
        patch = gmap.patch_body(body)
        self.assertNotIn("id", patch)
        self.assertNotIn("conferenceData", patch, "a patch must not ask for a second conference")
        self.assertIn("conferenceData", gmap.patch_body(body, keep_conference=True))
        plain = gmap.event_body(
            event_id="vltabc123", reference="R", start=utc(2026, 3, 3, 9), stop=utc(2026, 3, 3, 10),
            timezone="UTC", summary="S", description="D")
        self.assertNotIn("attendees", plain)
        self.assertNotIn("conferenceData", plain)
        self.assertNotIn("location", plain)

    def test_busy_from_freebusy(self):
        busy, errors = gmap.busy_from_freebusy({
            "kind": "calendar#freeBusy",
            "timeMin": "2026-03-02T05:00:00.000Z",
            "timeMax": "2026-05-03T06:00:00.000Z",
            "calendars": {
                "primary": {"busy": [
                    {"start": "2026-03-03T10:00:00+01:00", "end": "2026-03-03T11:30:00+01:00"},
                    {"start": "2026-03-02T14:00:00.000Z", "end": "2026-03-02T15:00:00.000Z"},
                ]},
                "missing@group.calendar.google.com": {
                    "errors": [{"domain": "global", "reason": "notFound"}], "busy": []},
            },
        })
        self.assertEqual(busy, {"primary": [
            (utc(2026, 3, 2, 14), utc(2026, 3, 2, 15)),
            (utc(2026, 3, 3, 9), utc(2026, 3, 3, 10, 30)),
        ]})
        self.assertEqual(errors, {"missing@group.calendar.google.com": ["notFound"]})

    def test_freebusy_limits(self):
        windows = gmap.freebusy_windows(utc(2026, 1, 1), utc(2026, 7, 1))
        self.assertEqual(windows[0][0], utc(2026, 1, 1))
        self.assertEqual(windows[-1][1], utc(2026, 7, 1))
        self.assertTrue(all(end - start <= timedelta(days=89) for start, end in windows))
        self.assertTrue(all(windows[index][1] == windows[index + 1][0] for index in range(len(windows) - 1)))
        self.assertEqual([len(chunk) for chunk in gmap.chunked(range(120))], [50, 50, 20])
        request = gmap.freebusy_request(["primary", "x@group.calendar.google.com"], utc(2026, 3, 2), utc(2026, 3, 3))
        self.assertEqual(request["items"], [{"id": "primary"}, {"id": "x@group.calendar.google.com"}])

    def test_detect_change(self):
        start, stop = utc(2026, 3, 3, 9), utc(2026, 3, 3, 10)
        same = {"id": "vlt1", "status": "confirmed",
                "start": {"dateTime": "2026-03-03T10:00:00+01:00"}, "end": {"dateTime": "2026-03-03T11:00:00+01:00"}}
        self.assertEqual(gmap.detect_change(same, start, stop), (None, None))
        moved = dict(same, start={"dateTime": "2026-03-04T14:00:00+01:00"},
                     end={"dateTime": "2026-03-04T15:00:00+01:00"})
        self.assertEqual(gmap.detect_change(moved, start, stop),
                         ("moved", (utc(2026, 3, 4, 13), utc(2026, 3, 4, 14))))
        self.assertEqual(gmap.detect_change({"id": "vlt1", "status": "cancelled"}, start, stop), ("deleted", None))
        all_day = dict(same, start={"date": "2026-03-05"}, end={"date": "2026-03-06"})
        self.assertEqual(gmap.detect_change(all_day, start, stop, ZoneInfo("Europe/Berlin")),
                         ("moved", (utc(2026, 3, 4, 23), utc(2026, 3, 5, 23))))

    def test_booking_reference(self):
        self.assertEqual(gmap.booking_reference(
            {"id": "abc", "extendedProperties": {"private": {"voltaicBooking": "VLT-1"}}}), "VLT-1")
        self.assertIsNone(gmap.booking_reference({"id": "vltxyz", "status": "cancelled"}))
        self.assertIsNone(gmap.booking_reference(
            {"id": "4k2l9m7q1r", "extendedProperties": {"shared": {"db_odoo_id": 7}}}))

    def test_errors_and_backoff(self):
        content = b'{"error": {"errors": [{"domain": "usageLimits", "reason": "rateLimitExceeded"}], ' \
                  b'"code": 429, "message": "Rate Limit Exceeded"}}'
        self.assertEqual(gmap.error_details(content), ("rateLimitExceeded", "Rate Limit Exceeded"))
        self.assertEqual(gmap.error_details('{"error": "invalid_grant", "error_description": "Token has been '
                                            'expired or revoked."}'),
                         ("invalid_grant", "Token has been expired or revoked."))
        self.assertEqual(gmap.error_details(b"<html>Bad Gateway</html>")[0], None)
        self.assertTrue(gmap.is_retryable(429))
        self.assertTrue(gmap.is_retryable(503))
        self.assertTrue(gmap.is_retryable(403, "userRateLimitExceeded"))
        self.assertFalse(gmap.is_retryable(403, "requiredAccessLevel"))
        self.assertFalse(gmap.is_retryable(404))
        delays = [gmap.backoff_delay(attempt).total_seconds() for attempt in range(1, 11)]
        self.assertEqual(delays[:4], [60, 120, 240, 480])
        self.assertEqual(delays, sorted(delays))
        self.assertEqual(max(delays), gmap.BACKOFF_CAP_SECONDS)

    def test_split_calendar_ids(self):
        self.assertEqual(gmap.split_calendar_ids("primary\n a@group.calendar.google.com, primary;b@x.com\n"),
                         ["primary", "a@group.calendar.google.com", "b@x.com"])
        self.assertEqual(gmap.split_calendar_ids(False), [])

    def test_oauth_state(self):
        state = gmap.encode_state({"c": 7, "u": 2, "n": "nonce", "exp": 1000}, "secret")
        self.assertEqual(gmap.decode_state(state, "secret", now=999)["c"], 7)
        self.assertIsNone(gmap.decode_state(state, "secret", now=1001), "expired")
        self.assertIsNone(gmap.decode_state(state, "other secret", now=999), "signed with another key")
        signature = state.split(".")[1]
        forged = gmap.encode_state({"c": 8, "u": 2, "n": "nonce", "exp": 1000}, "attacker").split(".", maxsplit=1)[0]
        self.assertIsNone(gmap.decode_state(f"{forged}.{signature}", "secret", now=999), "tampered payload")
        self.assertIsNone(gmap.decode_state("garbage", "secret", now=0))
        self.assertIsNone(gmap.decode_state(None, "secret", now=0))
        url = gmap.authorization_url("client-1", "https://odoo.example.com/cb", state)
        self.assertIn("access_type=offline", url)
        self.assertIn("prompt=consent", url)
        self.assertTrue(url.startswith(gmap.AUTHORIZE_URI))

    def test_event_writer(self):
        self.assertEqual(gmap.booking_event_writer(True, True, True), "voltaic")
        self.assertEqual(gmap.booking_event_writer(True, False, False), "voltaic")
        self.assertEqual(gmap.booking_event_writer(False, True, True), "odoo")
        self.assertIsNone(gmap.booking_event_writer(False, True, False))
        self.assertIsNone(gmap.booking_event_writer(False, False, False))
