"""Microsoft Graph faked at its HTTP boundary, and a consultant whose user syncs with Outlook.

Odoo's Outlook sync (``microsoft_calendar``) sends every request through
``microsoft_account``'s ``microsoft.service._do_request``, which calls
``requests.request``. ``FakeGraph`` stands in for that one function: it checks
where each request goes, keeps it for the assertions and answers with Graph's
own JSON, shaped as Graph v1.0 answers (``calendarView/delta`` pages with their
``@odata.deltaLink``, events with ``iCalUId`` and ``@odata.etag``,
``@removed`` entries, the 201 of an insert, the token endpoint). Odoo's sync
and our code run for real; nothing reaches the network.

``OutlookCase`` (an ``HttpCase``, so that Odoo's after-commit calls to Graph
can be run by the test, and the API and the booking page answer over HTTP)
adds to ``VoltaicBookingCase`` a consultant, Olivia, whose user is connected
to Outlook. Its tests skip where ``microsoft_calendar`` is not installed.
"""

import hashlib
import json
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from http import HTTPStatus
from unittest.mock import patch
from urllib.parse import quote

import requests

from odoo.tests import HttpCase, tagged

from .common import VoltaicBookingCase

UTC = timezone.utc

GRAPH = "https://graph.microsoft.com/v1.0"
TOKEN_ENDPOINT = "https://login.microsoftonline.com/common/oauth2/v2.0/token"
EVENTS = "/v1.0/me/calendar/events"
DELTA = "/v1.0/me/calendarView/delta"
RATE_PARAM = "voltaic_booking.rate_limit_per_minute"


def graph_time(value):
    """Graph's ``dateTimeTimeZone``, in UTC as Graph answers without a ``Prefer: outlook.timezone`` header."""
    return {"dateTime": value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.0000000"), "timeZone": "UTC"}


def graph_instant(value):
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond:06d}0Z"


def event_ids(label):
    """An event's id in one mailbox and its iCalUId (the same in every calendar), as Exchange makes them."""
    digest = hashlib.sha256(label.encode()).hexdigest()
    event_id = ("AAMkAGVmMDEzMTM4LTZmYWUtNDdkNC1hMDZiLTU1OGY5OTZhYmY4OABGAAAAAAAiQ8W967B7TKBjgx9rVEURBwAiIsqMbYjsT5e-"
                f"T7KzowPTAAAAAAENAAAiIsqMbYjsT5e-T7KzowPTAA{digest[:8].upper()}AAA=")
    ical_uid = f"040000008200E00074C5B7101A82E00800000000{digest[8:24].upper()}00000000000000001000000{digest[24:56]}"
    return event_id, ical_uid


def graph_event(label, subject, start, end, *, organizer=None, is_organizer=True, show_as="busy",
                response="organizer", attendees=(), all_day=False, modified=None, body=""):
    """An event as Graph lists it (``calendarView/delta``) or answers it (insert).

    :param organizer: ``(name, address)``; ``attendees``: ``(name, address, response)`` tuples.
    :param modified: ``lastModifiedDateTime`` (aware datetime), now by default.
    """
    event_id, ical_uid = event_ids(label)
    modified = modified or datetime.now(UTC)
    change_key = "DwAAABYAAAAiIsqMbYjsT5e/T7KzowPTAAAY" + hashlib.sha256(
        f"{label}{modified}".encode()).hexdigest()[:8].upper()
    name, address = organizer or ("VBT Olivia Outlook", "olivia@vbt-voltaic.example")
    return {
        "@odata.type": "#microsoft.graph.event",
        "@odata.etag": f'W/"{change_key}"',
        "id": event_id,
        "createdDateTime": graph_instant(modified - timedelta(minutes=3)),
        "lastModifiedDateTime": graph_instant(modified),
        "changeKey": change_key,
        "categories": [],
        "transactionId": None,
        "originalStartTimeZone": "W. Europe Standard Time",
        "originalEndTimeZone": "W. Europe Standard Time",
        "iCalUId": ical_uid,
        "uid": ical_uid,
        "reminderMinutesBeforeStart": 15,
        "isReminderOn": True,
        "hasAttachments": False,
        "subject": subject,
        "bodyPreview": body,
        "importance": "normal",
        "sensitivity": "normal",
        "isAllDay": all_day,
        "isCancelled": False,
        "isOrganizer": is_organizer,
        "responseRequested": True,
        "seriesMasterId": None,
        "showAs": show_as,
        "type": "singleInstance",
        "webLink": f"https://outlook.office365.com/owa/?itemid={quote(event_id, safe='')}"
                   "&exvsurl=1&path=/calendar/item",
        "onlineMeetingUrl": None,
        "isOnlineMeeting": False,
        "onlineMeetingProvider": "unknown",
        "allowNewTimeProposals": True,
        "occurrenceId": None,
        "isDraft": False,
        "hideAttendees": False,
        "responseStatus": {"response": response, "time": "0001-01-01T00:00:00Z"},
        "body": {
            "contentType": "html",
            "content": "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\"></head>"
                       f"<body><div>{body}</div></body></html>",
        },
        "start": graph_time(start),
        "end": graph_time(end),
        "location": {"displayName": "", "locationType": "default", "uniqueIdType": "unknown",
                     "address": {}, "coordinates": {}},
        "locations": [],
        "recurrence": None,
        "attendees": [
            {"type": "required", "status": {"response": status, "time": "0001-01-01T00:00:00Z"},
             "emailAddress": {"name": attendee_name, "address": attendee_address}}
            for attendee_name, attendee_address, status in attendees
        ],
        "organizer": {"emailAddress": {"name": name, "address": address}},
        "onlineMeeting": None,
    }


