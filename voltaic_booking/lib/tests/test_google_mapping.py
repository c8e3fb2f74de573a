"""The pure Google mapping: event ids, event bodies, free/busy, change detection, backoff, OAuth state."""

import re
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from voltaic_booking_lib import google_mapping as gmap

UTC = timezone.utc


def utc(*args):
    return datetime(*args, tzinfo=UTC)


class TestGoogleMapping:

    def test_event_id_is_stable_valid_and_distinct(self):
        first = gmap.event_id_for("VLT-20260302-AB7K", "db-uuid-1")
        assert first == gmap.event_id_for("VLT-20260302-AB7K", "db-uuid-1"), "a retry must reuse the id"
        assert gmap.is_valid_event_id(first)
        assert re.search(r"^[a-v0-9]{5,1024}$", first), "Google accepts base32hex characters only"
        assert first != gmap.event_id_for("VLT-20260302-AB7L", "db-uuid-1")
        assert first != gmap.event_id_for("VLT-20260302-AB7K", "db-uuid-2"), \
            "two databases writing into one calendar must not collide"
        assert first.startswith(gmap.EVENT_ID_PREFIX)

    def test_event_body(self):
        body = gmap.event_body(
            event_id="vltabc123", reference="VLT-20260302-AB7K",
            start=utc(2026, 3, 3, 9), stop=utc(2026, 3, 3, 10), timezone="Europe/Berlin",
            summary="Consultation: Priya Sharma", description="Booking: VLT-20260302-AB7K",
            location="Hauptstraße 1, Berlin", attendees=[("priya@example.com", "Priya Sharma")],
            meet=True, source_url="https://odoo.example.com/odoo/voltaic.booking/7")
        assert body["start"] == {"dateTime": "2026-03-03T09:00:00Z", "timeZone": "Europe/Berlin"}
        assert body["end"]["dateTime"] == "2026-03-03T10:00:00Z"
        assert body["extendedProperties"] == {"private": {"voltaicBooking": "VLT-20260302-AB7K"}}
        assert body["attendees"] == [{"email": "priya@example.com", "displayName": "Priya Sharma"}]
        assert body["conferenceData"]["createRequest"]["conferenceSolutionKey"] == {"type": "hangoutsMeet"}
        assert body["transparency"] == "opaque", "a booking makes the consultant busy"
        patch = gmap.patch_body(body)
        assert "id" not in patch
        assert "conferenceData" not in patch, "a patch must not ask for a second conference"
        assert "conferenceData" in gmap.patch_body(body, keep_conference=True)
        plain = gmap.event_body(
            event_id="vltabc123", reference="R", start=utc(2026, 3, 3, 9), stop=utc(2026, 3, 3, 10),
            timezone="UTC", summary="S", description="D")
        assert "attendees" not in plain
        assert "conferenceData" not in plain
        assert "location" not in plain

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
        assert busy == {"primary": [
            (utc(2026, 3, 2, 14), utc(2026, 3, 2, 15)),
            (utc(2026, 3, 3, 9), utc(2026, 3, 3, 10, 30)),
        ]}
        assert errors == {"missing@group.calendar.google.com": ["notFound"]}

    def test_freebusy_limits(self):
        windows = gmap.freebusy_windows(utc(2026, 1, 1), utc(2026, 7, 1))
        assert windows[0][0] == utc(2026, 1, 1)
        assert windows[-1][1] == utc(2026, 7, 1)
        assert all(end - start <= timedelta(days=89) for start, end in windows)
        assert all(windows[index][1] == windows[index + 1][0] for index in range(len(windows) - 1))
        assert [len(chunk) for chunk in gmap.chunked(range(120))] == [50, 50, 20]
        request = gmap.freebusy_request(["primary", "x@group.calendar.google.com"], utc(2026, 3, 2), utc(2026, 3, 3))
        assert request["items"] == [{"id": "primary"}, {"id": "x@group.calendar.google.com"}]

    def test_detect_change(self):
        start, stop = utc(2026, 3, 3, 9), utc(2026, 3, 3, 10)
        same = {"id": "vlt1", "status": "confirmed",
                "start": {"dateTime": "2026-03-03T10:00:00+01:00"}, "end": {"dateTime": "2026-03-03T11:00:00+01:00"}}
        assert gmap.detect_change(same, start, stop) == (None, None)
        moved = dict(same, start={"dateTime": "2026-03-04T14:00:00+01:00"},
                     end={"dateTime": "2026-03-04T15:00:00+01:00"})
        assert gmap.detect_change(moved, start, stop) == ("moved", (utc(2026, 3, 4, 13), utc(2026, 3, 4, 14)))
        assert gmap.detect_change({"id": "vlt1", "status": "cancelled"}, start, stop) == ("deleted", None)
        all_day = dict(same, start={"date": "2026-03-05"}, end={"date": "2026-03-06"})
        assert gmap.detect_change(all_day, start, stop, ZoneInfo("Europe/Berlin")) == \
            ("moved", (utc(2026, 3, 4, 23), utc(2026, 3, 5, 23)))

    def test_booking_reference(self):
        assert gmap.booking_reference(
            {"id": "abc", "extendedProperties": {"private": {"voltaicBooking": "VLT-1"}}}) == "VLT-1"
        assert gmap.booking_reference({"id": "vltxyz", "status": "cancelled"}) is None
        assert gmap.booking_reference(
            {"id": "4k2l9m7q1r", "extendedProperties": {"shared": {"db_odoo_id": 7}}}) is None

    def test_errors_and_backoff(self):
        content = b'{"error": {"errors": [{"domain": "usageLimits", "reason": "rateLimitExceeded"}], ' \
                  b'"code": 429, "message": "Rate Limit Exceeded"}}'
        assert gmap.error_details(content) == ("rateLimitExceeded", "Rate Limit Exceeded")
        assert gmap.error_details('{"error": "invalid_grant", "error_description": "Token has been '
                                  'expired or revoked."}') == ("invalid_grant", "Token has been expired or revoked.")
        assert gmap.error_details(b"<html>Bad Gateway</html>")[0] is None
        assert gmap.is_retryable(429)
        assert gmap.is_retryable(503)
        assert gmap.is_retryable(403, "userRateLimitExceeded")
        assert not gmap.is_retryable(403, "requiredAccessLevel")
        assert not gmap.is_retryable(404)
        delays = [gmap.backoff_delay(attempt).total_seconds() for attempt in range(1, 11)]
        assert delays[:4] == [60, 120, 240, 480]
        assert delays == sorted(delays)
        assert max(delays) == gmap.BACKOFF_CAP_SECONDS

    def test_split_calendar_ids(self):
        assert gmap.split_calendar_ids("primary\n a@group.calendar.google.com, primary;b@x.com\n") == \
            ["primary", "a@group.calendar.google.com", "b@x.com"]
        assert gmap.split_calendar_ids(False) == []

    def test_oauth_state(self):
        state = gmap.encode_state({"c": 7, "u": 2, "n": "nonce", "exp": 1000}, "secret")
        assert gmap.decode_state(state, "secret", now=999)["c"] == 7
        assert gmap.decode_state(state, "secret", now=1001) is None, "expired"
        assert gmap.decode_state(state, "other secret", now=999) is None, "signed with another key"
        signature = state.split(".")[1]
        forged = gmap.encode_state({"c": 8, "u": 2, "n": "nonce", "exp": 1000}, "attacker").split(".", maxsplit=1)[0]
        assert gmap.decode_state(f"{forged}.{signature}", "secret", now=999) is None, "tampered payload"
        assert gmap.decode_state("garbage", "secret", now=0) is None
        assert gmap.decode_state(None, "secret", now=0) is None
        url = gmap.authorization_url("client-1", "https://odoo.example.com/cb", state)
        assert "access_type=offline" in url
        assert "prompt=consent" in url
        assert url.startswith(gmap.AUTHORIZE_URI)

    def test_event_writer(self):
        assert gmap.booking_event_writer(True, True, True) == "voltaic"
        assert gmap.booking_event_writer(True, False, False) == "voltaic"
        assert gmap.booking_event_writer(False, True, True) == "odoo"
        assert gmap.booking_event_writer(False, True, False) is None
        assert gmap.booking_event_writer(False, False, False) is None
