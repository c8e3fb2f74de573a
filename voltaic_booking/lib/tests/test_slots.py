"""The pure slot core (``lib/slots.py``): examples and hypothesis properties."""

from datetime import date, datetime, timedelta, timezone
from functools import cache
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from voltaic_booking_lib import slots as slot_lib

UTC = timezone.utc

BERLIN = ZoneInfo("Europe/Berlin")
MINUTE = timedelta(minutes=1)
# a Monday; the horizon of the property tests spans the Berlin/London spring DST change (28 March 2027)
ORIGIN = datetime(2027, 3, 22, 0, 0, tzinfo=UTC)
HORIZON_MINUTES = 8 * 24 * 60
ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Sydney", "Pacific/Auckland"]

PROPERTY_SETTINGS = settings(max_examples=150, deadline=None, derandomize=True, database=None)


def at(minutes):
    return ORIGIN + timedelta(minutes=minutes)


@cache  # one strategy object per shape: hypothesis does not re-validate it for every example
def intervals_strategy(max_size, max_length):
    """Lists of ``(start, end)`` intervals (aware UTC) inside the horizon, possibly overlapping or empty."""
    interval = st.tuples(
        st.integers(0, HORIZON_MINUTES), st.integers(0, max_length),
    ).map(lambda pair: (at(pair[0]), at(min(pair[0] + pair[1], HORIZON_MINUTES))))
    return st.lists(interval, max_size=max_size)


OPTIONAL_INSTANT = st.none() | st.integers(0, HORIZON_MINUTES).map(at)


def minute_set(intervals):
    """The set of minutes covered by intervals (only for the small intervals of the oracle tests)."""
    covered = set()
    for start, end in intervals:
        minute = start
        while minute < end:
            covered.add(minute)
            minute += MINUTE
    return covered


@st.composite
def slot_problems(draw):
    """Every input of ``compute_slots``, with realistic ranges."""
    zone = ZoneInfo(draw(st.sampled_from(ZONES)))
    work = draw(intervals_strategy(max_size=8, max_length=10 * 60))
    busy = draw(intervals_strategy(max_size=10, max_length=4 * 60))
    not_before = draw(OPTIONAL_INSTANT)
    not_after = draw(OPTIONAL_INSTANT)
    daily_limit = draw(st.integers(0, 3))
    days = sorted({(ORIGIN + timedelta(days=offset)).astimezone(zone).date() for offset in range(-1, 10)})
    day_counts = draw(st.dictionaries(st.sampled_from(days), st.integers(0, 4), max_size=4))
    return {
        "work": work,
        "busy": busy,
        "duration": timedelta(minutes=draw(st.sampled_from([15, 30, 45, 60, 90, 120]))),
        "step": timedelta(minutes=draw(st.sampled_from([5, 15, 20, 30, 45, 60]))),
        "tz": zone,
        "buffer_before": timedelta(minutes=draw(st.sampled_from([0, 5, 10, 15, 30]))),
        "buffer_after": timedelta(minutes=draw(st.sampled_from([0, 5, 10, 15, 30]))),
        "not_before": not_before,
        "not_after": not_after,
        "daily_limit": daily_limit,
        "day_counts": day_counts,
    }


def is_aligned(start, step, tz):
    local = start.astimezone(tz)
    seconds = local.hour * 3600 + local.minute * 60 + local.second
    return not local.microsecond and seconds % int(step.total_seconds()) == 0


# DST changes (UTC instants): Berlin spring/autumn 2027, New York spring/autumn 2027, Sydney autumn/spring 2027
DST_CHANGES = [
    ("Europe/Berlin", datetime(2027, 3, 28, 1, 0, tzinfo=UTC)),
    ("Europe/Berlin", datetime(2027, 10, 31, 1, 0, tzinfo=UTC)),
    ("America/New_York", datetime(2027, 3, 14, 7, 0, tzinfo=UTC)),
    ("America/New_York", datetime(2027, 11, 7, 6, 0, tzinfo=UTC)),
    ("Australia/Sydney", datetime(2027, 4, 3, 16, 0, tzinfo=UTC)),
    ("Australia/Sydney", datetime(2027, 10, 2, 16, 0, tzinfo=UTC)),
]