def removed_event(label):
    """A deleted event in a delta page: its id and the reason, nothing else."""
    event_id, _ical_uid = event_ids(label)
    return {"@odata.type": "#microsoft.graph.event", "id": event_id, "@removed": {"reason": "deleted"}}


def delta_page(events, delta_token):
    """The last page of ``GET /me/calendarView/delta``: its events and the link of the next round."""
    return {
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#Collection(event)",
        "@odata.deltaLink": f"{GRAPH}/me/calendarView/delta?$deltatoken={delta_token}",
        "value": list(events),
    }


def created_event(label, body):
    """Graph's 201 answer to ``POST /me/calendar/events``: the event as Exchange stored it."""
    start = datetime.fromisoformat(body["start"]["dateTime"])
    end = datetime.fromisoformat(body["end"]["dateTime"])
    answer = graph_event(label, body["subject"], start, end, show_as=body.get("showAs", "busy"), attendees=[
        (attendee["emailAddress"]["name"], attendee["emailAddress"]["address"], "none")
        for attendee in body.get("attendees", [])
    ])
    answer.pop("@odata.type")
    answer["@odata.context"] = ("https://graph.microsoft.com/v1.0/$metadata#users('olivia%40vbt-voltaic.example')"
                                "/calendar/events/$entity")
    return answer


def token_answer(access_token):
    return {
        "token_type": "Bearer",
        "scope": "openid profile email https://graph.microsoft.com/Calendars.ReadWrite",
        "expires_in": 3599,
        "ext_expires_in": 3599,
        "access_token": access_token,
    }


class FakeGraph:
    """``requests.request`` for the Graph API and its token endpoint: answers in order, checks each request.

    :param exchanges: ``(method, url_part, status, answer)``; ``answer`` is a dict (sent as
        JSON), or a callable of the request's JSON body returning one, or None (no content).
    """

    def __init__(self, exchanges):
        self.expected = list(exchanges)
        self.requests = []  # (method, url, headers, params or body)
        self.unexpected = []

    def __call__(self, method, url, headers=None, params=None, data=None, timeout=None, **kwargs):
        method = method.upper()
        payload = params if data is None else data
        if isinstance(payload, str):
            payload = json.loads(payload)
        index = len(self.requests)
        self.requests.append((method, url, dict(headers or {}), payload))
        if not url.startswith((GRAPH, TOKEN_ENDPOINT)):
            self.unexpected.append(f"{method} {url}")
            raise AssertionError(f"A request outside Microsoft's endpoints: {method} {url}")
        if index >= len(self.expected):
            self.unexpected.append(f"{method} {url}")
            raise AssertionError(f"Unexpected request to Graph: {method} {url}")
        expected_method, expected_part, status, answer = self.expected[index]
        if method != expected_method or expected_part not in url:
            self.unexpected.append(f"{method} {url}")
            raise AssertionError(f"Request {index} to Graph: expected {expected_method} …{expected_part}…, "
                                 f"got {method} {url}")
        if callable(answer):
            answer = answer(payload)
        response = requests.Response()
        response.status_code = status
        response.reason = HTTPStatus(status).phrase
        response.url = url
        response.headers["Date"] = format_datetime(datetime.now(UTC), usegmt=True)
        response.headers["request-id"] = f"6d1a2f3e-{index:04d}-4c1b-9a7e-2f0b5c3d8e41"
        if answer is not None:
            response.headers["Content-Type"] = ("application/json; odata.metadata=minimal; odata.streaming=true; "
                                                "IEEE754Compatible=false; charset=utf-8")
        response._content = json.dumps(answer).encode() if answer is not None else b""
        return response

    def calls(self, method, url_part=""):
        """The requests with this method (and URL part): ``(url, headers, params or body)``."""
        return [(url, headers, payload) for request_method, url, headers, payload in self.requests
                if request_method == method and url_part in url]

    def assert_done(self, test):
        test.assertFalse(self.unexpected, "requests Graph was not expected to receive")
        test.assertEqual(len(self.requests), len(self.expected), "Graph did not receive every expected request")


