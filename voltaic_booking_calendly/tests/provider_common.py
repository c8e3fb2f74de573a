"""Calendly and Cal.com in the tests: recorded deliveries, signatures, two consultants, a fake HTTP layer.

The fixtures under ``fixtures/`` follow the providers' documented formats
(Calendly webhook payloads and API v2 collections, Cal.com webhook payload
version 2021-10-20 and API v2 bookings). ``FakeProviderHttp`` replaces
``requests.Session.request``: it answers known provider URLs with recorded
responses, records every call, and fails the test on any other URL, so no
test reaches the network.
"""

import json
import time
from contextlib import contextmanager
from unittest.mock import patch
from urllib.parse import urlsplit

import requests

from odoo import Command
from odoo.tests import TransactionCase, new_test_user

from ..lib import signatures
from .fixtures import LENA_NEW_UID, LENA_UID, TOM_NEW_UID, TOM_UID, fixture  # noqa: F401 (re-exported)
from odoo.addons.voltaic_booking.tests.common import make_calendar, make_consultant

CALENDLY_KEY = "Xq3w8mLk2Pz7Rt5Yv1Bn9Cd4Fg6Hj0Ks"
CALCOM_SECRET = "8f1c2e4a6b9d0f3e5a7c9b1d3f5e7a9c"

ANNA_EMAIL = "anna.weber@voltaic.example"
JAMES_EMAIL = "james.carter@voltaic.example"


def calendly_headers(raw, timestamp=None, key=CALENDLY_KEY):
    return {
        "Content-Type": "application/json",
        "User-Agent": "Calendly Webhooks",
        signatures.CALENDLY_HEADER: signatures.calendly_header(key, raw, timestamp=timestamp or time.time()),
    }


def calcom_headers(raw, secret=CALCOM_SECRET):
    return {
        "Content-Type": "application/json",
        "x-cal-webhook-version": "2021-10-20",
        signatures.CALCOM_HEADER: signatures.calcom_signature(secret, raw),
    }


class FakeResponse:
    def __init__(self, status, body):
        self.status_code = status
        self._body = body

    def json(self):
        if self._body is None:
            raise ValueError("no JSON body")
        return self._body


class FakeProviderHttp:
    """Recorded answers by ``(METHOD, url without query)``; each may be a list answered in turn."""

    def __init__(self, routes):
        self.routes = {key: list(value) if isinstance(value, list) else [value] for key, value in routes.items()}
        self.calls = []

    def __call__(self, session, method, url, **kwargs):
        parts = urlsplit(url)
        key = (method.upper(), f"{parts.scheme}://{parts.netloc}{parts.path}")
        self.calls.append({"method": key[0], "url": key[1], **kwargs})
        if key not in self.routes:
            raise AssertionError(f"unexpected request to the network: {method} {url}")
        answers = self.routes[key]
        status, body = answers.pop(0) if len(answers) > 1 else answers[0]
        return FakeResponse(status, body)

    def calls_to(self, method, url):
        return [call for call in self.calls if call["method"] == method and call["url"] == url]

    @contextmanager
    def installed(self):
        fake = self

        def request(session, method, url, **kwargs):
            return fake(session, method, url, **kwargs)

        with patch.object(requests.Session, "request", request):
            yield self


class ProviderCase(TransactionCase):
    """Anna (Berlin) hosts in Calendly, James (London) in Cal.com; a manager settles conflicts."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        parameters = cls.env["ir.config_parameter"].sudo()
        parameters.set_param("voltaic_booking.calendly_signing_key", CALENDLY_KEY)
        parameters.set_param("voltaic_booking.calcom_webhook_secret", CALCOM_SECRET)
        cls.calendar = make_calendar(cls.env, "VB p8 weekdays", hours=(("morning", 9, 18),))
        cls.manager = new_test_user(
            cls.env, "vb_p8_manager", groups="voltaic_booking.group_manager,sales_team.group_sale_salesman",
            name="Mona Manager", email="mona@voltaic.example")
        cls.anna = cls._consultant("Anna Weber", "vb_p8_anna", ANNA_EMAIL, "Europe/Berlin")
        cls.james = cls._consultant("James Carter", "vb_p8_james", JAMES_EMAIL, "Europe/London")
        cls.inbox = cls.env["voltaic.webhook.inbox"]
        cls.bookings = cls.env["voltaic.booking"]

    @classmethod
    def _consultant(cls, name, login, email, tz):
        return make_consultant(
            cls.env, name, login, calendar=cls.calendar, tz=tz, email=email,
            min_notice_hours=0, max_advance_days=90, buffer_before_minutes=0, buffer_after_minutes=15,
            duration_ids=[Command.create({"duration": 30}), Command.create({"duration": 60})],
            offers_video=True, offers_phone=True, video_url=f"https://meet.example.com/{login}")

    def deliver(self, provider, name_or_data, process=True):
        """Store a delivery as the webhook does, then run the inbox job's batch; the inbox row."""
        if isinstance(name_or_data, str):
            data, raw = fixture(name_or_data)
        else:
            data, raw = name_or_data, json.dumps(name_or_data).encode()
        row, _is_new = self.inbox._receive(provider, data, raw)
        if process:
            self.inbox._process_due()
        return row

    def provider_bookings(self, provider):
        return self.bookings.search([("source", "=", provider)])


# the API credentials the reconciliation and the cancellation tests configure
CALENDLY_TOKEN = "eyJraWQiOiIxY2UxZTEzNjE3ZGNmNzY2YjNjZWJjY2Y4ZGM1YmFmYThhNjVlNjg0"
CALCOM_KEY = "cal_live_5f9d2c4b7a1e3d6c8b0a2f4e6d8c0b1a"


def answer(name, status=200):
    """A recorded provider API answer: ``(status, body of fixture name)``."""
    return status, fixture(name)[0]


# a provider API that fails on its side, and the logger of the queue of changes sent to the providers
SERVER_ERROR = (500, fixture("calendly_api_server_error")[0])
QUEUE_LOGGER = "odoo.addons.voltaic_booking_calendly.models.booking_provider_push"


class ProviderApiCase(ProviderCase):
    """Both providers' API credentials configured: reconciliation and the changes Odoo sends to them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        parameters = cls.env["ir.config_parameter"].sudo()
        parameters.set_param("voltaic_booking.calendly_api_token", CALENDLY_TOKEN)
        parameters.set_param("voltaic_booking.calcom_api_key", CALCOM_KEY)

    def mails(self, booking):
        """How many e-mails the booking has queued."""
        return self.env["mail.mail"].search_count([("model", "=", "voltaic.booking"), ("res_id", "=", booking.id)])
