"""Google faked at its HTTP boundary, and a consultant who syncs with it.

``FakeGoogle`` is ``googleapiclient.http.HttpMockSequence`` (the library's own
mock of ``httplib2.Http``) that also checks where each request goes. Every
call of the addon - token refresh, API calls, the OAuth code exchange - goes
through ``voltaic.google.connection._google_http``, patched in the tests, so
the Google client library, the credentials and our code all run for real and
no test reaches the network. Answers are shaped like Google's.
"""

import json
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from unittest.mock import patch
from urllib.parse import parse_qs, urlparse

from googleapiclient.http import HttpMockSequence

from odoo.tests import TransactionCase, new_test_user

from ..lib import google_mapping as gmap
from ..models import google_sync
from ..models.google_sync import VoltaicGoogleConnection
from .common import CONSULTANT_GROUPS, OFFICE_HOURS, OFFICE_RULES, make_calendar, make_consultant

UTC = timezone.utc

# Monday 2 March 2026, 07:00 in Berlin (CET, UTC+1)
NOW = "2026-03-02 06:00:00"


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def token_answer(access_token="ya29.a0AfB_byC-test-access-token"):
    return {
        "access_token": access_token,
        "expires_in": 3599,
        "scope": gmap.CALENDAR_SCOPE,
        "token_type": "Bearer",
    }


def google_error(status, reason, message, domain="global"):
    return {"error": {"errors": [{"domain": domain, "reason": reason, "message": message}],
                      "code": status, "message": message}}


RATE_LIMITED = google_error(429, "rateLimitExceeded", "Rate Limit Exceeded", domain="usageLimits")
BACKEND_ERROR = google_error(503, "backendError", "The service is currently unavailable.")
DUPLICATE = google_error(409, "duplicate", "The requested identifier already exists.")
GONE = google_error(410, "deleted", "Resource has been deleted")
SYNC_TOKEN_EXPIRED = google_error(410, "fullSyncRequired", "Sync token is no longer valid, a full sync is required.")
FORBIDDEN = google_error(403, "requiredAccessLevel",
                         "You need to have writer access to this calendar.")
INVALID_GRANT = {"error": "invalid_grant", "error_description": "Token has been expired or revoked."}


def event_answer(body, calendar_owner="carla@voltaic.example", status="confirmed", **extra):
    """Google's answer to an insert or patch: the event resource as Google completes it."""
    answer = {
        "kind": "calendar#event",
        "etag": '"3456789012345000"',
        "id": body["id"],
        "status": status,
        "htmlLink": f"https://www.google.com/calendar/event?eid={body['id']}",
        "created": "2026-03-02T06:00:01.000Z",
        "updated": "2026-03-02T06:00:01.502Z",
        "summary": body.get("summary"),
        "description": body.get("description"),
        "creator": {"email": calendar_owner, "self": True},
        "organizer": {"email": calendar_owner, "self": True},
        "start": body.get("start"),
        "end": body.get("end"),
        "iCalUID": f"{body['id']}@google.com",
        "sequence": 0,
        "extendedProperties": body.get("extendedProperties"),
        "reminders": {"useDefault": True},
        "eventType": "default",
    }
    answer.update(extra)
    return answer


def events_page(items, next_sync_token="CPDAlvWDx70CEPDAlvWDx70CGAU=", next_page_token=None):
    page = {
        "kind": "calendar#events",
        "etag": '"p32o9v0stbqkqg0o"',
        "summary": "carla@voltaic.example",
        "updated": "2026-03-02T06:10:00.000Z",
        "timeZone": "Europe/Berlin",
        "accessRole": "owner",
        "defaultReminders": [{"method": "popup", "minutes": 10}],
        "items": items,
    }
    if next_page_token:
        page["nextPageToken"] = next_page_token
    else:
        page["nextSyncToken"] = next_sync_token
    return page


