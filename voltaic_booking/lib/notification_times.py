"""When the e-mails of a booking are due, and how their times read.

Plain functions over plain values (no Odoo import). Times are naive UTC
datetimes (as Odoo stores them) or aware ones; offsets are ``timedelta``.
"""

from datetime import timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale
from babel.dates import format_date, format_time

UTC = timezone.utc


def _utc(value):
    """A naive UTC datetime from an aware or naive-UTC one."""
    if value is None:
        return None
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value


def reminder_bands(start, offsets):
    """The time band of each reminder of one family (the client's, or the consultant's).

    :param start: the meeting's start.
    :param offsets: ``{kind: timedelta before the start}``.
    :return: ``[(kind, band_start, band_end)]`` ordered by time: a reminder is
        due from ``start - offset`` until the next reminder of the family
        becomes due (or until the meeting starts), so catching up after a
        downtime sends only the latest reminder, never a burst of stale ones.
    """
    start = _utc(start)
    ordered = sorted(((kind, offset) for kind, offset in offsets.items() if offset.total_seconds() > 0),
                     key=lambda item: item[1], reverse=True)
    bands = []
    for index, (kind, offset) in enumerate(ordered):
        band_start = start - offset
        band_end = start - ordered[index + 1][1] if index + 1 < len(ordered) else start
        if band_end > band_start:
            bands.append((kind, band_start, band_end))
    return bands


def due_reminder(start, scheduled_at, now, offsets):
    """The reminder of one family due at ``now``, or ``None``.

    A reminder is due inside its band (see :func:`reminder_bands`), never
    once the meeting has started, and only if the meeting already had this
    time when the band opened: a booking made (or moved) inside a reminder's
    band gets no such reminder, its confirmation said it all.

    :param scheduled_at: when the booking got its current start (booked or rescheduled).
    """
    now, scheduled_at = _utc(now), _utc(scheduled_at)
    for kind, band_start, band_end in reminder_bands(start, offsets):
        if band_start <= now < band_end:
            if scheduled_at is not None and scheduled_at >= band_start:
                return None
            return kind
    return None


def next_reminder(start, now, offsets, sent_kinds=()):
    """The reminder a person asking for one "now" should get: the first of the
    family whose band has not closed yet and that was not sent, else the last one.

    :return: ``(kind, already_sent)`` or ``(None, False)`` once the meeting started.
    """
    now = _utc(now)
    bands = reminder_bands(start, offsets)
    if not bands or now >= _utc(start):
        return None, False
    for kind, _band_start, band_end in bands:
        if now < band_end and kind not in sent_kinds:
            return kind, False
    return bands[-1][0], True


def follow_up_due(anchor, now, delay, max_lateness):
    """Whether a follow-up anchored at ``anchor`` (completion, the missed meeting's end) is due.

    It is due ``delay`` after the anchor; after a downtime it still goes out,
    unless it is more than ``max_lateness`` late (then it would only confuse).
    """
    if anchor is None:
        return False
    due_at = _utc(anchor) + delay
    now = _utc(now)
    return due_at <= now <= due_at + max_lateness


def local_range_text(start, stop, tz_name, lang_code="en_US"):
    """``Tuesday, March 3, 2026, 10:00 AM – 11:00 AM`` in the zone and language given.

    German reads ``Dienstag, 3. März 2026, 10:00 – 11:00``: babel knows each
    locale's habits (24-hour clock in German).
    """
    try:
        zone = ZoneInfo(tz_name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone = UTC
    locale = _locale(lang_code)
    local_start = _aware(start).astimezone(zone)
    local_stop = _aware(stop).astimezone(zone)
    day = format_date(local_start.date(), format="full", locale=locale)
    begin = format_time(local_start, format="short", locale=locale)
    end = format_time(local_stop, format="short", locale=locale)
    if local_stop.date() != local_start.date():
        end = f"{format_date(local_stop.date(), format='medium', locale=locale)} {end}"
    return f"{day}, {begin} – {end}"


def local_datetime_text(moment, tz_name, lang_code="en_US"):
    """``Monday, March 2, 2026, 10:00 AM`` in the zone and language given."""
    try:
        zone = ZoneInfo(tz_name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone = UTC
    locale = _locale(lang_code)
    local = _aware(moment).astimezone(zone)
    day = format_date(local.date(), format="full", locale=locale)
    return f"{day}, {format_time(local, format='short', locale=locale)}"


def utc_offset_text(moment, tz_name):
    """``UTC+01:00`` for the zone at that moment."""
    try:
        zone = ZoneInfo(tz_name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        zone = UTC
    offset = _aware(moment).astimezone(zone).strftime("%z") or "+0000"
    return f"UTC{offset[:3]}:{offset[3:]}"


def _aware(value):
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _locale(lang_code):
    try:
        return Locale.parse(lang_code or "en_US")
    except (ValueError, TypeError):
        return Locale.parse("en_US")
