"""The JSON API for teams over HTTP (issue 14): the list, a team's slots, booking a team.

Each answer is also checked against the served OpenAPI document (``openapi_common``). The clock
is real: times are taken a few weeks ahead.
"""

import json
from datetime import timedelta

from odoo import Command
from odoo.tests import HttpCase, tagged

from .common import VoltaicBookingCase, local
from .openapi_common import OpenApiDocument, load_document

API = "/api/consultations"
RATE_PARAM = "voltaic_booking.rate_limit_per_minute"
TEAM_KEYS = {"id", "name", "assignment_method", "member_count", "durations", "meeting_types", "languages",
             "next_available"}


@tagged("post_install", "-at_install")
class TestTeamApi(HttpCase, VoltaicBookingCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].sudo().set_param(RATE_PARAM, "0")
        # only our teams are published in these tests
        cls.env["voltaic.booking.team"].search([]).write({"website_published": False})
        cls.booking_team = cls.env["voltaic.booking.team"].create({
            "name": "VBT API Team",
            "member_ids": [Command.create({"consultant_id": cls.consultant.id, "sequence": 1}),
                           Command.create({"consultant_id": cls.other_consultant.id, "sequence": 2})],
        })
        cls.hidden_team = cls.env["voltaic.booking.team"].create({
            "name": "VBT Hidden Team", "website_published": False,
            "member_ids": [Command.create({"consultant_id": cls.consultant.id})],
        })
        cls.day = cls._monday_without_time_off(weeks_ahead=3)
        cls.spec = OpenApiDocument(load_document("voltaic_booking/static/api/openapi.json"))

    def get(self, path, expected_status, **params):
        response = self.url_open(f"{API}{path}", params=params)
        self.assertEqual(response.status_code, expected_status, response.text[:1000])
        return response

    def checked(self, path, method, response):
        return self.spec.check_answer(path, method, response)

    def post(self, payload, expected_status):
        response = self.url_open(API, data=json.dumps(payload), headers={"Content-Type": "application/json"})
        self.assertEqual(response.status_code, expected_status, response.text[:1000])
        return self.checked(API, "post", response)

    def payload(self, start, **values):
        return {
            "team": self.booking_team.id, "start": start, "duration": 60, "meeting_type": "video",
            "tz": "Asia/Kolkata", "first_name": "Priya", "last_name": "Sharma",
            "email": "priya.sharma@vbt-client.example", "language": "en",
            "terms_accepted": True, "privacy_accepted": True, **values,
        }

    def team_slots(self, **params):
        response = self.get("/slots", 200, **{
            "team": self.booking_team.id, "duration": 60, "start": self.day.isoformat(),
            "end": self.day.isoformat(), "tz": "Europe/Berlin", **params})
        return self.checked(f"{API}/slots", "get", response)

    def test_published_teams_are_listed_without_private_data(self):
        body = self.checked(f"{API}/teams", "get", self.get("/teams", 200))
        self.assertEqual([team["id"] for team in body["teams"]], [self.booking_team.id],
                         "the hidden team is not listed")
        team = body["teams"][0]
        self.assertEqual(set(team), TEAM_KEYS)
        self.assertEqual(team["member_count"], 2)
        self.assertEqual(team["assignment_method"], "round_robin")
        self.assertTrue(team["next_available"])
        text = json.dumps(body)
        for private in (self.consultant.name, self.consultant.user_id.email, self.other_consultant.name):
            self.assertNotIn(private, text)

    def test_team_slots_union_in_the_clients_zone(self):
        start = local("Europe/Berlin", self.day.year, self.day.month, self.day.day, 10, 0)
        self._busy_event(self.consultant, start, start + timedelta(hours=1))
        body = self.team_slots()
        self.assertEqual(body["team"], self.booking_team.id)
        self.assertNotIn("consultant", body)
        starts = [slot["start"] for slot in body["slots"]]
        self.assertEqual(len(starts), len(set(starts)), "each time once")
        self.assertIn(start.strftime("%Y-%m-%dT%H:%M:%SZ"), starts, "Bruno is free at 10:00")
        self.assertTrue(all(set(slot) == {"start", "end", "local_start"} for slot in body["slots"]))
        self.assertTrue(body["slots"][0]["local_start"].endswith(("+01:00", "+02:00")))
        # narrowed to Anja's language: 10:00 is gone
        self.env["res.lang"]._activate_lang("de_DE")
        self.consultant.language_ids = self.env.ref("base.lang_de")
        narrowed = self.team_slots(consultant_language="de")
        self.assertNotIn(start.strftime("%Y-%m-%dT%H:%M:%SZ"), [slot["start"] for slot in narrowed["slots"]])

    def test_team_slots_errors(self):
        self.checked(f"{API}/slots", "get", self.get("/slots", 400, team="x"))
        self.checked(f"{API}/slots", "get", self.get("/slots", 404, team=self.hidden_team.id))
        self.checked(f"{API}/slots", "get", self.get("/slots", 404, team=999999))
        body = self.checked(f"{API}/slots", "get", self.get("/slots", 422, team=self.booking_team.id, duration=45,
                                                            tz="Mars/Olympus", meeting_type="fax"))
        self.assertEqual(set(body["error"]["fields"]), {"duration", "tz", "meeting_type"})

    def test_booking_a_team_names_the_assigned_consultant(self):
        starts = [slot["start"] for slot in self.team_slots()["slots"]]
        body = self.post(self.payload(starts[0]), 201)
        booking = self.env["voltaic.booking"].search([("reference", "=", body["reference"])])
        self.assertEqual(body["consultant"], booking.consultant_id.id)
        self.assertEqual(body["consultant_name"], booking.consultant_id.name)
        self.assertEqual(body["team"], self.booking_team.id)
        self.assertEqual(booking.team_id, self.booking_team)
        self.assertEqual(booking.consultant_id, self.consultant, "round robin: the first in the list first")
        second = self.post(self.payload(starts[0], email="ben@vbt-client.example"), 201)
        self.assertEqual(second["consultant"], self.other_consultant.id, "the same time: the other member")
        # nobody is left at that time: the usual 409, with the team's next free times
        refused = self.post(self.payload(starts[0], email="cleo@vbt-client.example"), 409)
        self.assertEqual(refused["error"]["code"], "slot_unavailable")
        self.assertTrue(refused["error"]["alternatives"])
        self.assertNotIn(starts[0], [slot["start"] for slot in refused["error"]["alternatives"]])

    def test_booking_a_team_refuses_bad_input(self):
        starts = [slot["start"] for slot in self.team_slots()["slots"]]
        body = self.post(self.payload(starts[0], team=self.hidden_team.id, email="nope"), 422)
        self.assertEqual(set(body["error"]["fields"]), {"team", "email"})
        body = self.post(self.payload(starts[0], duration=45), 422)
        self.assertEqual(set(body["error"]["fields"]), {"duration"})
        self.assertFalse(self.env["voltaic.booking"].search([("team_id", "in", self.booking_team.ids)]))
