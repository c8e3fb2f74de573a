"""Dates and times as a person of a given language reads them (babel's locale data, no Odoo import).

One convention per language, everywhere the addon formats a time itself (back office texts, chatter
messages, wizard labels): English ``Thu, Mar 5, 2026, 2:30 PM``, German ``Do., 5. März 2026, 14:30`` —
the day, month and year in the language's order, the 12- or 24-hour clock the language uses (the same as
Odoo's own ``res.lang`` time formats: en_US 12-hour, de_DE 24-hour). Times are aware datetimes or naive
UTC ones (as Odoo stores them); zones are IANA names.
"""

from datetime import timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, UnknownLocaleError
from babel.dates import format_skeleton, format_time

UTC = timezone.utc


def _zone(tz_name):
    try:
        return ZoneInfo(tz_name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def _locale(lang_code):
    try:
        return Locale.parse(lang_code or "en_US")
    except (ValueError, TypeError, UnknownLocaleError):
        return Locale.parse("en_US")


def _local(moment, tz_name):
    aware = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
    return aware.astimezone(_zone(tz_name))


def day_text(day, lang_code, *, year=False):
    """``Thu, Mar 5`` / ``Do., 5. März`` (with ``year``: ``Thu, Mar 5, 2026`` / ``Do., 5. März 2026``)."""
    return format_skeleton("yMMMEd" if year else "MMMEd", day, locale=_locale(lang_code))


def time_text(moment, tz_name, lang_code):
    """``2:30 PM`` / ``14:30``: the clock of the language, in the zone given.

    Recent CLDR data puts a narrow no-break space before AM/PM; a plain space reads the same, whatever
    babel version formats it (and however a mail client renders U+202F).
    """
    text = format_time(_local(moment, tz_name), format="short", locale=_locale(lang_code))
    return text.replace("\u202f", " ").replace("\u00a0", " ")


def datetime_text(moment, tz_name, lang_code, *, year=True):
    """``Thu, Mar 5, 2026, 2:30 PM`` / ``Do., 5. März 2026, 14:30`` in the zone given."""
    local = _local(moment, tz_name)
    return f"{day_text(local.date(), lang_code, year=year)}, {time_text(local, tz_name, lang_code)}"


def range_text(start, stop, tz_name, lang_code, *, with_zone=True):
    """``Thu, Mar 5, 2026, 2:30 PM – 3:30 PM (Europe/Berlin)``; the end's date only when it differs."""
    local_start, local_stop = _local(start, tz_name), _local(stop, tz_name)
    end = time_text(local_stop, tz_name, lang_code)
    if local_stop.date() != local_start.date():
        end = datetime_text(local_stop, tz_name, lang_code)
    text = f"{datetime_text(local_start, tz_name, lang_code)} – {end}"
    return f"{text} ({tz_name or 'UTC'})" if with_zone else text
