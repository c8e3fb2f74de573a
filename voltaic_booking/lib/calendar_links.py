"""Links that add a booking to Google Calendar or Outlook.

Plain functions over plain values (no Odoo import): the confirmation page
and the e-mails build the same links from a booking's times and texts.
"""

from datetime import timezone
from urllib.parse import urlencode

UTC = timezone.utc

GOOGLE_URL = "https://calendar.google.com/calendar/render"
OUTLOOK_URL = "https://outlook.live.com/calendar/0/deeplink/compose"


def _utc(value):
    """An aware UTC datetime from an aware or naive-UTC one."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def google_calendar_url(start, end, title, details="", location=""):
    """Link that opens Google Calendar's "new event" form, prefilled."""
    dates = f"{_utc(start):%Y%m%dT%H%M%SZ}/{_utc(end):%Y%m%dT%H%M%SZ}"
    query = {"action": "TEMPLATE", "text": title, "dates": dates}
    if details:
        query["details"] = details
    if location:
        query["location"] = location
    return f"{GOOGLE_URL}?{urlencode(query)}"


def outlook_calendar_url(start, end, title, details="", location=""):
    """Link that opens Outlook on the web's "new event" form, prefilled."""
    query = {
        "path": "/calendar/action/compose",
        "rru": "addevent",
        "subject": title,
        "startdt": _utc(start).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "enddt": _utc(end).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    if details:
        query["body"] = details
    if location:
        query["location"] = location
    return f"{OUTLOOK_URL}?{urlencode(query)}"
