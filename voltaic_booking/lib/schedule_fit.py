"""Do booked meetings still fit a consultant's schedule? Plain intervals, no Odoo import.

Meetings are ``(key, start, end)`` with aware datetimes, intervals half-open as in ``slots``.
"""

from bisect import bisect_right

from .slots import merge_intervals


def outside_work(meetings, work):
    """Keys of the ``meetings`` not wholly inside the working time ``work`` (``(start, end)`` intervals)."""
    merged = merge_intervals(work)
    starts = [start for start, _end in merged]
    outside = set()
    for key, start, end in meetings:
        index = bisect_right(starts, start) - 1
        if index < 0 or merged[index][1] < end:
            outside.add(key)
    return outside


def too_close(meetings, buffer_before, buffer_after):
    """Keys of the ``meetings`` whose time with the buffers meets another one's time with the buffers.

    The same rule as the slots: a meeting plus its buffers must not touch another meeting plus its buffers.
    """
    blocked = sorted((start - buffer_before, end + buffer_after, key) for key, start, end in meetings)
    close = set()
    for index, (_start, end, key) in enumerate(blocked):
        for other_start, _other_end, other_key in blocked[index + 1:]:
            if other_start >= end:
                break
            close.update((key, other_key))
    return close
