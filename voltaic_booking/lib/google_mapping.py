"""Google Calendar mapping: bookings to events, free/busy to intervals, events back to changes.

Plain functions over plain values (dicts as Google sends and expects them,
aware datetimes, ``(start, end)`` tuples). No Odoo import and no network:
the models gather the data, call these functions, and talk to Google.
"""

import base64
import datetime as dt
import hashlib
import hmac
import json
import re
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

from .slots import to_utc_iso

UTC = dt.timezone.utc

#: private extended property that marks the events Voltaic wrote
PRIVATE_PROPERTY = "voltaicBooking"
#: our event ids start with this (valid base32hex: letters a-v and digits)
EVENT_ID_PREFIX = "vlt"
EVENT_ID_RE = re.compile(r"^[a-v0-9]{5,1024}$")

#: a free/busy query takes at most 50 calendars ...
FREEBUSY_MAX_CALENDARS = 50
#: ... and a range shorter than 90 days ("The requested time range is too long")
FREEBUSY_MAX_DAYS = 89

#: answers worth retrying later: rate limits and server errors
RETRYABLE_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
#: Google Calendar also reports rate limits as 403 with one of these reasons
RATE_LIMIT_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded", "quotaExceeded"})

BACKOFF_BASE_SECONDS = 60
BACKOFF_CAP_SECONDS = 6 * 3600
MAX_ATTEMPTS = 8

AUTHORIZE_URI = "https://accounts.google.com/o/oauth2/v2/auth"
TOKEN_URI = "https://oauth2.googleapis.com/token"  # noqa: S105 - an address, not a secret
CALENDAR_SCOPE = "https://www.googleapis.com/auth/calendar"


# ----------------------------------------------------------------------
# Identity
# ----------------------------------------------------------------------

def event_id_for(reference, namespace=""):
    """The Google event id of a booking: stable, chosen by us, valid for Google.

    Google accepts ids of 5 to 1024 characters from the base32hex alphabet
    (``a``-``v``, ``0``-``9``). Deriving the id from the booking reference
    (and the database, so that two databases writing to one calendar never
    collide) makes an insert idempotent: a retried insert answers 409.
    """
    digest = hashlib.sha256(f"{namespace}:{reference}".encode()).digest()
    return EVENT_ID_PREFIX + base64.b32hexencode(digest).decode().rstrip("=").lower()


def is_valid_event_id(value):
    return bool(value and EVENT_ID_RE.match(value))


def split_calendar_ids(text):
    """Calendar ids from free text (commas, spaces or new lines), without duplicates, in order."""
    seen = []
    for item in re.split(r"[\s,;]+", text or ""):
        if item and item not in seen:
            seen.append(item)
    return seen


# ----------------------------------------------------------------------
# Times
# ----------------------------------------------------------------------

def rfc3339(value):
    """``2026-03-02T09:00:00Z`` for an aware or naive-UTC datetime."""
    return to_utc_iso(value)


def parse_rfc3339(value):
    """Aware UTC datetime from Google's RFC 3339 strings (``Z`` or an offset, optional fraction)."""
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _event_time(value, zone):
    if not value:
        return None
    if value.get("dateTime"):
        return parse_rfc3339(value["dateTime"])
    if value.get("date"):
        day = date.fromisoformat(value["date"])
        return datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC)
    return None


def event_times(event, zone=UTC):
    """``(start, end)`` of a Google event as aware UTC datetimes, or ``None``.

    All-day events (``date`` instead of ``dateTime``) start at midnight in ``zone``.
    """
    start = _event_time(event.get("start"), zone)
    end = _event_time(event.get("end"), zone)
    if start is None or end is None:
        return None
    return start, end


# ----------------------------------------------------------------------
# Bookings out
# ----------------------------------------------------------------------

