"""When a reminder or a follow-up is due, and how meeting times read in the client's language and zone."""

from datetime import datetime, timedelta

from voltaic_booking_lib import notification_times as ntimes

# Thursday 5 March 2026, 10:00 in Berlin (naive UTC, as the models store it)
MEETING = datetime(2026, 3, 5, 9, 0)
STOP = MEETING + timedelta(hours=1)


def hours(value):
    return timedelta(hours=value)


class TestNotificationTimes:
    """The pure rules of when a reminder or a follow-up is due."""

    def test_reminder_bands_catch_up_only_the_latest(self):
        offsets = {"first": hours(24), "last": hours(2)}
        booked = MEETING - timedelta(days=3)
        assert ntimes.due_reminder(MEETING, booked, MEETING - hours(25), offsets) is None
        assert ntimes.due_reminder(MEETING, booked, MEETING - hours(24), offsets) == "first"
        # after a downtime the first reminder still goes while its band is open ...
        assert ntimes.due_reminder(MEETING, booked, MEETING - hours(3), offsets) == "first"
        # ... but once the last one is due, only the last one goes
        assert ntimes.due_reminder(MEETING, booked, MEETING - hours(2), offsets) == "last"
        assert ntimes.due_reminder(MEETING, booked, MEETING - timedelta(minutes=1), offsets) == "last"
        # never once the meeting started
        assert ntimes.due_reminder(MEETING, booked, MEETING, offsets) is None
        assert ntimes.due_reminder(MEETING, booked, MEETING + hours(1), offsets) is None

    def test_no_reminder_whose_time_had_come_when_booked(self):
        offsets = {"first": hours(24), "last": hours(2)}
        booked = MEETING - hours(3)
        assert ntimes.due_reminder(MEETING, booked, MEETING - hours(2.5), offsets) is None
        assert ntimes.due_reminder(MEETING, booked, MEETING - hours(2), offsets) == "last"
        booked = MEETING - hours(1)
        assert ntimes.due_reminder(MEETING, booked, MEETING - timedelta(minutes=30), offsets) is None

    def test_follow_up_due_and_not_stale(self):
        assert not ntimes.follow_up_due(STOP, STOP + timedelta(minutes=59), hours(1), timedelta(days=7))
        assert ntimes.follow_up_due(STOP, STOP + hours(1), hours(1), timedelta(days=7))
        assert ntimes.follow_up_due(STOP, STOP + timedelta(days=3), hours(1), timedelta(days=7))
        assert not ntimes.follow_up_due(STOP, STOP + timedelta(days=8, hours=2), hours(1), timedelta(days=7))

    def test_local_times_follow_language_and_zone(self):
        assert ntimes.local_range_text(MEETING, STOP, "Europe/Berlin", "de_DE") == \
            "Donnerstag, 5. März 2026, 10:00 – 11:00"
        assert ntimes.local_range_text(MEETING, STOP, "Asia/Kolkata", "en_US").replace("\u202f", " ") == \
            "Thursday, March 5, 2026, 2:30 PM – 3:30 PM"
        assert ntimes.utc_offset_text(MEETING, "Asia/Kolkata") == "UTC+05:30"
