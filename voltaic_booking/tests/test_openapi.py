"""The OpenAPI document of the JSON API: a valid document, served for the requesting host, that every
route and every answer of the real API keeps to.

The answers come from the real routes over HTTP (as in ``test_api.py``) and are validated with
``jsonschema`` against the schemas of the served document itself, so a key, a status code or a
header that changes without the document fails here.
"""

import json

from odoo.tests import HttpCase, tagged

from .common import VoltaicBookingCase
from .openapi_common import OpenApiDocument, load_document, routes_of

API = "/api/consultations"
DOCUMENT_PATH = "voltaic_booking/static/api/openapi.json"
RATE_PARAM = "voltaic_booking.rate_limit_per_minute"


@tagged("post_install", "-at_install")
class TestOpenApi(HttpCase, VoltaicBookingCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].sudo().set_param(RATE_PARAM, "0")
        cls.closed = cls._make_consultant("VBT Clara Closed", "vbt_clara", is_accepting_bookings=False)
        cls.day = cls._monday_without_time_off(weeks_ahead=3)
        cls.spec = OpenApiDocument(load_document(DOCUMENT_PATH))

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    def call(self, path, method, url, expected_status, **kwargs):
        """Request ``url``, check the status, and check the answer against the document's ``method path``."""
        response = self.url_open(url, method=method.upper(), allow_redirects=False, **kwargs)
        self.assertEqual(response.status_code, expected_status, response.text[:1000])
        return self.spec.check_answer(path, method, response), response

    def free_slots(self):
        body, _response = self.call(f"{API}/slots", "get", f"{API}/slots", 200, params={
            "consultant": self.consultant.id, "duration": 60, "start": self.day.isoformat(),
            "end": self.day.isoformat(), "tz": "Europe/Berlin"})
        self.assertGreater(len(body["slots"]), 2, body)
        return [slot["start"] for slot in body["slots"]]

    def booking_payload(self, start, **values):
        return {
            "consultant": self.consultant.id, "start": start, "duration": 60, "meeting_type": "video",
            "tz": "Asia/Kolkata", "first_name": "Priya", "last_name": "Sharma",
            "email": "priya.sharma@vbt-client.example", "phone": "+91 22 1234 5678", "company": "Sharma Solar",
            "subject": "Rooftop solar", "message": "A 500 kWp roof.", "language": "en",
            "terms_accepted": True, "privacy_accepted": True, "marketing_consent": False, **values,
        }

    def post_booking(self, expected_status, payload=None, data=None, headers=None):
        if data is None:
            data = json.dumps(payload)
        return self.call(API, "post", API, expected_status, data=data,
                         headers={"Content-Type": "application/json", **(headers or {})})

    # ------------------------------------------------------------------
    # The document
    # ------------------------------------------------------------------

    def test_document_is_valid_and_served_for_the_requesting_host(self):
        response = self.url_open(f"{API}/openapi.json")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers["Content-Type"].split(";")[0], "application/json")
        served = response.json()
        self.assertEqual(served["servers"], [{"url": self.base_url()}])
        stored = load_document(DOCUMENT_PATH)
        self.assertEqual(set(served["paths"]), set(stored["paths"]),
                         "one source: the route serves the stored file (companion addons only add keys)")
        self.assertEqual(served["info"], stored["info"])
        self.assertRegex(served["openapi"], r"^3\.1\.\d+$")
        self.assertEqual(OpenApiDocument(served).problems(), [])

    def test_every_route_of_the_api_is_documented(self):
        routes = routes_of(self.env, "voltaic_booking", prefix=API)
        self.assertIn((f"{API}/slots", "get"), routes)
        self.assertEqual(routes, self.spec.operations())

    def test_documented_error_shape(self):
        error = self.spec.document["components"]["schemas"]["Error"]
        self.assertEqual(len(error["oneOf"]), 3, "simple, validation (fields) and slot (alternatives) errors")
        responses = self.spec.document["paths"][API]["post"]["responses"]
        self.assertEqual(set(responses), {"201", "400", "409", "422", "429", "503"})
        self.assertIn("Retry-After", responses["503"]["headers"])
        self.assertIn("Retry-After", responses["429"]["headers"])

    # ------------------------------------------------------------------
    # Live answers: consultants and slots
    # ------------------------------------------------------------------

    def test_consultants_and_photo_answers(self):
        path = f"{API}/consultants"
        body, _response = self.call(path, "get", path, 200)
        self.assertIn(self.consultant.id, [profile["id"] for profile in body["consultants"]])
        self.call(path, "get", f"{path}?lang=de", 200, headers={"Accept-Language": "de-DE"})
        photo = f"{API}/consultants/{{consultant_id}}/photo"
        self.call(photo, "get", f"{API}/consultants/{self.consultant.id}/photo", 200)
        self.call(photo, "get", f"{API}/consultants/{self.closed.id}/photo", 404)

    def test_slots_answers(self):
        path = f"{API}/slots"
        self.free_slots()
        self.call(path, "get", path, 400)
        self.call(path, "get", path, 400, params={"consultant": "anna"})
        self.call(path, "get", path, 404, params={"consultant": self.closed.id})
        body, _response = self.call(path, "get", path, 422, params={
            "consultant": self.consultant.id, "duration": 45, "tz": "Mars/Olympus", "start": "tomorrow"})
        self.assertEqual(set(body["error"]["fields"]), {"duration", "tz", "start"})

    # ------------------------------------------------------------------
    # Live answers: booking
    # ------------------------------------------------------------------

    def test_booking_answers(self):
        starts = self.free_slots()
        created, _response = self.post_booking(201, self.booking_payload(starts[0]))
        self.assertLessEqual(
            {"reference", "start", "end", "consultant", "manage_url", "ics_url"}, set(created),
            "a free consultation is confirmed at once: the core keys")

        body, _response = self.post_booking(409, self.booking_payload(starts[0], email="tom@vbt-client.example"))
        self.assertEqual(body["error"]["code"], "slot_unavailable")
        self.assertTrue(body["error"]["alternatives"])

        body, _response = self.post_booking(422, self.booking_payload(
            starts[1], email="not-an-address", duration="long", privacy_accepted="yes"))
        self.assertEqual(body["error"]["code"], "validation")
        self.assertLessEqual({"email", "duration", "privacy_accepted"}, set(body["error"]["fields"]))

        for raw in ("[1, 2]", "not json", ""):
            with self.subTest(body=raw):
                body, _response = self.post_booking(400, data=raw)
                self.assertEqual(body["error"]["code"], "bad_request")

        token = created["manage_url"].split("token=")[1]
        reference = f"{API}/{{reference}}"
        booking, _response = self.call(reference, "get", f"{API}/{created['reference']}?token={token}", 200)
        self.assertEqual((booking["reference"], booking["state"]), (created["reference"], "confirmed"))
        self.call(reference, "get", f"{API}/{created['reference']}?token=wrong", 404)
        self.call(reference, "get", f"{API}/VLT-00000000-NONE?token={token}", 404)
        ics = f"{API}/{{reference}}/ics"
        self.call(ics, "get", f"{API}/{created['reference']}/ics?token={token}", 200)
        self.call(ics, "get", f"{API}/{created['reference']}/ics", 404)

    def test_idempotency_answers(self):
        starts = self.free_slots()
        payload = self.booking_payload(starts[2])
        key = {"Idempotency-Key": "vbt-openapi-1"}
        first, _response = self.post_booking(201, payload, headers=key)
        again, _response = self.post_booking(201, payload, headers=key)
        self.assertEqual(again, first, "a retry gets the stored answer")
        body, _response = self.post_booking(422, {**payload, "subject": "Other"}, headers=key)
        self.assertEqual(body["error"]["code"], "idempotency_mismatch")

        running = json.dumps(self.booking_payload(starts[3])).encode()
        self.env["voltaic.booking.idempotency"]._remember("vbt-openapi-running", running, 0, None)
        body, _response = self.post_booking(409, data=running, headers={"Idempotency-Key": "vbt-openapi-running"})
        self.assertEqual(body["error"]["code"], "idempotency_in_progress")

    def test_change_answers(self):
        """Reschedule and cancel by token: 200, 400, 404, 409 (taken slot, deadline, cancelled), 422."""
        starts = self.free_slots()  # 10:00, 10:30, 11:00, 11:30, 12:00, 14:00, ... in Berlin
        created, _response = self.post_booking(201, self.booking_payload(starts[0]))
        self.post_booking(201, self.booking_payload(starts[4], email="tom@vbt-client.example"))  # 12:00
        token = created["manage_url"].split("token=")[1]
        reference = created["reference"]
        reschedule, cancel = f"{API}/{{reference}}/reschedule", f"{API}/{{reference}}/cancel"

        def change(path, expected_status, body=None, bearer=token, headers=None):
            url = path.replace("{reference}", reference)
            headers = {"Content-Type": "application/json", **(headers or {})}
            if bearer:
                headers["Authorization"] = f"Bearer {bearer}"
            data = body if isinstance(body, str) else json.dumps(body or {})
            return self.call(path, "post", url, expected_status, data=data, headers=headers)[0]

        body = change(reschedule, 409, {"start": starts[4]})
        self.assertEqual(body["error"]["code"], "slot_unavailable")
        body = change(reschedule, 422, {"start": "soon", "duration": "long", "tz": "Mars/Olympus"})
        self.assertEqual(set(body["error"]["fields"]), {"start", "duration", "tz"})
        self.assertEqual(change(reschedule, 400, "[1]")["error"]["code"], "bad_request")
        for path in (reschedule, cancel):
            self.assertEqual(change(path, 404, {"start": starts[1]}, bearer="wrong")["error"]["code"], "not_found")
        moved = change(reschedule, 200, {"start": starts[2]}, headers={"Idempotency-Key": "vbt-openapi-move"})
        self.assertEqual(moved["start"], starts[2])
        self.assertEqual(change(reschedule, 200, {"start": starts[2]}, headers={"Idempotency-Key": "vbt-openapi-move"}),
                         moved)
        body = change(reschedule, 422, {"start": starts[5]}, headers={"Idempotency-Key": "vbt-openapi-move"})
        self.assertEqual(body["error"]["code"], "idempotency_mismatch")

        self.consultant.edit_deadline_hours = 24 * 365
        for path in (reschedule, cancel):
            self.assertEqual(change(path, 409, {"start": starts[5]})["error"]["code"], "change_deadline_passed")
        self.consultant.edit_deadline_hours = 0
        cancelled = change(cancel, 200, {"reason": "Plans changed", "token": token}, bearer=None)
        self.assertEqual(cancelled["state"], "cancelled")
        self.assertEqual(change(cancel, 409)["error"]["code"], "already_cancelled")

    def test_rate_limited_answer(self):
        self.env["ir.config_parameter"].sudo().set_param(RATE_PARAM, "1")
        self.post_booking(422, {})
        body, response = self.post_booking(429, {})
        self.assertEqual(body["error"]["code"], "rate_limited")
        self.assertEqual(response.headers["Retry-After"], "60")