def event_body(*, event_id, reference, start, stop, timezone, summary, description,
               location=None, attendees=(), meet=False, source_url=None):
    """The Google event of a booking (``events.insert`` body).

    :param attendees: ``(email, name)`` pairs invited to the event.
    :param meet: ask Google for a Meet conference (send with ``conferenceDataVersion=1``).
    """
    body = {
        "id": event_id,
        "summary": summary,
        "description": description,
        "start": {"dateTime": rfc3339(start), "timeZone": timezone or "UTC"},
        "end": {"dateTime": rfc3339(stop), "timeZone": timezone or "UTC"},
        "status": "confirmed",
        "transparency": "opaque",
        "guestsCanModify": False,
        "reminders": {"useDefault": True},
        "extendedProperties": {"private": {PRIVATE_PROPERTY: reference}},
    }
    if location:
        body["location"] = location
    if attendees:
        body["attendees"] = [
            {"email": email, "displayName": name} if name else {"email": email}
            for email, name in attendees
        ]
    if meet:
        body["conferenceData"] = {
            "createRequest": {
                "requestId": f"{event_id}-meet",
                "conferenceSolutionKey": {"type": "hangoutsMeet"},
            },
        }
    if source_url:
        body["source"] = {"title": reference, "url": source_url}
    return body


def patch_body(body, keep_conference=False):
    """The body of an ``events.patch`` that brings an existing event to ``body``.

    The id cannot change; a conference is requested only while the event has none.
    """
    patch = {key: value for key, value in body.items() if key != "id"}
    if not keep_conference:
        patch.pop("conferenceData", None)
    return patch


def meet_link(event):
    """The Google Meet address of an event answer, or ``None``."""
    if event.get("hangoutLink"):
        return event["hangoutLink"]
    for entry in (event.get("conferenceData") or {}).get("entryPoints") or []:
        if entry.get("entryPointType") == "video" and entry.get("uri"):
            return entry["uri"]
    return None


# ----------------------------------------------------------------------
# Busy times in
# ----------------------------------------------------------------------

def freebusy_windows(start, end, max_days=FREEBUSY_MAX_DAYS):
    """Split ``[start, end)`` into windows Google accepts in one free/busy query."""
    windows = []
    cursor = start
    step = timedelta(days=max_days)
    while cursor < end:
        windows.append((cursor, min(cursor + step, end)))
        cursor += step
    return windows


def chunked(items, size=FREEBUSY_MAX_CALENDARS):
    items = list(items)
    return [items[index:index + size] for index in range(0, len(items), size)]


def freebusy_request(calendar_ids, start, end):
    """The body of ``freebusy.query`` for several calendars at once."""
    return {
        "timeMin": rfc3339(start),
        "timeMax": rfc3339(end),
        "timeZone": "UTC",
        "items": [{"id": calendar_id} for calendar_id in calendar_ids],
    }


def busy_from_freebusy(response):
    """Busy intervals per calendar from a ``freebusy.query`` answer.

    :return: ``(busy, errors)``: ``{calendar_id: [(start, end), ...]}`` with
        aware UTC datetimes for the calendars Google answered, and
        ``{calendar_id: [reason, ...]}`` for those it could not (``notFound``,
        ``internalError``...). A calendar with errors has no entry in ``busy``:
        its stored intervals must be kept, not wiped.
    """
    busy, errors = {}, {}
    for calendar_id, answer in (response.get("calendars") or {}).items():
        if answer.get("errors"):
            errors[calendar_id] = [error.get("reason") or "unknown" for error in answer["errors"]]
            continue
        intervals = []
        for period in answer.get("busy") or []:
            start, end = parse_rfc3339(period["start"]), parse_rfc3339(period["end"])
            if start < end:
                intervals.append((start, end))
        busy[calendar_id] = sorted(intervals)
    return busy, errors


# ----------------------------------------------------------------------
# Changes back
# ----------------------------------------------------------------------

def booking_reference(event):
    """The booking reference an event carries in its private extended property, or ``None``."""
    return ((event.get("extendedProperties") or {}).get("private") or {}).get(PRIVATE_PROPERTY)


def detect_change(event, booking_start, booking_stop, zone=UTC):
    """What the consultant did to a booking's event in Google.

    :return: ``("deleted", None)``, ``("moved", (start, end))`` or ``(None, None)``
        when the event still matches the booking.
    """
    if event.get("status") == "cancelled":
        return "deleted", None
    times = event_times(event, zone)
    if times is None:
        return None, None
    if times != (booking_start, booking_stop):
        return "moved", times
    return None, None


