"""Slot computation over plain intervals.

Everything here works on timezone-aware ``datetime`` values and plain
``(start, end)`` tuples, half-open (``[start, end)``). No Odoo import: the
models gather working hours, leaves and busy times and call these functions.
"""

import math
from bisect import bisect_left
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

UTC = timezone.utc
SECOND = timedelta(seconds=1)


def merge_intervals(intervals):
    """Sort and merge overlapping or touching intervals; drop empty ones."""
    merged = []
    for start, end in sorted(i for i in intervals if i[0] < i[1]):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def subtract_intervals(base, removed):
    """Return ``base`` minus ``removed`` (both lists of intervals), merged."""
    removed = merge_intervals(removed)
    result = []
    for start, end in merge_intervals(base):
        index = bisect_left(removed, (start,))
        if index:
            index -= 1
        cursor = start
        for r_start, r_end in removed[index:]:
            if r_start >= end:
                break
            if r_end <= cursor:
                continue
            if r_start > cursor:
                result.append((cursor, r_start))
            cursor = max(cursor, r_end)
        if cursor < end:
            result.append((cursor, end))
    return result


# the largest DST shift of any zone, with room to spare
DST_MARGIN = timedelta(hours=2)


class BusyIndex:
    """Answers "does [start, end) overlap anything busy?" in O(log n)."""

    def __init__(self, busy):
        self.intervals = merge_intervals(busy)
        self.starts = [start for start, _end in self.intervals]

    def overlaps(self, start, end):
        index = bisect_left(self.starts, end)
        # the last busy interval starting before ``end`` is the only candidate,
        # since merged intervals are disjoint and sorted
        return index > 0 and self.intervals[index - 1][1] > start


def _first_aligned(start, step, tz):
    """First instant >= ``start`` whose wall-clock time in ``tz`` is a multiple of ``step`` after midnight.

    Near a DST change it walks the wall-clock grid: grid times that do not
    exist (spring forward) are skipped, repeated ones (fall back) count twice.
    """
    local = start.astimezone(tz)
    wall = local.replace(tzinfo=None)
    midnight = wall.replace(hour=0, minute=0, second=0, microsecond=0)
    remainder = (wall - midnight) % step
    candidate = start + (step - remainder) if remainder else start
    if candidate.astimezone(tz).utcoffset() == local.utcoffset():
        return candidate
    # the clocks change before the next grid time; a repeated hour may hold
    # grid times whose wall clock is before ``start``'s but that come later
    grid = midnight + (wall - DST_MARGIN - midnight) // step * step
    found = []
    while True:
        for fold in (0, 1):
            instant = grid.replace(tzinfo=tz, fold=fold).astimezone(UTC)
            if instant >= start and instant.astimezone(tz).replace(tzinfo=None) == grid:
                found.append(instant)
                if not fold:
                    # later grid times come later than this one (first occurrences are in order)
                    return min(found)
        grid += step


def _grid_starts(first, last, step, tz):
    """Starts on the wall-clock grid of ``tz`` (see ``_first_aligned``) from ``first`` to ``last`` inclusive."""
    start = _first_aligned(first, step, tz)
    offset = start.astimezone(tz).utcoffset()
    while start <= last:
        yield start
        following = start + step
        following_offset = following.astimezone(tz).utcoffset()
        if following_offset != offset:
            # a DST change within the step: continue on the wall-clock grid
            following = _first_aligned(start + timedelta(microseconds=1), step, tz)
            following_offset = following.astimezone(tz).utcoffset()
        start, offset = following, following_offset


def to_seconds(value, ceil=False):
    """Whole seconds since the epoch of an aware datetime (an ``int`` is taken as it is); a fraction of a
    second is dropped, or with ``ceil`` counted as a whole one."""
    if isinstance(value, int):
        return value
    seconds = value.timestamp()
    return math.ceil(seconds) if ceil else math.floor(seconds)


def from_seconds(seconds):
    """The aware UTC datetime of whole seconds since the epoch."""
    return datetime.fromtimestamp(seconds, UTC)


def _offset(seconds, tz):
    """The UTC offset of ``tz`` at an instant (seconds since the epoch), in seconds."""
    return int(datetime.fromtimestamp(seconds, tz).utcoffset().total_seconds())


DAY_SECONDS = 86400
# no zone changes its offset twice within this time (transitions are weeks apart at least)
SAME_OFFSET_SECONDS = 2 * DAY_SECONDS