@st.composite
def dst_problems(draw):
    """Working time straddling a DST change of the consultant's zone (night shifts, 24/7 desks)."""
    zone_name, change = draw(st.sampled_from(DST_CHANGES))
    before = timedelta(minutes=draw(st.integers(0, 6 * 60)))
    after = timedelta(minutes=draw(st.integers(0, 6 * 60)))
    busy_start = change + timedelta(minutes=draw(st.integers(-6 * 60, 6 * 60)))
    busy = [(busy_start, busy_start + timedelta(minutes=length))
            for length in draw(st.lists(st.integers(0, 90), max_size=2))]
    return {
        "work": [(change - before, change + after)],
        "busy": busy,
        "duration": timedelta(minutes=draw(st.sampled_from([15, 30, 45, 60, 90]))),
        "step": timedelta(minutes=draw(st.sampled_from([5, 15, 20, 30, 45, 60, 90]))),
        "tz": ZoneInfo(zone_name),
        "buffer_before": timedelta(minutes=draw(st.sampled_from([0, 10]))),
        "buffer_after": timedelta(minutes=draw(st.sampled_from([0, 15]))),
        "not_before": None,
        "not_after": None,
        "daily_limit": 0,
        "day_counts": {},
    }


class TestSlotProperties:
    """Whatever the schedule, the slots respect every rule (hypothesis)."""

    def assert_rules(self, problem, slots):
        """No busy overlap (buffers included), inside working time, rules, wall-clock grid, ordered and unique."""
        work = slot_lib.merge_intervals(problem["work"])
        busy = slot_lib.merge_intervals(problem["busy"])
        tz = problem["tz"]
        for start, end in slots:
            assert start.utcoffset() == timedelta(0), "slots are returned in UTC"
            assert end - start == problem["duration"]
            # inside working time
            assert any(w_start <= start and end <= w_end for w_start, w_end in work), \
                f"slot {start}-{end} outside working time {work}"
            # no busy interval touches the slot with its buffers
            blocked = (start - problem["buffer_before"], end + problem["buffer_after"])
            for b_start, b_end in busy:
                assert not (b_start < blocked[1] and blocked[0] < b_end), \
                    f"slot {start}-{end} (blocked {blocked}) overlaps busy {b_start}-{b_end}"
            # minimum notice and maximum advance
            if problem["not_before"]:
                assert start >= problem["not_before"]
            if problem["not_after"]:
                assert start <= problem["not_after"]
            # daily limit, counted on the consultant's local day
            if problem["daily_limit"]:
                assert problem["day_counts"].get(start.astimezone(tz).date(), 0) < problem["daily_limit"]
            # starts on the wall-clock grid of the consultant's zone
            assert is_aligned(start, problem["step"], tz), f"{start.astimezone(tz)} not on the grid"
        # ordered and unique
        assert slots == sorted(set(slots))

    def assert_complete(self, problem, slots):
        """Every grid start that satisfies all rules is offered (brute force over 5-minute marks)."""
        slots = set(slots)
        busy_index = slot_lib.BusyIndex(problem["busy"])
        duration, step, tz = problem["duration"], problem["step"], problem["tz"]
        five = timedelta(minutes=5)
        for w_start, w_end in slot_lib.merge_intervals(problem["work"]):
            # every zone used here is a multiple of 15 minutes from UTC, every step a multiple of 5:
            # grid starts are on UTC 5-minute marks
            minute = ORIGIN + -((ORIGIN - w_start) // five) * five
            while minute + duration <= w_end:
                end = minute + duration
                expected = (
                    is_aligned(minute, step, tz)
                    and (not problem["not_before"] or minute >= problem["not_before"])
                    and (not problem["not_after"] or minute <= problem["not_after"])
                    and not (problem["daily_limit"] and problem["day_counts"].get(
                        minute.astimezone(tz).date(), 0) >= problem["daily_limit"])
                    and not busy_index.overlaps(minute - problem["buffer_before"], end + problem["buffer_after"])
                )
                if expected:
                    assert (minute, end) in slots, f"free slot {minute.astimezone(tz)} missing"
                minute += five

    @PROPERTY_SETTINGS
    @given(slot_problems())
    def test_slots_respect_every_rule(self, problem):
        self.assert_rules(problem, slot_lib.compute_slots(**problem))

    @PROPERTY_SETTINGS
    @given(slot_problems())
    def test_no_free_slot_is_missed(self, problem):
        self.assert_complete(problem, slot_lib.compute_slots(**problem))

    @PROPERTY_SETTINGS
    @given(slot_problems())
    def test_busy_time_in_seconds_gives_the_same_slots(self, problem):
        # the models pass busy time as whole seconds since the epoch (straight from PostgreSQL)
        in_seconds = [(slot_lib.to_seconds(start), slot_lib.to_seconds(end, ceil=True))
                      for start, end in problem["busy"]]
        assert slot_lib.compute_slots(**{**problem, "busy": in_seconds}) == slot_lib.compute_slots(**problem)

    @settings(max_examples=100, deadline=None, derandomize=True, database=None)
    @given(dst_problems())
    def test_rules_hold_across_dst_changes(self, problem):
        slots = slot_lib.compute_slots(**problem)
        self.assert_rules(problem, slots)
        self.assert_complete(problem, slots)

    @settings(max_examples=150, deadline=None, derandomize=True, database=None)
    @given(intervals_strategy(max_size=6, max_length=180), intervals_strategy(max_size=6, max_length=180))
    def test_merge_and_subtract_match_minute_sets(self, base, removed):
        base = [(start, min(end, start + timedelta(hours=3))) for start, end in base]
        merged = slot_lib.merge_intervals(base)
        assert minute_set(merged) == minute_set(base)
        for (_s1, e1), (s2, _e2) in zip(merged, merged[1:]):
            assert e1 < s2, "merged intervals are disjoint, sorted and not touching"
        difference = slot_lib.subtract_intervals(base, removed)
        assert minute_set(difference) == minute_set(base) - minute_set(removed)
        assert difference == slot_lib.merge_intervals(difference)

    @settings(max_examples=100, deadline=None, derandomize=True, database=None)
    @given(intervals_strategy(max_size=10, max_length=240), st.integers(0, HORIZON_MINUTES), st.integers(1, 240))
    def test_busy_index_matches_linear_scan(self, busy, start_minute, length):
        start, end = at(start_minute), at(start_minute + length)
        expected = any(b_start < end and start < b_end for b_start, b_end in busy if b_start < b_end)
        assert slot_lib.BusyIndex(busy).overlaps(start, end) == expected


class TestSlotExamples:
    """Concrete days a consultant recognises."""

    def berlin(self, *args):
        return datetime(*args, tzinfo=BERLIN).astimezone(UTC)

    def day(self, *args):
        """Working time 10:00-13:00 and 14:00-19:00 on one Berlin day."""
        return [(self.berlin(*args, 10), self.berlin(*args, 13)), (self.berlin(*args, 14), self.berlin(*args, 19))]

    def starts(self, slots):
        return [start.astimezone(BERLIN).strftime("%H:%M") for start, _end in slots]

    def test_hourly_slots_skip_lunch(self):
        slots = slot_lib.compute_slots(self.day(2027, 3, 1), [], duration=timedelta(hours=1),
                                       step=timedelta(minutes=30), tz=BERLIN)
        assert self.starts(slots) == [
            "10:00", "10:30", "11:00", "11:30", "12:00",
            "14:00", "14:30", "15:00", "15:30", "16:00", "16:30", "17:00", "17:30", "18:00"]

    def test_buffers_around_busy_time(self):
        # a meeting 11:00-12:00; 15 minutes buffer before and after every new slot
        busy = [(self.berlin(2027, 3, 1, 11), self.berlin(2027, 3, 1, 12))]
        slots = slot_lib.compute_slots(self.day(2027, 3, 1)[:1], busy, duration=timedelta(minutes=30),
                                       step=timedelta(minutes=15), tz=BERLIN,
                                       buffer_before=timedelta(minutes=15), buffer_after=timedelta(minutes=15))
        # 10:15-10:45 ends its buffer at 11:00 exactly: free (half-open intervals)
        assert self.starts(slots) == ["10:00", "10:15", "12:15", "12:30"]

    def test_a_fraction_of_a_second_never_frees_a_slot(self):
        half = timedelta(milliseconds=500)
        work = self.day(2027, 3, 1)[:1]  # 10:00-13:00
        slots = slot_lib.compute_slots(
            work, [(self.berlin(2027, 3, 1, 10, 59, 59) + half, self.berlin(2027, 3, 1, 11, 59, 59) + half)],
            duration=timedelta(hours=1), step=timedelta(hours=1), tz=BERLIN)
        # busy from 10:59:59.5 to 11:59:59.5 touches the 10:00 and the 11:00 hour, not the 12:00 one
        assert self.starts(slots) == ["12:00"]
        slots = slot_lib.compute_slots(
            work, [(self.berlin(2027, 3, 1, 10, 0), self.berlin(2027, 3, 1, 10, 59, 59) + half)],
            duration=timedelta(hours=1), step=timedelta(hours=1), tz=BERLIN)
        assert self.starts(slots) == ["11:00", "12:00"]

    def test_minimum_notice_rounds_up_to_the_grid(self):
        slots = slot_lib.compute_slots(self.day(2027, 3, 1), [], duration=timedelta(minutes=30),
                                       step=timedelta(minutes=15), tz=BERLIN,
                                       not_before=self.berlin(2027, 3, 1, 11, 7))
        assert self.starts(slots)[:2] == ["11:15", "11:30"]

    def test_maximum_advance_is_the_last_start(self):
        slots = slot_lib.compute_slots(self.day(2027, 3, 1), [], duration=timedelta(minutes=60),
                                       step=timedelta(minutes=60), tz=BERLIN,
                                       not_after=self.berlin(2027, 3, 1, 15))
        assert self.starts(slots) == ["10:00", "11:00", "12:00", "14:00", "15:00"]

    def test_daily_limit_closes_the_local_day(self):
        work = self.day(2027, 3, 1) + self.day(2027, 3, 2)
        slots = slot_lib.compute_slots(work, [], duration=timedelta(minutes=60), step=timedelta(minutes=60),
                                       tz=BERLIN, daily_limit=2, day_counts={date(2027, 3, 1): 2})
        assert {start.astimezone(BERLIN).date() for start, _end in slots} == {date(2027, 3, 2)}

    def test_grid_follows_the_wall_clock_across_dst(self):
        # Sunday 28 March 2027: Berlin jumps from 02:00 CET to 03:00 CEST
        work = [(self.berlin(2027, 3, 28, 0), self.berlin(2027, 3, 28, 6))]
        slots = slot_lib.compute_slots(work, [], duration=timedelta(hours=1), step=timedelta(hours=1), tz=BERLIN)
        assert self.starts(slots) == ["00:00", "01:00", "03:00", "04:00", "05:00"]
        assert all(end - start == timedelta(hours=1) for start, end in slots)

    def test_uneven_grid_across_dst(self):
        """A 45-minute grid stays on the wall clock (00:00, 00:45, ...) after the clocks change."""
        spring = [(self.berlin(2027, 3, 28, 0), self.berlin(2027, 3, 28, 6))]
        three_quarters = timedelta(minutes=45)
        slots = slot_lib.compute_slots(spring, [], duration=three_quarters, step=three_quarters, tz=BERLIN)
        assert self.starts(slots) == ["00:00", "00:45", "01:30", "03:00", "03:45", "04:30", "05:15"]
        autumn = [(self.berlin(2027, 10, 31, 0), self.berlin(2027, 10, 31, 6))]
        slots = slot_lib.compute_slots(autumn, [], duration=three_quarters, step=three_quarters, tz=BERLIN)
        # the repeated hour 02:00-03:00 happens twice: 02:15 CEST and 02:15 CET are both real, distinct times
        assert [slot_lib.to_local_iso(start, BERLIN)[11:] for start, _end in slots] == [
            "00:00:00+02:00", "00:45:00+02:00", "01:30:00+02:00", "02:15:00+02:00",
            "02:15:00+01:00", "03:00:00+01:00", "03:45:00+01:00", "04:30:00+01:00", "05:15:00+01:00"]

    def test_rejects_empty_duration_or_step(self):
        with pytest.raises(ValueError):
            slot_lib.compute_slots([], [], duration=timedelta(0), step=timedelta(minutes=30))
        with pytest.raises(ValueError):
            slot_lib.compute_slots([], [], duration=timedelta(minutes=30), step=timedelta(0))

    def test_alternatives_prefer_the_next_slots(self):
        slots = [(self.berlin(2027, 3, 1, hour), self.berlin(2027, 3, 1, hour + 1)) for hour in (10, 11, 12, 14, 15)]
        requested = self.berlin(2027, 3, 1, 11)
        assert slot_lib.alternatives(slots, requested) == slots[2:5]
        # near the end of the day: the later slot, then the closest earlier ones
        assert slot_lib.alternatives(slots, self.berlin(2027, 3, 1, 14)) == [slots[1], slots[2], slots[4]]
        assert slot_lib.alternatives(slots, self.berlin(2027, 3, 1, 15)) == slots[1:4]
        assert slot_lib.alternatives([], requested) == []

    def test_timezone_names(self):
        for name in ("Europe/Berlin", "Asia/Kolkata", "Pacific/Auckland", "UTC"):
            assert slot_lib.is_valid_timezone(name), name
        for name in ("Mars/Olympus", "", None, "../etc/passwd", 42):
            assert not slot_lib.is_valid_timezone(name), name

    def test_local_day_bounds_on_a_23_hour_day(self):
        start, end = slot_lib.local_day_bounds(date(2027, 3, 28), date(2027, 3, 28), BERLIN)
        assert (start, end) == (datetime(2027, 3, 27, 23, tzinfo=UTC), datetime(2027, 3, 28, 22, tzinfo=UTC))

    def test_iso_formats(self):
        value = datetime(2027, 3, 1, 9, 0, 0, 500, tzinfo=UTC)
        assert slot_lib.to_utc_iso(value) == "2027-03-01T09:00:00Z"
        assert slot_lib.to_utc_iso(value.replace(tzinfo=None)) == "2027-03-01T09:00:00Z"
        assert slot_lib.to_utc_iso(value.replace(microsecond=0)) == "2027-03-01T09:00:00Z"
        assert slot_lib.to_utc_iso(value.astimezone(BERLIN)) == "2027-03-01T09:00:00Z"
        assert slot_lib.to_local_iso(value, ZoneInfo("Asia/Kolkata")) == "2027-03-01T14:30:00+05:30"
        assert slot_lib.to_local_iso(value, ZoneInfo("Pacific/Auckland")) == "2027-03-01T22:00:00+13:00"