# ----------------------------------------------------------------------
# Errors and retries
# ----------------------------------------------------------------------

def error_details(content):
    """``(reason, message)`` from a Google error body (JSON bytes or str); ``(None, text)`` otherwise."""
    if isinstance(content, bytes):
        content = content.decode("utf-8", "replace")
    try:
        data = json.loads(content or "{}")
    except ValueError:
        return None, (content or "")[:500]
    error = data.get("error") if isinstance(data, dict) else None
    if isinstance(error, str):  # OAuth token endpoint: {"error": "invalid_grant", ...}
        return error, data.get("error_description") or error
    if not isinstance(error, dict):
        return None, (content or "")[:500]
    reasons = [item.get("reason") for item in error.get("errors") or [] if item.get("reason")]
    return (reasons[0] if reasons else error.get("status")), error.get("message") or ""


def is_retryable(status, reason=None):
    """True when a failed call may succeed later (rate limits, server errors)."""
    if status in RETRYABLE_STATUSES:
        return True
    return status == 403 and reason in RATE_LIMIT_REASONS


def backoff_delay(attempt, base=BACKOFF_BASE_SECONDS, cap=BACKOFF_CAP_SECONDS):
    """Wait before retry number ``attempt`` (1, 2, ...): ``base`` doubled each time, at most ``cap``."""
    attempt = max(1, attempt)
    return timedelta(seconds=min(cap, base * 2 ** (attempt - 1)))


# ----------------------------------------------------------------------
# Next to Odoo's own Google Calendar sync
# ----------------------------------------------------------------------

def booking_event_writer(voltaic_sync, odoo_sync_installed, odoo_user_synced):
    """Who writes a booking's event into Google, so that it never appears twice.

    :param voltaic_sync: the consultant is connected to Voltaic's sync.
    :param odoo_sync_installed: Odoo's ``google_calendar`` module is installed.
    :param odoo_user_synced: the consultant's user syncs with it.
    :return: ``"voltaic"`` (we push the event; the booking's ``calendar.event``
        is claimed so that Odoo's sync treats it as already in Google),
        ``"odoo"`` (Odoo's sync pushes the booking's ``calendar.event``), or
        ``None`` (the booking stays out of Google).
    """
    if voltaic_sync:
        return "voltaic"
    if odoo_sync_installed and odoo_user_synced:
        return "odoo"
    return None


# ----------------------------------------------------------------------
# OAuth authorization-code flow
# ----------------------------------------------------------------------

def authorization_url(client_id, redirect_uri, state, login_hint=None):
    params = {
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "response_type": "code",
        "scope": CALENDAR_SCOPE,
        "access_type": "offline",
        "prompt": "consent",
        "include_granted_scopes": "true",
        "state": state,
    }
    if login_hint:
        params["login_hint"] = login_hint
    return f"{AUTHORIZE_URI}?{urlencode(params)}"


def _b64(data):
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def encode_state(payload, key):
    """``payload`` (a JSON-able dict) signed with ``key`` (HMAC-SHA256), URL-safe."""
    body = _b64(json.dumps(payload, sort_keys=True, separators=(",", ":")).encode())
    signature = _b64(hmac.new(key.encode(), body.encode(), hashlib.sha256).digest())
    return f"{body}.{signature}"


def decode_state(state, key, now):
    """The payload of a state made by :func:`encode_state`, or ``None`` when forged or expired.

    The payload's ``exp`` (a UNIX timestamp) must lie after ``now`` (a UNIX timestamp).
    """
    try:
        body, signature = (state or "").split(".")
        expected = _b64(hmac.new(key.encode(), body.encode(), hashlib.sha256).digest())
        if not hmac.compare_digest(signature, expected):
            return None
        payload = json.loads(_unb64(body))
    except (ValueError, TypeError):
        return None
    if not isinstance(payload, dict) or float(payload.get("exp") or 0) < now:
        return None
    return payload