def compute_slots(
    work,
    busy,
    *,
    duration,
    step,
    tz=UTC,
    buffer_before=timedelta(0),
    buffer_after=timedelta(0),
    not_before=None,
    not_after=None,
    daily_limit=0,
    day_counts=None,
):
    """Cut bookable slots out of working time.

    :param work: ``(start, end)`` intervals in which a meeting may take place
        (working hours minus leaves), aware datetimes (or whole seconds since the epoch).
    :param busy: ``(start, end)`` intervals that a slot *with its buffers* must
        not touch (other bookings with their buffers, busy calendar events), aware
        datetimes or whole seconds since the epoch (as ``to_seconds`` gives them).
    :param duration: meeting length (timedelta of whole seconds).
    :param step: distance between two candidate starts (timedelta of whole seconds); starts are
        aligned on the wall clock of ``tz`` (10:00, 10:30, ... for 30 minutes).
    :param tz: the consultant's zone (``ZoneInfo``); days for the daily limit
        and the alignment of starts are taken in it.
    :param not_before: earliest allowed start (minimum notice).
    :param not_after: latest allowed start (maximum advance).
    :param daily_limit: maximum bookings per local day, 0 for none.
    :param day_counts: ``{date: number of active bookings}`` in ``tz``.
    :return: sorted list of ``(start, end)`` in UTC, without duplicates.
    """
    if duration <= timedelta(0) or step <= timedelta(0):
        raise ValueError("duration and step must be positive")
    # the hot loops count whole seconds since the epoch: integer arithmetic instead of datetimes;
    # fractions of a second make busy time longer and working time shorter, never the other way
    length, stride = duration // SECOND, step // SECOND
    before, after = buffer_before // SECOND, buffer_after // SECOND
    # (``to_seconds``'s own check, inlined: busy time comes in thousands, as integers already from the models)
    busy_index = BusyIndex([
        (start if start.__class__ is int else to_seconds(start), end if end.__class__ is int else to_seconds(end, True))
        for start, end in busy
    ])
    busy_starts, busy_intervals = busy_index.starts, busy_index.intervals
    lowest = to_seconds(not_before, ceil=True) if not_before else None
    highest = to_seconds(not_after) if not_after else None
    day_counts = day_counts or {}
    starts = []
    work = merge_intervals([(to_seconds(start, ceil=True), to_seconds(end)) for start, end in work])
    for work_start, work_end in work:
        first = work_start if lowest is None else max(work_start, lowest)
        last = work_end - length if highest is None else min(work_end - length, highest)
        if first > last:
            continue
        offset = _offset(first, tz)
        if last - first > SAME_OFFSET_SECONDS or _offset(last, tz) != offset:
            # the clocks change in this stretch: the wall-clock grid of ``_grid_starts`` (rare)
            for start in _grid_starts(from_seconds(first), from_seconds(last), step, tz):
                start = to_seconds(start)
                if daily_limit and day_counts.get(datetime.fromtimestamp(start, tz).date(), 0) >= daily_limit:
                    continue
                if not busy_index.overlaps(start - before, start + length + after):
                    starts.append(start)
            continue
        # the hot loop (every working stretch of every member): plain steps from the first start on the local
        # grid (seconds since local midnight a multiple of the step), and over a busy stretch in one jump
        remainder = (first + offset) % DAY_SECONDS % stride
        start = first + stride - remainder if remainder else first
        while start <= last:
            if daily_limit and day_counts.get(datetime.fromtimestamp(start, tz).date(), 0) >= daily_limit:
                start += stride
                continue
            # ``busy_index.overlaps``, inlined (the index tells how far to jump): the last busy interval
            # starting before the slot's end (with its buffer) is the only candidate
            index = bisect_left(busy_starts, start + length + after)
            if index and busy_intervals[index - 1][1] > start - before:
                # busy: the next start that may be free is the first on the grid once this busy time is over
                start -= (start - busy_intervals[index - 1][1] - before) // stride * stride
                continue
            starts.append(start)
            start += stride
    return [(from_seconds(start), from_seconds(start + length)) for start in sorted(set(starts))]


def alternatives(slots, requested_start, count=3):
    """The ``count`` slots nearest after ``requested_start`` (or before, if none after)."""
    after = [slot for slot in slots if slot[0] > requested_start]
    if len(after) >= count:
        return after[:count]
    before = [slot for slot in slots if slot[0] < requested_start]
    return (before[-(count - len(after)):] if count > len(after) and before else []) + after


def is_valid_timezone(name):
    """True when ``name`` is a known IANA zone."""
    if not name or not isinstance(name, str):
        return False
    try:
        ZoneInfo(name)
    except (ValueError, KeyError, OSError):
        return False
    return True


def local_day_bounds(first_day, last_day, tz):
    """UTC bounds of the local days ``first_day`` .. ``last_day`` (inclusive) in ``tz``."""
    start = datetime.combine(first_day, datetime.min.time(), tzinfo=tz)
    end = datetime.combine(last_day + timedelta(days=1), datetime.min.time(), tzinfo=tz)
    return start.astimezone(UTC), end.astimezone(UTC)


def to_utc_iso(value):
    """``2026-03-29T08:00:00Z`` for an aware or naive-UTC datetime."""
    if value.tzinfo is UTC and not value.microsecond:
        return value.isoformat()[:-6] + "Z"  # what slots are: the answer's hot path (``+00:00`` -> ``Z``)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def to_local_iso(value, tz):
    """ISO-8601 with the offset of ``tz`` for an aware or naive-UTC datetime."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(tz).replace(microsecond=0).isoformat()
