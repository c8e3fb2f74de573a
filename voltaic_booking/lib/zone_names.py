"""Time zones as a person reads them: "Central European Time — Berlin (UTC+1)".

Plain functions (no Odoo import), with babel for the names in the reader's
language. The page's script builds the same label with the browser's Intl
API (``booking_dates.js``, ``zoneLabel``).
"""

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import get_timezone_name

UTC = timezone.utc


def offset_text(zone, at):
    """``UTC+1``, ``UTC-4``, ``UTC+5:30``, ``UTC`` of ``zone`` at the aware or naive-UTC ``at``."""
    at = at.replace(tzinfo=UTC) if at.tzinfo is None else at
    offset = at.astimezone(ZoneInfo(zone)).utcoffset()
    minutes = int(offset.total_seconds() // 60)
    if not minutes:
        return "UTC"
    sign = "+" if minutes > 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def city(zone):
    """The zone's city as its id spells it ("New York" for America/New_York): the page's script can only do
    the same (browsers have no city names), and one zone reads the same on every page and in every e-mail."""
    return zone.rsplit("/", 1)[-1].replace("_", " ")


def zone_label(zone, at=None, locale="en_US"):
    """``Central European Time — Berlin (UTC+1)`` / ``Mitteleuropäische Zeit — Berlin (UTC+1)``."""
    at = at or datetime.now(UTC)
    locale = Locale.parse(locale) if isinstance(locale, str) else locale
    if zone in ("UTC", "Etc/UTC"):
        return "UTC"
    try:
        name = get_timezone_name(ZoneInfo(zone), width="long", zone_variant="generic", locale=locale)
    except (LookupError, ValueError):
        name = ""
    place = city(zone)
    offset = offset_text(zone, at)
    if name and place and place not in name:
        return f"{name} — {place} ({offset})"
    return f"{name or place} ({offset})"
