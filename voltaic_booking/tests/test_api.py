"""The public JSON API (``controllers/api.py``) over HTTP, as an integrator's client uses it.

Every request goes through the real HTTP stack (``url_open``) with JSON
bodies; in test mode the requests share the test's transaction, so what the
API writes (bookings, leads, events) is visible to the assertions and rolled
back afterwards. The clock is real: slots are taken a few weeks ahead.
"""

import base64
import io
import json
from datetime import datetime, timedelta, timezone
from unittest.mock import patch
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

import psycopg2.errors
from PIL import Image

from odoo import Command
from odoo.service.model import MAX_TRIES_ON_CONCURRENCY_FAILURE
from odoo.tests import HttpCase, freeze_time, tagged
from odoo.tools import mute_logger

from ..models.booking import BOOKING_LOCK_NAMESPACE, _expected_conflict
from .common import BERLIN, NOW, VoltaicBookingCase, local

UTC = timezone.utc

API = "/api/consultations"
RATE_PARAM = "voltaic_booking.rate_limit_per_minute"
CONSULTANT_KEYS = {
    "id", "name", "title", "photo_url", "bio", "expertise", "languages", "meeting_types", "durations",
    "timezone", "next_available",
}
CREATED_KEYS = {"reference", "start", "end", "consultant", "manage_url", "ics_url"}
KOLKATA = ZoneInfo("Asia/Kolkata")


def png_bytes(color="orange", size=(64, 64)):
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return buffer.getvalue()