@tagged("post_install", "-at_install")
class OutlookCase(HttpCase, VoltaicBookingCase):
    """Olivia (Mon-Fri 10:00-19:00 in Berlin, lunch 13-14) syncs her Outlook calendar through Odoo's own sync."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].sudo().set_param(RATE_PARAM, "0")
        cls.olivia = cls._make_consultant("VBT Olivia Outlook", "vbt_olivia", email="olivia@vbt-voltaic.example")
        cls.olivia_user = cls.olivia.user_id
        cls.day = cls._monday_without_time_off()
        if "microsoft.calendar.sync" not in cls.env:
            return
        parameters = cls.env["ir.config_parameter"].sudo()
        parameters.set_param("microsoft_calendar_client_id", "5c1d8c5e-7f2a-4b8e-9d3c-1a2b3c4d5e6f")
        parameters.set_param("microsoft_calendar_client_secret", "Qw8Q~vbt.test-secret_Xy")
        parameters.set_param("microsoft_calendar_sync_paused", False)
        # the company connected Outlook before these meetings were made: they may be copied
        parameters.set_param("microsoft_calendar.sync.first_synchronization_date", "2024-01-01 00:00:00")
        cls._connect_outlook(cls.olivia_user, "olivia")

    @classmethod
    def _connect_outlook(cls, user, name):
        """What Odoo stores once ``user`` signed in with Microsoft from the Calendar app."""
        user.sudo().write({
            "microsoft_calendar_rtoken": f"M.C512_BAY.0.U.-Cvbt{name}RefreshToken!*",
            "microsoft_calendar_token": f"EwBYA8l6BAAUvbt{name}AccessToken",
            "microsoft_calendar_token_validity": datetime.now() + timedelta(hours=1),
        })
        user.res_users_settings_id.sudo().write({
            "microsoft_calendar_sync_token": f"R0usmcCM996atia_{name}_s4P3pQ",
            "microsoft_synchronization_stopped": False,
        })

    def setUp(self):
        super().setUp()
        if "microsoft.calendar.sync" not in self.env:
            self.skipTest("microsoft_calendar is not installed in this database")
        # a write's date is its transaction's start; the test's transaction began with the class:
        # give writes the time they happen at, as in a request (Odoo's sync compares them to its own runs)
        self.patch(self.env.cr, "now", lambda: datetime.now().replace(microsecond=0))

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    def fake_graph(self, exchanges):
        """Route Odoo's requests to Microsoft into a ``FakeGraph`` for the block."""
        fake = FakeGraph(exchanges)
        return fake, patch.object(requests, "request", fake)

    def run_outlook_after_commit(self):
        """Run the calls to Graph that Odoo's Outlook sync queued for after the commit (the test never commits)."""
        self.env.flush_all()  # what the commit would write first
        queued = [func for func in self.env.cr.postcommit._funcs
                  if "microsoft_calendar" in (getattr(func, "__module__", "") or "")]
        for func in queued:
            self.env.cr.postcommit._funcs.remove(func)
            func()
        self.env.invalidate_all()
        return len(queued)

    def sync_outlook(self, user=None):
        """One run of the user's Outlook sync, as its scheduled action runs it, then its calls after the commit."""
        user = user or self.olivia_user
        user.with_user(user).sudo()._sync_microsoft_calendar()
        self.run_outlook_after_commit()

    def book_as_client(self, start, consultant=None, **values):
        """A client books on the website or through the API: the service runs as the public user."""
        return self.env["voltaic.booking"].with_user(self.public_user)._book(
            self._booking_values(start, consultant or self.olivia, **values))

    def at(self, hour, minute=0, day=None):
        """A wall-clock time in Berlin on ``day`` (the test Monday by default), as an aware UTC datetime."""
        day = day or self.day
        return datetime(day.year, day.month, day.day, hour, minute, tzinfo=self.olivia._zone()).astimezone(UTC)