class FakeGoogle(HttpMockSequence):
    """Answers requests in order and checks that each one goes where the test expects.

    :param exchanges: ``(method, url_part, status, answer)`` tuples; ``answer``
        is a dict (sent as JSON) or a string.
    :param delay: seconds to wait before each answer (a slow Google).
    """

    def __init__(self, exchanges, delay=0):
        self.expected = [(method, url_part) for method, url_part, _status, _answer in exchanges]
        self.delay = delay
        super().__init__([
            ({"status": str(status), "content-type": "application/json; charset=UTF-8"},
             answer if isinstance(answer, str) else json.dumps(answer))
            for _method, _url_part, status, answer in exchanges
        ])

    def request(self, uri, method="GET", body=None, headers=None, redirections=1, connection_type=None, **kwargs):
        index = len(self.request_sequence)
        if index >= len(self.expected):
            raise AssertionError(f"Unexpected request to Google: {method} {uri}")
        expected_method, expected_part = self.expected[index]
        if method != expected_method or expected_part not in uri:
            raise AssertionError(
                f"Request {index} to Google: expected {expected_method} …{expected_part}…, got {method} {uri}")
        if self.delay:
            time.sleep(self.delay)
        return super().request(uri, method, body, headers, redirections, connection_type)

    @property
    def count(self):
        return len(self.request_sequence)

    def uri(self, index):
        return self.request_sequence[index][0]

    def query(self, index):
        return parse_qs(urlparse(self.uri(index)).query)

    def body(self, index):
        body = self.request_sequence[index][2]
        if isinstance(body, bytes):
            body = body.decode()
        return json.loads(body)

    def form(self, index):
        body = self.request_sequence[index][2]
        if isinstance(body, bytes):
            body = body.decode()
        return parse_qs(body)

    def assert_done(self, test):
        test.assertEqual(self.count, len(self.expected), "Google did not receive every expected request")


class GoogleCase(TransactionCase):
    """A Berlin consultant on weekdays 9:00-17:00 (lunch 12-13) who syncs with Google through OAuth."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True, mail_create_nolog=True))
        parameters = cls.env["ir.config_parameter"].sudo()
        parameters.set_param("voltaic_booking.google_auth_mode", "oauth")
        parameters.set_param("voltaic_booking.google_client_id", "1234567890-abc.apps.googleusercontent.com")
        parameters.set_param("voltaic_booking.google_client_secret", "GOCSPX-test-secret")
        parameters.set_param("voltaic_booking.google_meet", False)
        parameters.set_param("voltaic_booking.google_on_delete", "flag")
        cls.calendar = make_calendar(cls.env, "VB Google weekdays", hours=OFFICE_HOURS)
        cls.manager = new_test_user(
            cls.env, "vb_google_mona", groups="voltaic_booking.group_manager,sales_team.group_sale_salesman",
            name="Mona Manager", email="mona@voltaic.example", tz="Europe/Berlin")
        cls.team = cls.env["crm.team"].create({"name": "VB Google Team", "user_id": cls.manager.id})
        cls.consultant = cls._make_consultant("Carla Consultant", "vb_google_carla", email="carla@voltaic.example")
        cls.consultant_user = cls.consultant.user_id
        cls.consultant.write({
            "google_sync_enabled": True,
            "google_extra_calendar_ids": "family08154711@group.calendar.google.com",
        })
        cls.connection = cls.consultant._google_connection()
        cls.connection.write({"refresh_token": "1//0gRefreshToken-carla", "state": "connected"})

    @classmethod
    def _make_consultant(cls, name, login, email, groups=CONSULTANT_GROUPS, **values):
        """A Berlin consultant on ``cls.calendar`` in ``cls.team`` with ``OFFICE_RULES`` (``values`` override)."""
        return make_consultant(cls.env, name, login, calendar=cls.calendar, email=email, groups=groups, **{
            "team_id": cls.team.id, **OFFICE_RULES, "video_url": f"https://meet.example.com/{login}", **values})

    def setUp(self):
        super().setUp()
        google_sync._TOKEN_CACHE.clear()
        google_sync._INTERACTIVE_FAILURES.clear()
        self.env.cr.cache.pop(google_sync.BUSY_STASH_KEY, None)
        self.addCleanup(self.env.cr.cache.pop, google_sync.BUSY_STASH_KEY, None)

    @contextmanager
    def fake_google(self, exchanges, delay=0):
        """Route every HTTP call to Google into a ``FakeGoogle`` for the block."""
        fake = FakeGoogle(exchanges, delay=delay)
        with patch.object(VoltaicGoogleConnection, "_google_http", lambda self, timeout=None: fake):
            yield fake

    def book(self, start, duration=60, meeting_type="video", consultant=None, **values):
        return self.env["voltaic.booking"]._book({
            "consultant_id": (consultant or self.consultant).id,
            "start": start,
            "duration": duration,
            "meeting_type": meeting_type,
            "client_tz": "Asia/Kolkata",
            "first_name": "Priya",
            "last_name": "Sharma",
            "email": "priya@sharma-solar.example",
            "phone": "+91 22 1234 5678",
            "company": "Sharma Solar",
            "subject": "Solar roof for the warehouse",
            "message": "We would like to discuss a 200 kWp roof.",
            "source": "backend",
            **values,
        })

    def slot_starts(self, day_start, day_end, duration=60, consultant=None):
        consultant = consultant or self.consultant
        return [start for start, _end in consultant._get_slots(day_start, day_end, duration)[consultant.id]]
