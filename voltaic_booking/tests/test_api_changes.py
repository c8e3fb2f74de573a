"""An API client reschedules and cancels a booking with its token, and calls the API from another origin.

Over the real HTTP stack, as in ``test_api.py``: the requests share the test's transaction, so the
assertions see what the routes wrote. The clock is real: the consultant works around the clock (UTC)
and every test takes free times a few days ahead.
"""

import json
from datetime import datetime, timedelta, timezone
from unittest.mock import patch

from odoo.service.model import MAX_TRIES_ON_CONCURRENCY_FAILURE
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from .common import AROUND_THE_CLOCK, VoltaicBookingCase, make_calendar

UTC = timezone.utc

API = "/api/consultations"
RATE_PARAM = "voltaic_booking.rate_limit_per_minute"
CORS_PARAM = "voltaic_booking.api_cors_origins"
APP = "https://app.vbt-client.example"
BOOKING_KEYS = {
    "reference", "state", "start", "end", "local_start", "duration", "tz", "consultant", "consultant_name",
    "meeting_type", "location", "first_name", "last_name", "email", "subject", "manage_url", "ics_url",
}


def iso(value):
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@tagged("post_install", "-at_install")
class TestApiChanges(HttpCase, VoltaicBookingCase):
    """A consultant free around the clock (UTC), changes allowed until 12 hours before the start."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        calendar = make_calendar(cls.env, "VBT Around the Clock", tz="UTC", hours=AROUND_THE_CLOCK, weekdays=range(7))
        cls.anytime = cls._make_consultant("VBT Ada Anytime", "vbt_ada", tz="UTC", calendar=calendar,
                                           slot_interval_minutes=60, edit_deadline_hours=12)

    def setUp(self):
        super().setUp()
        self.env["ir.config_parameter"].sudo().set_param(RATE_PARAM, "0")
        self.env["ir.config_parameter"].sudo().set_param(CORS_PARAM, "")

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    def free_starts(self, days=3, count=3):
        """``count`` free 60-minute starts of the consultant, from ``days`` ahead (aware UTC)."""
        first = (datetime.now(UTC) + timedelta(days=days)).replace(minute=0, second=0, microsecond=0)
        free = self.anytime._get_slots(first, first + timedelta(days=3), 60)[self.anytime.id]
        starts = [start for start, _end in free]
        self.assertGreaterEqual(len(starts), count * 3)
        return starts[:count * 3:3]  # three hours apart

    def book(self, start=None, **values):
        return self._book(start or self.free_starts()[0], consultant=self.anytime, **values)

    def change(self, booking, action, body=None, token=None, bearer=True, headers=None, raw=None):
        """POST ``/api/consultations/<reference>/<action>``; the token in the header, or in the body."""
        token = booking.access_token if token is None else token
        body = dict(body or {})
        request_headers = {"Content-Type": "application/json", **(headers or {})}
        if bearer:
            request_headers["Authorization"] = f"Bearer {token}"
        else:
            body["token"] = token
        return self.url_open(f"{API}/{booking.reference}/{action}", data=raw if raw is not None else json.dumps(body),
                             headers=request_headers, method="POST")

    def kinds(self, booking):
        return sorted(booking.email_log_ids.mapped("kind"))

    def assertError(self, response, status, code):
        self.assertEqual(response.status_code, status, response.text)
        error = response.json()["error"]
        self.assertEqual(error["code"], code, error)
        self.assertTrue(error["message"])
        return error

    # ------------------------------------------------------------------
    # Reschedule
    # ------------------------------------------------------------------

    def test_reschedule_with_the_bearer_token(self):
        old, new, _later = self.free_starts()
        booking = self.book(old)
        event = booking.event_id
        response = self.change(booking, "reschedule", {"start": iso(new)})
        self.assertEqual(response.status_code, 200, response.text)
        payload = response.json()
        self.assertEqual(set(payload), BOOKING_KEYS)
        self.assertEqual((payload["reference"], payload["state"], payload["start"]),
                         (booking.reference, "confirmed", iso(new)))
        self.assertEqual(payload["end"], iso(new + timedelta(hours=1)))
        self.assertIn(f"token={booking.access_token}", payload["manage_url"])
        self.assertEqual(booking.start, new.replace(tzinfo=None))
        self.assertEqual(booking.previous_start, old.replace(tzinfo=None))
        self.assertEqual(event.start, new.replace(tzinfo=None), "the meeting follows")
        self.assertEqual(booking.ics_sequence, 1)
        self.assertIn("moved from", booking.lead_id.message_ids[0].body)
        self.assertEqual(self.kinds(booking), [
            "client_confirmation", "client_reschedule", "consultant_confirmation", "consultant_reschedule"])
        read = self.url_open(f"{API}/{booking.reference}?token={booking.access_token}").json()
        self.assertEqual(read, payload, "the answer is the booking as GET gives it")

    def test_reschedule_with_the_token_in_the_body_and_another_duration(self):
        old, new, _later = self.free_starts()
        booking = self.book(old)
        response = self.change(booking, "reschedule", {"start": iso(new), "duration": 30}, bearer=False)
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual((response.json()["duration"], response.json()["end"]), (30, iso(new + timedelta(minutes=30))))
        self.assertEqual((booking.start, booking.duration), (new.replace(tzinfo=None), 30))

    def test_a_wrong_token_is_the_same_404_as_an_unknown_booking(self):
        old, new, _later = self.free_starts()
        booking = self.book(old)
        other = self.book(new, email="tom.baker@vbt-client.example", first_name="Tom", last_name="Baker")
        answers = []
        for action in ("reschedule", "cancel"):
            for token, bearer in ((booking.access_token[:-1] + "x", True), ("", True), ("wrong", False),
                                  (other.access_token, True)):
                response = self.change(booking, action, {"start": iso(new)}, token=token, bearer=bearer)
                answers.append((response.status_code, response.json()))
            unknown = self.url_open(f"{API}/VLT-00000000-NONE/{action}", data=json.dumps({"start": iso(new)}),
                                    headers={"Authorization": f"Bearer {booking.access_token}"}, method="POST")
            answers.append((unknown.status_code, unknown.json()))
        self.assertEqual({json.dumps(answer) for answer in answers},
                         {json.dumps((404, {"error": {"code": "not_found", "message": "No such booking."}}))})
        self.assertEqual((booking.state, booking.start, other.state), ("confirmed", old.replace(tzinfo=None),
                                                                         "confirmed"))

    def test_reschedule_to_a_taken_time_is_409_with_alternatives_and_changes_nothing(self):
        old, taken, _later = self.free_starts()
        booking = self.book(old)
        self.book(taken, email="tom.baker@vbt-client.example", first_name="Tom", last_name="Baker")
        lead_messages = len(booking.lead_id.message_ids)
        response = self.change(booking, "reschedule", {"start": iso(taken), "tz": "Europe/Berlin"})
        error = self.assertError(response, 409, "slot_unavailable")
        self.assertTrue(error["alternatives"])
        for alternative in error["alternatives"]:
            self.assertEqual(set(alternative), {"start", "end", "local_start"})
            self.assertNotEqual(alternative["start"], iso(taken))
            self.assertRegex(alternative["local_start"], r"\+0[12]:00$", "in the zone asked for")
        self.assertEqual((booking.start, booking.ics_sequence), (old.replace(tzinfo=None), 0))
        self.assertEqual(len(booking.lead_id.message_ids), lead_messages)
        self.assertEqual(self.kinds(booking), ["client_confirmation", "consultant_confirmation"])
        # an alternative offered is taken
        response = self.change(booking, "reschedule", {"start": error["alternatives"][0]["start"]})
        self.assertEqual(response.status_code, 200, response.text)

    def test_reschedule_input_is_checked_field_by_field(self):
        booking = self.book()
        error = self.assertError(self.change(booking, "reschedule", {"duration": "long", "tz": "Mars/Olympus"}),
                                 422, "validation")
        self.assertEqual(set(error["fields"]), {"start", "duration", "tz"})
        error = self.assertError(self.change(booking, "reschedule", {"start": iso(self.free_starts()[1]),
                                                                     "duration": 45}), 422, "validation")
        self.assertEqual(set(error["fields"]), {"duration"}, "the service's own check")
        self.assertError(self.change(booking, "reschedule", raw="[1, 2]"), 400, "bad_request")
        self.assertError(self.change(booking, "reschedule", raw="not json"), 400, "bad_request")
        self.assertEqual(booking.ics_sequence, 0)

    # ------------------------------------------------------------------
    # Cancel
    # ------------------------------------------------------------------

    def test_cancel_archives_the_meeting_and_queues_the_mails(self):
        booking = self.book()
        event, lead = booking.event_id, booking.lead_id
        response = self.change(booking, "cancel", {"reason": "  Our budget moved to next year  "})
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(response.json()["state"], "cancelled")
        self.assertEqual(set(response.json()), BOOKING_KEYS)
        self.assertEqual(booking.state, "cancelled")
        self.assertEqual(booking.cancellation_reason, "Our budget moved to next year")
        self.assertFalse(event.active)
        self.assertIn("was cancelled", lead.message_ids[0].body)
        self.assertEqual(self.kinds(booking), [
            "client_cancellation", "client_confirmation", "consultant_cancellation", "consultant_confirmation"])

    def test_cancel_without_body_and_reason_checks(self):
        booking = self.book()
        error = self.assertError(self.change(booking, "cancel", {"reason": 42}), 422, "validation")
        self.assertEqual(set(error["fields"]), {"reason"})
        self.assertEqual(booking.state, "confirmed")
        response = self.change(booking, "cancel", raw="")
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual((booking.state, booking.cancellation_reason), ("cancelled", False))

    def test_a_cancelled_or_past_booking_is_409(self):
        old, new, _later = self.free_starts()
        booking = self.book(old)
        self.assertEqual(self.change(booking, "cancel").status_code, 200)
        for action in ("cancel", "reschedule"):
            self.assertError(self.change(booking, action, {"start": iso(new)}), 409, "already_cancelled")
        self.assertEqual(self.kinds(booking).count("client_cancellation"), 1, "told once")

        completed = self.book(new, email="tom.baker@vbt-client.example", first_name="Tom", last_name="Baker")
        completed._service_write({"state": "completed"})
        for action in ("cancel", "reschedule"):
            self.assertError(self.change(completed, action, {"start": iso(old)}), 409, "not_confirmed")
        self.assertEqual(completed.state, "completed")

    def test_after_the_deadline_nothing_changes(self):
        soon = self.free_starts(days=0, count=3)
        start = next(value for value in soon if value > datetime.now(UTC) + timedelta(hours=2))
        booking = self.book(start)  # inside the 12-hour deadline
        for action in ("reschedule", "cancel"):
            self.assertError(self.change(booking, action, {"start": iso(self.free_starts()[0])}), 409,
                             "change_deadline_passed")
        self.assertEqual((booking.state, booking.start, booking.ics_sequence),
                         ("confirmed", start.replace(tzinfo=None), 0))
        self.assertTrue(booking.event_id.active)
        self.assertEqual(self.kinds(booking), ["client_confirmation", "consultant_confirmation"])

    # ------------------------------------------------------------------
    # Idempotency, busy
    # ------------------------------------------------------------------

    def test_idempotent_retries(self):
        old, new, later = self.free_starts()
        booking = self.book(old)
        key = {"Idempotency-Key": "vbt-change-1"}
        first = self.change(booking, "reschedule", {"start": iso(new)}, headers=key)
        self.assertEqual(first.status_code, 200, first.text)
        again = self.change(booking, "reschedule", {"start": iso(new)}, headers=key)
        self.assertEqual((again.status_code, again.json()), (200, first.json()), "the stored answer")
        self.assertEqual(booking.ics_sequence, 1, "moved once")
        self.assertEqual(self.kinds(booking).count("client_reschedule"), 1)

        self.assertError(self.change(booking, "reschedule", {"start": iso(later)}, headers=key),
                         422, "idempotency_mismatch")
        self.assertError(self.change(booking, "cancel", {"start": iso(new)}, headers=key), 422, "idempotency_mismatch")
        wrong = self.change(booking, "reschedule", {"start": iso(new)}, token="wrong", headers=key)
        self.assertNotEqual(wrong.status_code, 200, "the stored answer (with the token) only for the token's holder")
        self.assertNotIn(booking.access_token, wrong.text)
        self.assertEqual(booking.start, new.replace(tzinfo=None))

        cancel_key = {"Idempotency-Key": "vbt-change-2"}
        first = self.change(booking, "cancel", {"reason": "plans changed"}, headers=cancel_key)
        again = self.change(booking, "cancel", {"reason": "plans changed"}, headers=cancel_key)
        self.assertEqual((first.status_code, again.status_code, again.json()), (200, 200, first.json()))
        self.assertError(self.change(booking, "cancel", {"reason": "plans changed"}), 409, "already_cancelled")

    def test_a_change_that_keeps_meeting_concurrent_writers_answers_503(self):
        old, new, _later = self.free_starts()
        booking = self.book(old)
        booking_class = type(self.env["voltaic.booking"])
        tries = []

        def meets_a_concurrent_writer(record, new_start, duration=None):
            tries.append(new_start)
            record.env.cr.execute("""
                DO $$ BEGIN RAISE EXCEPTION 'could not serialize access due to concurrent update'
                                  USING ERRCODE = 'serialization_failure'; END $$
            """)

        key = {"Idempotency-Key": "vbt-change-busy"}
        with patch.object(booking_class, "_reschedule", meets_a_concurrent_writer), \
                patch("odoo.service.model.random.uniform", return_value=0), \
                mute_logger("odoo.service.model", "odoo.sql_db"):
            response = self.change(booking, "reschedule", {"start": iso(new)}, headers=key)
        self.assertError(response, 503, "busy")
        self.assertEqual(response.headers.get("Retry-After"), "5")
        self.assertEqual(len(tries), MAX_TRIES_ON_CONCURRENCY_FAILURE, "Odoo's retries came first")
        self.assertEqual(booking.start, old.replace(tzinfo=None))
        retry = self.change(booking, "reschedule", {"start": iso(new)}, headers=key)
        self.assertEqual(retry.status_code, 200, retry.text)
        self.assertEqual(booking.start, new.replace(tzinfo=None))

    # ------------------------------------------------------------------
    # CORS
    # ------------------------------------------------------------------

    def preflight(self, url, origin, method="POST"):
        return self.url_open(url, method="OPTIONS", headers={
            "Origin": origin, "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": "content-type, authorization, idempotency-key"})

    def assertNoCors(self, response):
        self.assertFalse([name for name in response.headers if name.lower().startswith("access-control-")],
                         response.headers)

    def test_an_allowed_origin_reschedules_and_cancels(self):
        self.env["ir.config_parameter"].sudo().set_param(CORS_PARAM, f"https://other.vbt.example, {APP}/")
        old, new, _later = self.free_starts()
        booking = self.book(old)
        path = f"{API}/{booking.reference}/reschedule"
        preflight = self.preflight(path, APP)
        self.assertEqual(preflight.status_code, 204, preflight.text)
        self.assertEqual(preflight.headers["Access-Control-Allow-Origin"], APP)
        self.assertEqual(preflight.headers["Access-Control-Allow-Methods"], "POST, OPTIONS")
        self.assertEqual(preflight.headers["Access-Control-Allow-Headers"],
                         "Content-Type, Authorization, Idempotency-Key")
        self.assertTrue(int(preflight.headers["Access-Control-Max-Age"]))
        self.assertIn("Origin", preflight.headers["Vary"])
        self.assertEqual(booking.ics_sequence, 0, "a preflight never reaches the route")

        response = self.change(booking, "reschedule", {"start": iso(new)}, headers={"Origin": APP})
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(response.headers["Access-Control-Allow-Origin"], APP)
        self.assertIn("Origin", response.headers["Vary"])
        self.assertIn("Retry-After", response.headers["Access-Control-Expose-Headers"])
        error = self.change(booking, "cancel", token="wrong", headers={"Origin": APP})
        self.assertEqual((error.status_code, error.headers["Access-Control-Allow-Origin"]), (404, APP),
                         "error answers are readable too")
        response = self.change(booking, "cancel", headers={"Origin": APP})
        self.assertEqual((response.status_code, response.headers["Access-Control-Allow-Origin"]), (200, APP))
        self.assertEqual(booking.state, "cancelled")

        for url in (f"{API}/consultants", f"{API}/{booking.reference}?token={booking.access_token}",
                    f"{API}/openapi.json"):
            response = self.url_open(url, headers={"Origin": APP})
            self.assertEqual((response.status_code, response.headers.get("Access-Control-Allow-Origin")), (200, APP))
        preflight = self.preflight(f"{API}/slots", APP, method="GET")
        self.assertEqual(preflight.headers["Access-Control-Allow-Methods"], "GET, OPTIONS")

    def test_a_refused_origin_gets_no_cors_headers(self):
        self.env["ir.config_parameter"].sudo().set_param(CORS_PARAM, APP)
        booking = self.book()
        path = f"{API}/{booking.reference}/cancel"
        for origin in ("https://evil.vbt.example", "http://app.vbt-client.example", f"{APP}:8443", "null"):
            with self.subTest(origin=origin):
                preflight = self.preflight(path, origin)
                self.assertError(preflight, 403, "origin_not_allowed")
                self.assertNoCors(preflight)
                self.assertNoCors(self.url_open(f"{API}/consultants", headers={"Origin": origin}))
        self.assertEqual(booking.state, "confirmed", "a preflight never reaches the route")
        # the API is no access control: a request still runs, only the browser keeps its answer from the page
        response = self.change(booking, "cancel", headers={"Origin": "https://evil.vbt.example"})
        self.assertEqual(response.status_code, 200)
        self.assertNoCors(response)
        self.assertIn("Origin", response.headers["Vary"])

    def test_cors_only_on_the_api_and_only_when_configured(self):
        self.env["ir.config_parameter"].sudo().set_param(CORS_PARAM, APP)
        for url in ("/book-consultation", "/web/login"):
            with self.subTest(url=url):
                self.assertNoCors(self.url_open(url, headers={"Origin": APP}))
        booking = self.book()
        self.assertNoCors(self.url_open(f"/book-consultation/manage/{booking.reference}?token={booking.access_token}",
                                        headers={"Origin": APP}))

        self.env["ir.config_parameter"].sudo().set_param(CORS_PARAM, "")
        response = self.url_open(f"{API}/consultants", headers={"Origin": APP})
        self.assertEqual(response.status_code, 200)
        self.assertNoCors(response)
        self.assertNotIn("Origin", response.headers.get("Vary", ""), "nothing depends on the origin")
        preflight = self.preflight(f"{API}/{booking.reference}/cancel", APP)
        self.assertError(preflight, 403, "origin_not_allowed")
        self.assertNoCors(preflight)
        plain = self.url_open(f"{API}/{booking.reference}/cancel", method="OPTIONS")
        self.assertEqual((plain.status_code, plain.headers.get("Allow")), (204, "POST, OPTIONS"))
        self.assertEqual(booking.state, "confirmed")