@tagged("post_install", "-at_install")
class TestBookingApi(HttpCase, VoltaicBookingCase):
    """Consultants list, slots, booking, idempotency, rate limit, a booking's own page and its ICS."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].sudo().set_param(RATE_PARAM, "0")
        expertise = cls.env["voltaic.consultant.expertise"].create([{"name": "VBT Heat Pumps"},
                                                                    {"name": "VBT Photovoltaics"}])
        cls.env["res.lang"]._activate_lang("de_DE")
        cls.consultant.write({
            "job_title": "Senior Energy Consultant",
            "bio": "<p>Ten years of <b>solar</b> projects.</p>",
            "expertise_ids": [Command.set(expertise.ids)],
            "language_ids": [Command.set(cls.env["res.lang"]._lang_get("en_US").ids
                                         + cls.env["res.lang"]._lang_get("de_DE").ids)],
            "linkedin_url": "https://www.linkedin.com/in/vbt-anja",
            "image_1920": base64.b64encode(png_bytes()),
            "min_notice_hours": 12,
            "buffer_before_minutes": 10,
            "buffer_after_minutes": 15,
            "daily_booking_limit": 6,
        })
        cls.consultant_user.partner_id.phone = "+49 30 5555 0101"
        cls.closed = cls._make_consultant("VBT Clara Closed", "vbt_clara", is_accepting_bookings=False)
        cls.day = cls._monday_without_time_off()

    def setUp(self):
        super().setUp()
        self.env["ir.config_parameter"].sudo().set_param(RATE_PARAM, "0")

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    def get_json(self, url, params=None, headers=None):
        response = self.url_open(url, params=params, headers=headers)
        self.assertEqual(response.headers.get("Content-Type", "").split(";")[0], "application/json", response.text)
        return response, response.json()

    def post(self, payload, headers=None):
        return self.url_open(API, json=payload, headers=headers, method="POST")

    def post_raw(self, body, content_type="application/json"):
        return self.url_open(API, data=body, headers={"Content-Type": content_type}, method="POST")

    def slots(self, consultant=None, **params):
        params = {"consultant": (consultant or self.consultant).id, "duration": 60,
                  "start": self.day.isoformat(), "end": self.day.isoformat(), "tz": "Europe/Berlin", **params}
        return self.get_json(f"{API}/slots", params=params)

    def free_slot(self, consultant=None, index=0, duration=60):
        """The ``index``-th free slot start (UTC ISO string) of the test Monday, read from the API."""
        response, data = self.slots(consultant, duration=duration)
        self.assertEqual(response.status_code, 200, data)
        return data["slots"][index]["start"]

    def booking_payload(self, start, **values):
        return {
            "consultant": self.consultant.id,
            "start": start,
            "duration": 60,
            "meeting_type": "video",
            "tz": "Asia/Kolkata",
            "first_name": "Priya",
            "last_name": "Sharma",
            "email": "priya.sharma@vbt-client.example",
            "phone": "+91 22 1234 5678",
            "company": "Sharma Solar",
            "website": "https://sharma-solar.example",
            "position": "Head of Facilities",
            "subject": "Rooftop solar for our warehouse",
            "message": "We would like to discuss a 500 kWp installation.",
            "language": "en",
            "terms_accepted": True,
            "privacy_accepted": True,
            "marketing_consent": False,
            **values,
        }

    def bookings(self, **domain):
        return self.env["voltaic.booking"].sudo().search([(key, "=", value) for key, value in domain.items()])

    def assertNot500(self, response):
        self.assertLess(response.status_code, 500, f"{response.request.method} {response.url}: {response.text}")

    # ------------------------------------------------------------------
    # GET /api/consultations/consultants
    # ------------------------------------------------------------------

    def test_consultants_durations_are_the_offered_minutes(self):
        """``durations`` stays a list of minutes; it lists the active duration lines, and only those are booked."""
        thirty = self.other_consultant.duration_ids.filtered(lambda line: line.duration == 30)
        self.other_consultant.write({"duration_ids": [Command.update(thirty.id, {"active": False}),
                                                      Command.create({"duration": 90})]})
        _response, data = self.get_json(f"{API}/consultants")
        durations = {profile["id"]: profile["durations"] for profile in data["consultants"]}
        self.assertEqual(durations[self.consultant.id], [30, 60])
        self.assertEqual(durations[self.other_consultant.id], [60, 90])
        self.assertTrue(all(isinstance(minutes, int) and not isinstance(minutes, bool)
                            for minutes in durations[self.other_consultant.id]))

        response, data = self.slots(self.other_consultant, duration=30)
        self.assertEqual(response.status_code, 422, data)
        self.assertEqual(set(data["error"]["fields"]), {"duration"})
        self.assertIn("60, 90", data["error"]["fields"]["duration"])
        self.assertEqual(self.slots(self.other_consultant, duration=90)[0].status_code, 200)

        start = self.free_slot(self.other_consultant, duration=60)
        response = self.post(self.booking_payload(start, consultant=self.other_consultant.id, duration=30))
        self.assertEqual(response.status_code, 422, response.text)
        self.assertEqual(set(response.json()["error"]["fields"]), {"duration"})

    def test_consultants_public_profile_only(self):
        response, data = self.get_json(f"{API}/consultants")
        self.assertEqual(response.status_code, 200)
        profiles = {profile["id"]: profile for profile in data["consultants"]}
        self.assertIn(self.consultant.id, profiles)
        self.assertIn(self.other_consultant.id, profiles)
        self.assertNotIn(self.closed.id, profiles, "a consultant who does not accept bookings is not listed")
        accepting = self.env["voltaic.consultant"].sudo().browse(list(profiles)).mapped("is_accepting_bookings")
        self.assertTrue(all(accepting))

        for profile in profiles.values():
            self.assertEqual(set(profile), CONSULTANT_KEYS)
        anja = profiles[self.consultant.id]
        self.assertEqual(anja["name"], "VBT Anja Berger")
        self.assertEqual(anja["title"], "Senior Energy Consultant")
        self.assertEqual(anja["bio"], "Ten years of *solar* projects.")
        self.assertEqual(sorted(anja["expertise"]), ["VBT Heat Pumps", "VBT Photovoltaics"])
        self.assertEqual(anja["languages"], ["de", "en"])
        self.assertEqual(anja["meeting_types"], ["video", "phone", "in_person"])
        self.assertEqual(anja["durations"], [30, 60])
        self.assertEqual(anja["timezone"], "Europe/Berlin")
        next_available = datetime.fromisoformat(anja["next_available"])
        self.assertTrue(anja["next_available"].endswith("Z"))
        self.assertGreaterEqual(next_available, datetime.now(UTC) + timedelta(hours=12), "minimum notice holds")

        # nothing private: no contact data, no internal ids, no booking rules
        text = json.dumps(anja)
        for private in ("vbt_anja@vbt-voltaic.example", "vbt-voltaic.example", "+49 30 5555 0101", "email",
                        "user", "partner", "phone_info", "We call you", "buffer", "limit", "notice", "advance",
                        "Friedrichstrasse", "access_token"):
            self.assertNotIn(private, text)
        self.assertNotIn("vbt_anja@vbt-voltaic.example", response.text)
        self.assertNotIn("+49 30 5555 0101", response.text)
        for forbidden_value in (self.consultant_user.id, self.consultant.partner_id.id):
            self.assertNotIn(forbidden_value, [value for value in anja.values() if isinstance(value, int)])

    def test_consultant_photo(self):
        _response, data = self.get_json(f"{API}/consultants")
        anja = next(p for p in data["consultants"] if p["id"] == self.consultant.id)
        photo = self.url_open(urlparse(anja["photo_url"]).path)
        self.assertEqual(photo.status_code, 200)
        self.assertEqual(photo.headers["Content-Type"], "image/png")
        image = Image.open(io.BytesIO(photo.content))
        self.assertEqual(image.size, (64, 64))
        self.assertEqual(image.convert("RGB").getpixel((10, 10)), (255, 165, 0))

        # a consultant without a photo gets the placeholder; a closed one is not published
        bruno = next(p for p in data["consultants"] if p["id"] == self.other_consultant.id)
        placeholder = self.url_open(urlparse(bruno["photo_url"]).path)
        self.assertEqual(placeholder.status_code, 200)
        self.assertTrue(placeholder.headers["Content-Type"].startswith("image/"))
        self.assertEqual(self.url_open(f"{API}/consultants/{self.closed.id}/photo").status_code, 404)
        self.assertEqual(self.url_open(f"{API}/consultants/987654321/photo").status_code, 404)

    def test_consultants_list_queries_do_not_grow_with_consultants(self):
        """The list, with each consultant's next free time, runs no query per consultant."""
        def assert_queries(listed):
            self.url_open(f"{API}/consultants")  # warm the caches
            with self.assertQueryCount(29):  # measured: the same for the demo consultants and ours, and six more
                _response, data = self.get_json(f"{API}/consultants")
            self.assertEqual(len(data["consultants"]), listed)

        listed = len(self.get_json(f"{API}/consultants")[1]["consultants"])
        assert_queries(listed)
        for index in range(6):
            self._make_consultant(f"VBT Listed {index}", f"vbt_listed_{index}")
        assert_queries(listed + 6)

    # ------------------------------------------------------------------
    # GET /api/consultations/slots
    # ------------------------------------------------------------------

    def test_slots_shape_and_zones(self):
        response, data = self.slots()
        self.assertEqual(response.status_code, 200)
        self.assertEqual(data["consultant"], self.consultant.id)
        self.assertEqual(data["duration"], 60)
        self.assertEqual(data["tz"], "Europe/Berlin")
        starts = [datetime.fromisoformat(slot["start"]).astimezone(BERLIN) for slot in data["slots"]]
        # 10:00-13:00 and 14:00-19:00, every half hour (buffers only matter next to busy time)
        expected = [(10, 0), (10, 30), (11, 0), (11, 30), (12, 0),
                    (14, 0), (14, 30), (15, 0), (15, 30), (16, 0), (16, 30), (17, 0), (17, 30), (18, 0)]
        self.assertEqual([(start.hour, start.minute) for start in starts], expected)
        self.assertTrue(all(start.date() == self.day for start in starts))
        for slot in data["slots"]:
            self.assertEqual(set(slot), {"start", "end", "local_start"})
            self.assertRegex(slot["start"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
            self.assertRegex(slot["end"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
            self.assertEqual(datetime.fromisoformat(slot["end"]) - datetime.fromisoformat(slot["start"]),
                             timedelta(hours=1))
            self.assertEqual(datetime.fromisoformat(slot["local_start"]), datetime.fromisoformat(slot["start"]))

        # a client in Kolkata (+05:30) gets the same instants with their own offset, for their own day
        response, kolkata = self.slots(tz="Asia/Kolkata")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(kolkata["tz"], "Asia/Kolkata")
        self.assertTrue(kolkata["slots"])
        for slot in kolkata["slots"]:
            self.assertTrue(slot["local_start"].endswith("+05:30"), slot)
            local_start = datetime.fromisoformat(slot["local_start"])
            self.assertEqual(local_start, datetime.fromisoformat(slot["start"]))
            self.assertEqual(local_start.date(), self.day)
        first = datetime.fromisoformat(kolkata["slots"][0]["start"])
        self.assertEqual(kolkata["slots"][0]["local_start"], first.astimezone(KOLKATA).isoformat())

    def test_slots_skip_busy_time(self):
        taken = datetime.combine(self.day, datetime.min.time().replace(hour=11), tzinfo=BERLIN)
        self._busy_event(self.consultant, taken, taken + timedelta(hours=1))
        _response, data = self.slots()
        starts = {datetime.fromisoformat(slot["start"]).astimezone(BERLIN).strftime("%H:%M") for slot in data["slots"]}
        # a meeting keeps 10 min before and 15 min after it free: with an event at 11:00-12:00
        # no morning start fits any more (10:00 would run into it with its buffer, 12:00 too)
        self.assertEqual(sorted(starts), ["14:00", "14:30", "15:00", "15:30", "16:00", "16:30", "17:00", "17:30",
                                          "18:00"])

    def test_slots_range_capped(self):
        response, data = self.slots(end=(self.day + timedelta(days=120)).isoformat(), tz="UTC")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(data["start"], self.day.isoformat())
        self.assertEqual(data["end"], (self.day + timedelta(days=61)).isoformat())
        last_start = datetime.fromisoformat(data["slots"][-1]["start"])
        self.assertLessEqual(last_start.date(), self.day + timedelta(days=61))
        self.assertGreaterEqual(last_start.date(), self.day + timedelta(days=55), "the capped range is answered")

    def test_slots_bad_input(self):
        response, data = self.get_json(f"{API}/slots", params={"consultant": "abc", "duration": 60})
        self.assertEqual(response.status_code, 400)
        self.assertEqual(data["error"]["code"], "bad_request")
        response, data = self.get_json(f"{API}/slots")
        self.assertEqual(response.status_code, 400)
        for missing in (987654321, self.closed.id):
            response, data = self.get_json(f"{API}/slots", params={"consultant": missing})
            self.assertEqual(response.status_code, 404)
            self.assertEqual(data["error"]["code"], "not_found")

        response, data = self.slots(duration=45, tz="Mars/Olympus_Mons", start="2027-13-45",
                                    end="next tuesday")
        self.assertEqual(response.status_code, 422)
        self.assertEqual(data["error"]["code"], "validation")
        self.assertTrue(data["error"]["message"])
        self.assertEqual(set(data["error"]["fields"]), {"duration", "tz", "start", "end"})
        self.assertIn("30, 60", data["error"]["fields"]["duration"])
        response, data = self.slots(duration="sixty")
        self.assertEqual(response.status_code, 422)
        self.assertEqual(set(data["error"]["fields"]), {"duration"})
        response, data = self.slots(start=self.day.isoformat(), end=(self.day - timedelta(days=1)).isoformat())
        self.assertEqual(response.status_code, 422)
        self.assertEqual(set(data["error"]["fields"]), {"end"})
        # dates at the ends of the calendar are refused, not computed
        for start in ("9999-12-31", "0001-01-01", (self.day + timedelta(days=3700)).isoformat()):
            response, data = self.slots(start=start, end=None)
            self.assertEqual(response.status_code, 422, data)
            self.assertEqual(set(data["error"]["fields"]), {"start"})
        # a far end is only capped
        response, data = self.slots(end="9999-12-31")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(data["end"], (self.day + timedelta(days=61)).isoformat())

    def test_slots_never_500(self):
        odd_params = [
            {"consultant": "99999999999999999999"},
            {"consultant": "-1"},
            {"consultant": "1.5"},
            {"consultant": self.consultant.id, "duration": "-60"},
            {"consultant": self.consultant.id, "duration": "1e3"},
            {"consultant": self.consultant.id, "start": "9999-12-31"},
            {"consultant": self.consultant.id, "start": "9999-12-01", "end": "9999-12-31"},
            {"consultant": self.consultant.id, "start": "0001-01-01"},
            {"consultant": self.consultant.id, "start": "0001-01-01", "end": "0001-01-01"},
            {"consultant": self.consultant.id, "tz": "../../etc/passwd"},
            {"consultant": self.consultant.id, "tz": "Europe/Berlin\x00"},
            {"consultant": self.consultant.id, "tz": ""},
            {"consultant": self.consultant.id, "start": "2027-02-30"},
            {"consultant": self.consultant.id, "start": "'; DROP TABLE voltaic_booking; --"},
        ]
        for params in odd_params:
            with self.subTest(params=params):
                response = self.url_open(f"{API}/slots", params=params)
                self.assertNot500(response)
                self.assertEqual(response.headers["Content-Type"].split(";")[0], "application/json")

    # ------------------------------------------------------------------
    # POST /api/consultations
    # ------------------------------------------------------------------

    def test_book_creates_booking_lead_and_event(self):
        start = self.free_slot(index=3)
        response = self.post(self.booking_payload(start))
        self.assertEqual(response.status_code, 201, response.text)
        data = response.json()
        self.assertEqual(set(data), CREATED_KEYS)
        self.assertEqual(data["start"], start)
        self.assertEqual(datetime.fromisoformat(data["end"]) - datetime.fromisoformat(start), timedelta(hours=1))
        self.assertEqual(data["consultant"], self.consultant.id)
        self.assertRegex(data["reference"], r"^VLT-\d{8}-[A-Z2-9]{4}$")

        booking = self.bookings(reference=data["reference"])
        self.assertEqual(len(booking), 1)
        self.assertEqual(booking.state, "confirmed")
        self.assertEqual(booking.source, "api")
        self.assertEqual(booking.consultant_id, self.consultant)
        self.assertEqual(booking.start, datetime.fromisoformat(start).replace(tzinfo=None))
        self.assertEqual(booking.client_tz, "Asia/Kolkata")
        self.assertEqual(booking.email, "priya.sharma@vbt-client.example")
        self.assertEqual(booking.partner_id.email_normalized, "priya.sharma@vbt-client.example")
        self.assertTrue(booking.terms_accepted and booking.privacy_accepted)
        self.assertFalse(booking.marketing_consent)

        lead = booking.lead_id
        self.assertTrue(lead)
        self.assertEqual(lead.type, "opportunity")
        self.assertEqual(lead.partner_id, booking.partner_id)
        self.assertEqual(lead.user_id, self.consultant_user)
        self.assertEqual(lead.team_id, self.team)
        self.assertIn("500 kWp", lead.description)

        event = booking.event_id
        self.assertTrue(event)
        self.assertEqual(event.start, booking.start)
        self.assertEqual(event.stop, booking.stop)
        self.assertEqual(event.opportunity_id, lead)
        self.assertEqual(event.partner_ids, self.consultant.partner_id | booking.partner_id)
        self.assertEqual(event.user_id, self.consultant_user)

        self.assertEqual(data["manage_url"], booking._public_urls()["manage_url"])
        self.assertIn(f"token={booking.access_token}", data["ics_url"])
        # the slot is gone from the API
        _response, after = self.slots()
        self.assertNotIn(start, [slot["start"] for slot in after["slots"]])

    def test_book_taken_slot_conflict_with_alternatives(self):
        start = self.free_slot(index=2)
        self.assertEqual(self.post(self.booking_payload(start)).status_code, 201)
        response = self.post(self.booking_payload(start, email="tom.baker@vbt-client.example",
                                                  first_name="Tom", last_name="Baker"))
        self.assertEqual(response.status_code, 409, response.text)
        error = response.json()["error"]
        self.assertEqual(error["code"], "slot_unavailable")
        self.assertTrue(error["message"])
        self.assertTrue(error["alternatives"])
        self.assertLessEqual(len(error["alternatives"]), 3)
        _response, free = self.slots()
        free_starts = [slot["start"] for slot in free["slots"]]
        for alternative in error["alternatives"]:
            self.assertEqual(set(alternative), {"start", "end", "local_start"})
            self.assertNotEqual(alternative["start"], start)
            self.assertIn(alternative["start"], free_starts, "alternatives are bookable slots")
            self.assertTrue(alternative["local_start"].endswith("+05:30"), "in the client's zone")
        self.assertFalse(self.bookings(email="tom.baker@vbt-client.example"))
        self.assertEqual(len(self.bookings(consultant_id=self.consultant.id, state="confirmed")), 1)

    def test_book_overlapping_with_buffers_is_a_conflict(self):
        start = self.free_slot(index=0)  # 10:00-11:00, 15 minutes kept free after it
        self.assertEqual(self.post(self.booking_payload(start)).status_code, 201)
        nearly = (datetime.fromisoformat(start) + timedelta(hours=1)).isoformat().replace("+00:00", "Z")
        response = self.post(self.booking_payload(nearly, email="tom.baker@vbt-client.example"))
        self.assertEqual(response.status_code, 409, response.text)

    def test_book_validation_errors_per_field(self):
        start = self.free_slot()
        response = self.post(self.booking_payload(
            start, email="priya.sharma@", first_name="  ", last_name="", terms_accepted=False,
            privacy_accepted=False, meeting_type="carrier_pigeon", language="fr", phone="call me maybe",
            website="not a website", tz="Mars/Olympus_Mons"))
        self.assertEqual(response.status_code, 422, response.text)
        error = response.json()["error"]
        self.assertEqual(error["code"], "validation")
        self.assertTrue(error["message"])
        self.assertEqual(set(error["fields"]), {
            "email", "first_name", "last_name", "terms_accepted", "privacy_accepted", "meeting_type", "language",
            "phone", "website", "tz"})
        for message in error["fields"].values():
            self.assertIsInstance(message, str)
            self.assertTrue(message)
        self.assertFalse(self.bookings(email="priya.sharma@vbt-client.example"))

        # wrong types and missing keys are per-field errors too, reported together
        response = self.post({"consultant": "anja", "duration": "an hour", "start": 1767225600,
                              "first_name": ["Priya"], "last_name": {"x": 1}, "email": 42,
                              "terms_accepted": "yes", "privacy_accepted": 1})
        self.assertEqual(response.status_code, 422, response.text)
        fields = response.json()["error"]["fields"]
        for name in ("consultant", "duration", "start", "first_name", "last_name", "email", "terms_accepted",
                     "privacy_accepted"):
            self.assertIn(name, fields)

        response = self.post(self.booking_payload(start, duration=45))
        self.assertEqual(response.status_code, 422)
        self.assertEqual(set(response.json()["error"]["fields"]), {"duration"})
        response = self.post(self.booking_payload(start, consultant=self.closed.id))
        self.assertEqual(response.status_code, 422)
        self.assertIn("consultant", response.json()["error"]["fields"])
        response = self.post(self.booking_payload("2027-03-01 10:00 in the morning"))
        self.assertEqual(response.status_code, 422)
        self.assertEqual(set(response.json()["error"]["fields"]), {"start"})
        for far in ("9999-12-31T23:00:00Z", "0001-01-01T00:00:00Z"):
            response = self.post(self.booking_payload(far))
            self.assertEqual(response.status_code, 422, response.text)
            self.assertEqual(set(response.json()["error"]["fields"]), {"start"})
        # a duration no consultant offers is a duration error only, however large
        response = self.post(self.booking_payload(start, duration=10**30))
        self.assertEqual(response.status_code, 422, response.text)
        self.assertEqual(set(response.json()["error"]["fields"]), {"duration"})

    def test_book_optional_fields_default(self):
        response = self.post(self.booking_payload(self.free_slot(), language=None, meeting_type=None, tz=None,
                                                  phone=None, company=None, website=None, position=None,
                                                  subject=None, message=None))
        self.assertEqual(response.status_code, 201, response.text)
        booking = self.bookings(reference=response.json()["reference"])
        self.assertEqual((booking.language, booking.meeting_type, booking.client_tz), ("en", "video", "UTC"))
        self.assertFalse(booking.phone or booking.company or booking.subject or booking.marketing_consent)

    def test_book_odd_input_never_500(self):
        start = self.free_slot()
        odd_payloads = [
            self.booking_payload("9999-12-31T23:00:00Z"),
            self.booking_payload("0001-01-01T00:00:00Z"),
            self.booking_payload("2000-01-03T10:00:00Z"),
            self.booking_payload(start, consultant=99999999999999999999),
            self.booking_payload(start, consultant=-3),
            self.booking_payload(start, duration=10**30),
            self.booking_payload(start, duration=True),
            self.booking_payload(start, email="a" * 300 + "@example.com"),
            self.booking_payload(start, message="x" * 6000, first_name="y" * 150),
            self.booking_payload(start, tz="../../etc/passwd"),
            {"consultant": None},
            {},
        ]
        for payload in odd_payloads:
            with self.subTest(payload={k: str(v)[:40] for k, v in payload.items()}):
                response = self.post(payload)
                self.assertNot500(response)
                self.assertIn(response.status_code, (409, 422), response.text)
                self.assertIn("error", response.json())

    def test_malformed_body_is_400(self):
        for body, content_type in (
            (b"{not json", "application/json"),
            (b"", "application/json"),
            (b"[1, 2, 3]", "application/json"),
            (b'"book me"', "application/json"),
            (b"null", "application/json"),
            (b"\xff\xfe\x00", "application/json"),
            (b"first_name=Priya&last_name=Sharma", "application/x-www-form-urlencoded"),
        ):
            with self.subTest(body=body):
                response = self.post_raw(body, content_type)
                self.assertEqual(response.status_code, 400, response.text)
                error = response.json()["error"]
                self.assertEqual(error["code"], "bad_request")
                self.assertTrue(error["message"])

    def test_rate_limit(self):
        self.env["ir.config_parameter"].sudo().set_param(RATE_PARAM, "2")
        self.assertEqual(self.post({}).status_code, 422)
        self.assertEqual(self.post_raw(b"{oops").status_code, 400)
        start = self.free_slot()
        response = self.post(self.booking_payload(start))
        self.assertEqual(response.status_code, 429, response.text)
        self.assertEqual(response.json()["error"]["code"], "rate_limited")
        self.assertEqual(response.headers.get("Retry-After"), "60")
        self.assertFalse(self.bookings(email="priya.sharma@vbt-client.example"), "a limited request books nothing")
        # reading is not limited
        self.assertEqual(self.slots()[0].status_code, 200)

        # 0 disables the limit
        self.env["ir.config_parameter"].sudo().set_param(RATE_PARAM, "0")
        for _attempt in range(4):
            self.assertEqual(self.post({}).status_code, 422)
        self.assertEqual(self.post(self.booking_payload(start)).status_code, 201)

    # ------------------------------------------------------------------
    # Idempotency-Key
    # ------------------------------------------------------------------

    def test_idempotent_retry_is_answered_over_the_rate_limit(self):
        """A client retrying a booking that went through gets its 201, not a 429 that hides it."""
        self.env["ir.config_parameter"].sudo().set_param(RATE_PARAM, "1")
        payload = self.booking_payload(self.free_slot(index=3))
        headers = {"Idempotency-Key": "vbt-9b2d-over-limit"}
        first = self.post(payload, headers=headers)
        self.assertEqual(first.status_code, 201, first.text)
        self.assertEqual(self.post({}).status_code, 429, "the limit is reached")
        retry = self.post(payload, headers=headers)
        self.assertEqual(retry.status_code, 201, retry.text)
        self.assertEqual(retry.json(), first.json())
        self.assertEqual(len(self.bookings(email="priya.sharma@vbt-client.example")), 1)
        # a new key is a new request: limited
        self.assertEqual(self.post(payload, headers={"Idempotency-Key": "vbt-9b2d-other"}).status_code, 429)

    def test_a_booking_that_keeps_meeting_concurrent_writers_answers_503_not_500(self):
        """Odoo redoes a request that meets a concurrent writer, five times in all; when the last try
        still does, the client gets 503 "busy" with Retry-After (never a 500), nothing is kept, and
        the retry with the same Idempotency-Key books."""
        start = self.free_slot(index=2)
        payload = self.booking_payload(start)
        headers = {"Idempotency-Key": "vbt-7c3e-busy"}
        booking_class = type(self.env["voltaic.booking"])
        tries = []

        def meets_a_concurrent_writer(model, values):
            tries.append(values["start"])
            # what PostgreSQL raises when a row this transaction writes was changed since its snapshot
            model.env.cr.execute("""
                DO $$ BEGIN RAISE EXCEPTION 'could not serialize access due to concurrent update'
                                  USING ERRCODE = 'serialization_failure'; END $$
            """)

        with patch.object(booking_class, "_book", meets_a_concurrent_writer), \
                patch("odoo.service.model.random.uniform", return_value=0), \
                mute_logger("odoo.service.model", "odoo.sql_db"):
            response = self.post(payload, headers=headers)
        self.assertEqual(response.status_code, 503, response.text)
        self.assertEqual(response.headers.get("Retry-After"), "5")
        self.assertEqual(response.json()["error"]["code"], "busy")
        self.assertEqual(len(tries), MAX_TRIES_ON_CONCURRENCY_FAILURE, "Odoo's retries came first")
        self.assertFalse(self.bookings(email="priya.sharma@vbt-client.example"))

        retry = self.post(payload, headers=headers)
        self.assertEqual(retry.status_code, 201, retry.text)
        self.assertEqual(len(self.bookings(email="priya.sharma@vbt-client.example")), 1)

    def test_idempotent_retry(self):
        start = self.free_slot(index=4)
        payload = self.booking_payload(start)
        headers = {"Idempotency-Key": "vbt-4f1c9a1e-retry"}
        first = self.post(payload, headers=headers)
        self.assertEqual(first.status_code, 201, first.text)
        retry = self.post(payload, headers=headers)
        self.assertEqual(retry.status_code, 201, retry.text)
        self.assertEqual(retry.json(), first.json())
        self.assertEqual(len(self.bookings(email="priya.sharma@vbt-client.example")), 1)
        self.assertEqual(self.env["crm.lead"].sudo().search_count(
            [("email_from", "=", "priya.sharma@vbt-client.example")]), 1)

        # the same key with another body is refused, and books nothing
        other = self.post(self.booking_payload(self.free_slot(index=6), email="tom.baker@vbt-client.example"),
                          headers=headers)
        self.assertEqual(other.status_code, 422, other.text)
        self.assertEqual(other.json()["error"]["code"], "idempotency_mismatch")
        self.assertFalse(self.bookings(email="tom.baker@vbt-client.example"))

        # without a key a repeated request is a new request: the slot is taken now
        self.assertEqual(self.post(payload).status_code, 409)

    def test_idempotent_retry_of_an_error(self):
        headers = {"Idempotency-Key": "vbt-validation-once"}
        payload = self.booking_payload(self.free_slot(), email="not-an-email")
        first = self.post(payload, headers=headers)
        self.assertEqual(first.status_code, 422)
        retry = self.post(payload, headers=headers)
        self.assertEqual((retry.status_code, retry.json()), (422, first.json()))

    # ------------------------------------------------------------------
    # GET /api/consultations/<reference>?token= and its ICS
    # ------------------------------------------------------------------

    def _book_over_api(self, index=1, **values):
        response = self.post(self.booking_payload(self.free_slot(index=index), **values))
        self.assertEqual(response.status_code, 201, response.text)
        data = response.json()
        return data, self.bookings(reference=data["reference"])

    def test_manage_url_in_the_clients_language(self):
        """A German client's manage link opens the German page; an English client's the default one."""
        website = self.env["website"].get_current_website()
        website.language_ids |= self.env["res.lang"]._lang_get("de_DE")
        german, booking = self._book_over_api(index=1, language="de")
        self.assertIn(f"/de/book-consultation/manage/{booking.reference}?token=", german["manage_url"])
        english, booking = self._book_over_api(index=2, language="en")
        self.assertIn(f"{booking.get_base_url()}/book-consultation/manage/{booking.reference}?token=",
                      english["manage_url"])
        response = self.url_open(urlparse(german["manage_url"]).path + "?" + urlparse(german["manage_url"]).query)
        self.assertEqual(response.status_code, 200)
        self.assertIn('lang="de-DE"', response.text)

    def test_booking_for_its_client(self):
        data, booking = self._book_over_api()
        token = booking.access_token
        response, payload = self.get_json(f"{API}/{booking.reference}", params={"token": token})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(payload["reference"], booking.reference)
        self.assertEqual(payload["state"], "confirmed")
        self.assertEqual(payload["start"], data["start"])
        self.assertEqual(payload["end"], data["end"])
        self.assertTrue(payload["local_start"].endswith("+05:30"))
        self.assertEqual(payload["consultant"], self.consultant.id)
        self.assertEqual(payload["consultant_name"], "VBT Anja Berger")
        self.assertEqual(payload["email"], "priya.sharma@vbt-client.example")
        self.assertEqual(payload["duration"], 60)
        self.assertEqual(payload["manage_url"], data["manage_url"])
        self.assertEqual(payload["ics_url"], data["ics_url"])
        self.assertNotIn("access_token", payload)

    def test_booking_wrong_token_is_404_without_details(self):
        _data, booking = self._book_over_api()
        _other_data, other = self._book_over_api(index=5, email="tom.baker@vbt-client.example",
                                                 first_name="Tom", last_name="Baker")
        wrong_tokens = [None, "", "x" * 43, booking.access_token[:-1], booking.access_token.upper(),
                        other.access_token]
        for token in wrong_tokens:
            with self.subTest(token=token):
                params = {"token": token} if token is not None else None
                response, payload = self.get_json(f"{API}/{booking.reference}", params=params)
                self.assertEqual(response.status_code, 404)
                self.assertEqual(set(payload), {"error"})
                self.assertEqual(payload["error"]["code"], "not_found")
                for secret in (booking.reference, booking.email, "Priya", "Sharma", booking.access_token,
                               self.consultant.name):
                    self.assertNotIn(secret, response.text)
        response, payload = self.get_json(f"{API}/VLT-20270301-ZZZZ", params={"token": booking.access_token})
        self.assertEqual(response.status_code, 404)
        for token in (None, "nope", other.access_token):
            response = self.url_open(f"{API}/{booking.reference}/ics", params={"token": token} if token else None)
            self.assertEqual(response.status_code, 404)
            self.assertNotIn("BEGIN:VCALENDAR", response.text)
            self.assertNotIn(booking.email, response.text)

    def test_booking_ics(self):
        data, booking = self._book_over_api(index=2)
        response = self.url_open(urlparse(data["ics_url"]).path + "?" + urlparse(data["ics_url"]).query)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers["Content-Type"].split(";")[0], "text/calendar")
        body = response.content.decode().replace("\r\n ", "")  # unfold long lines (RFC 5545)
        self.assertIn("BEGIN:VCALENDAR", body)
        self.assertIn(f"UID:{booking.reference}@voltaic-booking", body)
        expected_start = datetime.fromisoformat(data["start"]).strftime("DTSTART:%Y%m%dT%H%M%SZ")
        expected_end = datetime.fromisoformat(data["end"]).strftime("DTEND:%Y%m%dT%H%M%SZ")
        self.assertIn(expected_start, body)
        self.assertIn(expected_end, body)
        self.assertIn("SEQUENCE:0", body)
        # a download to add to one's own calendar, not an invitation to answer: no attendee
        self.assertIn("METHOD:PUBLISH", body)
        self.assertNotIn("ATTENDEE", body)
        self.assertIn(f"Reference: {booking.reference}", body)

    def test_cancelled_booking_still_readable_by_its_client(self):
        _data, booking = self._book_over_api()
        booking.action_cancel("Plans changed")
        _response, payload = self.get_json(f"{API}/{booking.reference}", params={"token": booking.access_token})
        self.assertEqual(payload["state"], "cancelled")
        ics = self.url_open(f"{API}/{booking.reference}/ics", params={"token": booking.access_token})
        # the download is a plain calendar entry (PUBLISH) that says it is cancelled
        self.assertIn("STATUS:CANCELLED", ics.text)
        self.assertIn("METHOD:PUBLISH", ics.text)

    # ------------------------------------------------------------------
    # Language of the answers
    # ------------------------------------------------------------------

    def test_errors_in_german(self):
        """``language: de`` (or Accept-Language / ?lang=de) answers in German when de_DE is installed,
        with the messages of the addon's German catalogue (i18n/de.po)."""
        self.assertIn("de_DE", dict(self.env["res.lang"].get_installed()))
        response = self.post(self.booking_payload(self.free_slot(), email="kein-mail", language="de"))
        self.assertEqual(response.status_code, 422)
        error = response.json()["error"]
        self.assertEqual(error["message"], "Einige Felder sind ungültig.")
        self.assertEqual(error["fields"], {"email": "Geben Sie eine gültige E-Mail-Adresse ein."})

        # the same request in English stays English
        response = self.post(self.booking_payload(self.free_slot(), email="no-mail", language="en"))
        self.assertEqual(response.json()["error"]["fields"]["email"], "Enter a valid email address.")

        response = self.post_raw(b"[]")
        self.assertEqual(response.json()["error"]["message"],
                         "The body must be a JSON object, sent as application/json.")
        response = self.url_open(API, data=b"[]", method="POST",
                                 headers={"Content-Type": "application/json", "Accept-Language": "de-DE,de;q=0.9"})
        self.assertEqual(response.json()["error"]["message"],
                         "Der Inhalt muss ein JSON-Objekt sein, gesendet als application/json.")

        response, data = self.get_json(f"{API}/slots", params={
            "consultant": self.consultant.id, "tz": "Mars/Olympus_Mons", "lang": "de"})
        self.assertEqual(response.status_code, 422)
        self.assertEqual(data["error"]["message"], "Einige Parameter sind ungültig.")
        self.assertEqual(data["error"]["fields"]["tz"], "Unbekannte Zeitzone.")

        response, data = self.get_json(f"{API}/VLT-20270301-ZZZZ", params={"token": "x"},
                                       headers={"Accept-Language": "de"})
        self.assertEqual(data["error"]["message"], "Keine solche Buchung.")

    def test_language_structure_without_catalogue(self):
        """Whatever the catalogue holds, a German request gets the same error structure."""
        response = self.post(self.booking_payload(self.free_slot(), email="kein-mail", language="de"))
        self.assertEqual(response.status_code, 422)
        error = response.json()["error"]
        self.assertEqual(error["code"], "validation")
        self.assertEqual(set(error["fields"]), {"email"})
        self.assertIsInstance(error["fields"]["email"], str)
        self.assertTrue(error["message"])


@tagged("post_install", "-at_install")
@freeze_time(NOW)
class TestBookingConcurrencyGuards(VoltaicBookingCase):
    """What keeps 200 concurrent API requests for one slot clean (see bench/bench_concurrent_booking.py)."""

    def _held_booking_locks(self):
        self.env.cr.execute("""
            SELECT objid FROM pg_locks
             WHERE locktype = 'advisory' AND classid = %s AND objsubid = 2 AND pid = pg_backend_pid()
        """, [BOOKING_LOCK_NAMESPACE])
        return {row[0] for row in self.env.cr.fetchall()}

    def test_booking_holds_the_consultant_lock_until_commit(self):
        """Writers of one consultant's bookings queue instead of deadlocking in the exclusion check."""
        self.assertFalse(self._held_booking_locks())
        booking = self._book(local("Europe/Berlin", 2027, 3, 2, 10, 0))
        self.assertEqual(self._held_booking_locks(), {self.consultant.id})
        booking._reschedule(local("Europe/Berlin", 2027, 3, 2, 15, 0))
        self.assertEqual(self._held_booking_locks(), {self.consultant.id})
        self._book(local("Europe/Berlin", 2027, 3, 2, 10, 0), consultant=self.other_consultant)
        self.assertEqual(self._held_booking_locks(), {self.consultant.id, self.other_consultant.id})

    def test_exclusion_violation_not_logged_other_errors_are(self):
        """A taken slot is an answer, not an error: its SQL error stays out of the log, other SQL errors do not."""
        # a raw copy in the service's context: the same time again, which only the database refuses
        booking = self._book(local("Europe/Berlin", 2027, 3, 2, 10, 0)).with_context(voltaic_booking_service=True)
        with self.assertNoLogs("odoo.sql_db", "ERROR"), self.assertRaises(psycopg2.errors.ExclusionViolation):
            with _expected_conflict(), self.env.cr.savepoint():
                booking.copy()
        with self.assertLogs("odoo.sql_db", "ERROR") as logs, self.assertRaises(psycopg2.errors.UndefinedColumn):
            with _expected_conflict(), self.env.cr.savepoint():
                self.env.cr.execute("SELECT no_such_column FROM voltaic_booking")
        self.assertIn("bad query", logs.output[0])
        # outside the service's block, even the violation is logged as Odoo always does
        with self.assertLogs("odoo.sql_db", "ERROR"), self.assertRaises(psycopg2.errors.ExclusionViolation):
            with self.env.cr.savepoint():
                booking.copy()
