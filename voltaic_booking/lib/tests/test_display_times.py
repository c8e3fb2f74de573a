"""Dates and times in the reader's language: the order of day and month, the 12- or 24-hour clock."""

import re
from datetime import date, datetime, timedelta, timezone

from voltaic_booking_lib import display_times as dt

START = datetime(2026, 3, 5, 13, 30)  # naive UTC: 14:30 in Berlin
STOP = START + timedelta(minutes=30)


def squash(text):
    """Times read with plain spaces (no narrow no-break space before AM/PM, whatever babel's CLDR data)."""
    assert not re.search(r"[\u202f\u00a0]", text), repr(text)
    return text


class TestDisplayTimes:
    def test_english_month_first_and_twelve_hours(self):
        assert squash(dt.datetime_text(START, "Europe/Berlin", "en_US")) == "Thu, Mar 5, 2026, 2:30 PM"
        assert squash(dt.time_text(START, "Europe/Berlin", "en_US")) == "2:30 PM"
        assert dt.day_text(date(2026, 3, 5), "en_US") == "Thu, Mar 5"

    def test_german_day_first_and_twenty_four_hours(self):
        assert dt.datetime_text(START, "Europe/Berlin", "de_DE") == "Do., 5. März 2026, 14:30"
        assert dt.time_text(START, "Europe/Berlin", "de_DE") == "14:30"
        assert dt.day_text(date(2026, 3, 5), "de_DE") == "Do., 5. März"
        # midnight-to-one reads 00:30 in German, never 0:30
        assert dt.time_text(datetime(2026, 3, 4, 23, 30), "Europe/Berlin", "de_DE") == "00:30"

    def test_range_with_zone_and_end_date_only_when_it_differs(self):
        assert dt.range_text(START, STOP, "Europe/Berlin", "de_DE") == (
            "Do., 5. März 2026, 14:30 – 15:00 (Europe/Berlin)")
        assert squash(dt.range_text(START, STOP, "Asia/Kolkata", "en_US")) == (
            "Thu, Mar 5, 2026, 7:00 PM – 7:30 PM (Asia/Kolkata)")
        late = datetime(2026, 3, 5, 22, 30)
        assert dt.range_text(late, late + timedelta(hours=1), "Europe/Berlin", "de_DE", with_zone=False) == (
            "Do., 5. März 2026, 23:30 – Fr., 6. März 2026, 00:30")

    def test_aware_moments_and_unknown_inputs(self):
        aware = START.replace(tzinfo=timezone.utc)
        assert dt.datetime_text(aware, "Europe/Berlin", "de_DE") == dt.datetime_text(START, "Europe/Berlin", "de_DE")
        # an unknown zone falls back to UTC, an unknown language to English
        assert squash(dt.time_text(START, "Mars/Olympus", "xx_XX")) == "1:30 PM"
