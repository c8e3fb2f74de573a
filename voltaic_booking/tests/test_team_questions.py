"""Intake questions of a team (issue 14: questions per consultant, per team, and a global default set).

A booking made through a team ("first available") asks the team's own questions, else the global default
set, whoever the team assigns: the client answers before a member is chosen, so the assigned member's
own questions are not asked (nor those of the member the service checks the booking with). A consultant
booked directly keeps their own rule. Checked in the service, the JSON API (answers against the served
OpenAPI document) and the booking page (HTML and a tour in headless Chromium).
"""

import json
import re

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import Form, HttpCase, freeze_time, tagged

from ..exceptions import BookingValidationError
from .common import NOW, VoltaicBookingCase, local
from .openapi_common import CheckedApiCalls, OpenApiDocument, load_document
from .test_booking_page import PAGE, BookingPageCase

API = "/api/consultations"
NOT_ASKED = "This question is not asked for this consultation."


def make_team_questions(env, team):
    """The team's set: a required short text and an optional single choice."""
    question_model = env["voltaic.booking.question"]
    site = question_model.create({
        "team_id": team.id, "name": "Site address", "question_type": "char", "is_required": True, "sequence": 1,
        "help_text": "Where the installation is planned."})
    roof = question_model.create({
        "team_id": team.id, "name": "Roof type", "question_type": "select", "sequence": 2,
        "option_ids": [Command.create({"name": name, "sequence": index})
                       for index, name in enumerate(("Flat", "Pitched"))]})
    return site, roof


def option(question, name):
    return question.option_ids.filtered(lambda choice: choice.name == name)


class TeamQuestionsMixin:
    """Anja (with a required question of her own) and Bruno in a priority team with questions of its own;
    a second team without questions; a required global question (the demo's global ones put aside)."""

    @classmethod
    def _setup_team_questions(cls, first, second):
        question_model = cls.env["voltaic.booking.question"]
        question_model.search(question_model._global_domain()).active = False
        cls.global_question = question_model.create({
            "name": "How did you hear of us?", "question_type": "char", "is_required": True})
        cls.own_question = question_model.create({
            "consultant_id": first.id, "name": "Your meter number", "question_type": "char",
            "is_required": True})
        team_model = cls.env["voltaic.booking.team"]
        team_model.search([]).write({"website_published": False})
        cls.question_team = team_model.create({
            "name": "VBT Question Team", "assignment_method": "priority",
            "member_ids": [Command.create({"consultant_id": first.id, "sequence": 1}),
                           Command.create({"consultant_id": second.id, "sequence": 2})]})
        cls.plain_team = team_model.create({
            "name": "VBT Plain Team", "website_published": False,
            "member_ids": [Command.create({"consultant_id": first.id, "sequence": 1})]})
        cls.site, cls.roof = make_team_questions(cls.env, cls.question_team)


@freeze_time(NOW)
class TestTeamQuestions(TeamQuestionsMixin, VoltaicBookingCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_team_questions(cls.consultant, cls.other_consultant)
        cls.tuesday_10 = local("Europe/Berlin", 2027, 3, 2, 10, 0)

    def team_book(self, start=None, team=None, client="client", **values):
        return self.env["voltaic.booking"]._book({
            **self._booking_values(start or self.tuesday_10, **values),
            "consultant_id": False,
            "team_id": (team or self.question_team).id,
            "email": f"{client}@vbt-client.example",
        })

    def team_answers(self, changes=None):
        return {str(self.site.id): "Hauptstrasse 1, Berlin", str(self.roof.id): option(self.roof, "Flat").id,
                **(changes or {})}

    def test_which_questions_a_team_asks(self):
        self.assertEqual(self.question_team._intake_questions(), self.site | self.roof, "the team's own, in order")
        self.assertEqual(self.plain_team._intake_questions(), self.global_question,
                         "without questions of its own: the global default set")
        self.assertEqual(self.question_team.question_ids, self.site | self.roof)
        self.assertNotIn(self.site, self.env["voltaic.booking.question"]._global_questions(),
                         "a team's question is not a global one")
        self.assertNotIn(self.site, self.other_consultant._intake_questions())
        self.question_team.question_ids.active = False
        self.assertEqual(self.question_team._intake_questions(), self.global_question)

    def test_a_team_booking_asks_the_teams_questions_whoever_is_assigned(self):
        booking = self.team_book(answers=self.team_answers())
        self.assertEqual(booking.team_id, self.question_team)
        self.assertEqual(booking.consultant_id, self.consultant,
                         "priority: Anja, who has a required question of her own, gets it")
        self.assertEqual([(answer.question_id, answer.value_display) for answer in booking.answer_ids],
                         [(self.site, "Hauptstrasse 1, Berlin"), (self.roof, "Flat")])
        for text in ("Intake answers", "Site address", "Hauptstrasse 1, Berlin", "Roof type"):
            self.assertIn(text, booking.lead_id.description)
        # the same time again: Bruno (no questions of his own, so the global set when booked by name)
        second = self.team_book(client="second", answers=self.team_answers({
            str(self.roof.id): str(option(self.roof, "Pitched").id)}))
        self.assertEqual(second.consultant_id, self.other_consultant)
        self.assertEqual([answer.value_display for answer in second.answer_ids],
                         ["Hauptstrasse 1, Berlin", "Pitched"])

    def test_a_members_own_question_is_not_asked_on_a_team_booking(self):
        with self.assertRaises(BookingValidationError) as caught:
            self.team_book(answers=self.team_answers({
                str(self.own_question.id): "DE-123", str(self.global_question.id): "Radio"}))
        self.assertEqual(caught.exception.fields, {
            f"answers.{self.own_question.id}": NOT_ASKED, f"answers.{self.global_question.id}": NOT_ASKED})
        self.assertFalse(self.env["voltaic.booking"].search([("team_id", "=", self.question_team.id)]))

    def test_a_missing_required_team_answer_books_nothing(self):
        for answers in (None, {str(self.roof.id): option(self.roof, "Flat").id}, {str(self.site.id): "  "}):
            with self.assertRaises(BookingValidationError) as caught:
                self.team_book(answers=answers)
            self.assertEqual(caught.exception.fields, {f"answers.{self.site.id}": "Please answer this question."})
        with self.assertRaises(BookingValidationError) as caught:
            self.team_book(answers=self.team_answers({str(self.roof.id): 999999}))
        self.assertEqual(caught.exception.fields, {f"answers.{self.roof.id}": "Choose one of the offered answers."})
        self.assertFalse(self.env["voltaic.booking"].search([("team_id", "=", self.question_team.id)]))

    def test_the_back_office_may_leave_required_team_questions_empty(self):
        booking = self.team_book(source="backend")
        self.assertEqual(booking.team_id, self.question_team)
        self.assertFalse(booking.answer_ids)

    def test_a_team_without_questions_asks_the_global_set(self):
        with self.assertRaises(BookingValidationError) as caught:
            self.team_book(team=self.plain_team, answers={str(self.own_question.id): "DE-123"})
        self.assertEqual(caught.exception.fields, {
            f"answers.{self.global_question.id}": "Please answer this question.",
            f"answers.{self.own_question.id}": NOT_ASKED,
        }, "Anja is the only member, but her own questions are not the team's")
        booking = self.team_book(team=self.plain_team, answers={str(self.global_question.id): "Radio"})
        self.assertEqual(booking.consultant_id, self.consultant)
        self.assertEqual(booking.answer_ids.question_id, self.global_question)

    def test_a_consultant_booked_by_name_keeps_their_own_rule(self):
        with self.assertRaises(BookingValidationError) as caught:
            self._book(self.tuesday_10, answers=self.team_answers())
        self.assertEqual(caught.exception.fields, {
            f"answers.{self.own_question.id}": "Please answer this question.",
            f"answers.{self.site.id}": NOT_ASKED, f"answers.{self.roof.id}": NOT_ASKED,
        })
        booking = self._book(self.tuesday_10, answers={str(self.own_question.id): "DE-123"})
        self.assertEqual(booking.answer_ids.question_id, self.own_question)
        self.assertFalse(booking.team_id)
        other = self._book(self.tuesday_10, consultant=self.other_consultant, email="other@vbt-client.example",
                           answers={str(self.global_question.id): "Radio"})
        self.assertEqual(other.answer_ids.question_id, self.global_question)

    def test_a_question_belongs_to_a_consultant_or_a_team_not_both(self):
        question_model = self.env["voltaic.booking.question"]
        with self.assertRaises(ValidationError) as caught:
            question_model.create({"name": "Both", "consultant_id": self.consultant.id,
                                   "team_id": self.question_team.id})
        self.assertIn("either to a consultant or to a team", str(caught.exception))
        with self.assertRaises(ValidationError):
            self.site.consultant_id = self.consultant
        self.assertFalse(self.site.consultant_id)
        # a team that goes takes its questions along
        team = self.env["voltaic.booking.team"].create({"name": "VBT Short-lived Team"})
        question = question_model.create({"name": "Gone with the team", "team_id": team.id})
        team.unlink()
        self.assertFalse(question.exists())

    def test_a_manager_adds_a_teams_questions_on_its_form(self):
        team = self.question_team.with_user(self.manager)
        with Form(team, view="voltaic_booking.voltaic_booking_team_view_form") as form:
            with form.question_ids.new() as line:
                line.name = "Grid operator"
                self.assertEqual(line.team_id, team, "the new question is the team's")
                with self.assertRaises(AssertionError, msg="a team's question shows no consultant field"):
                    line.consultant_id = self.consultant
        added = team.question_ids.filtered(lambda question: question.name == "Grid operator")
        self.assertEqual((added.team_id, added.consultant_id), (self.question_team, self.consultant.browse()))
        self.assertEqual(self.question_team._intake_questions(), self.site | self.roof | added)
        # the question form: a consultant's question shows no team field, a global one shows both
        with Form(self.env["voltaic.booking.question"].with_user(self.manager)) as form:
            form.name = "Global or not"
            form.consultant_id = self.consultant
            with self.assertRaises(AssertionError):
                form.team_id = self.question_team
            form.consultant_id = self.consultant.browse()
            form.team_id = self.question_team
        self.assertEqual(form.record.team_id, self.question_team)

    def test_report_counts_answers_per_team(self):
        self.team_book(answers=self.team_answers())
        self.team_book(client="second", answers=self.team_answers({
            str(self.roof.id): option(self.roof, "Pitched").id}))
        self.env.flush_all()
        rows = self.env["voltaic.booking.answer.report"]._read_group(
            [("question_id", "=", self.roof.id)], ["booking_team_id", "option_id"], ["booking_count:sum"])
        self.assertEqual({(team, choice.name, count) for team, choice, count in rows},
                         {(self.question_team, "Flat", 1), (self.question_team, "Pitched", 1)})


@tagged("post_install", "-at_install")
class TestTeamQuestionsApi(CheckedApiCalls, TeamQuestionsMixin, HttpCase, VoltaicBookingCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].sudo().set_param("voltaic_booking.rate_limit_per_minute", "0")
        cls._setup_team_questions(cls.consultant, cls.other_consultant)
        cls.day = cls._monday_without_time_off(weeks_ahead=3)
        cls.spec = OpenApiDocument(load_document("voltaic_booking/static/api/openapi.json"))

    def post(self, payload, expected_status):
        return self.call(API, "post", API, expected_status, data=json.dumps(payload),
                         headers={"Content-Type": "application/json"})

    def payload(self, **values):
        start = local("Europe/Berlin", self.day.year, self.day.month, self.day.day, 10, 0)
        return {
            "team": self.question_team.id, "start": start.strftime("%Y-%m-%dT%H:%M:%SZ"), "duration": 60,
            "tz": "Europe/Berlin", "first_name": "Priya", "last_name": "Sharma",
            "email": "priya.sharma@vbt-client.example", "language": "en", "terms_accepted": True,
            "privacy_accepted": True, **values,
        }

    def test_questions_route_lists_the_teams_questions(self):
        path = f"{API}/teams/{{team_id}}/questions"
        body = self.call(path, "get", f"{API}/teams/{self.question_team.id}/questions", 200)
        self.assertEqual(body["team"], self.question_team.id)
        self.assertEqual(body["questions"], [
            {"id": self.site.id, "label": "Site address", "help": "Where the installation is planned.",
             "type": "char", "required": True, "options": []},
            {"id": self.roof.id, "label": "Roof type", "help": "", "type": "select", "required": False,
             "options": [{"id": choice.id, "label": choice.name} for choice in self.roof.option_ids]},
        ])
        self.plain_team.website_published = True
        body = self.call(path, "get", f"{API}/teams/{self.plain_team.id}/questions", 200)
        self.assertEqual([question["id"] for question in body["questions"]], [self.global_question.id],
                         "a team without questions of its own asks the global ones")
        self.plain_team.website_published = False
        self.call(path, "get", f"{API}/teams/{self.plain_team.id}/questions", 404)
        body = self.call(path, "get", f"{API}/teams/999999/questions", 404)
        self.assertEqual(body["error"]["code"], "not_found")
        # the member's route still answers the member's own set
        body = self.call(f"{API}/consultants/{{consultant_id}}/questions", "get",
                         f"{API}/consultants/{self.consultant.id}/questions", 200)
        self.assertEqual([question["id"] for question in body["questions"]], [self.own_question.id])

    def test_booking_a_team_with_answers(self):
        body = self.post(self.payload(answers={str(self.site.id): "Hauptstrasse 1, Berlin",
                                               str(self.roof.id): option(self.roof, "Pitched").id}), 201)
        booking = self.env["voltaic.booking"].sudo().search([("reference", "=", body["reference"])])
        self.assertEqual(booking.team_id, self.question_team)
        self.assertEqual(booking.consultant_id, self.consultant)
        self.assertEqual([answer.value_display for answer in booking.answer_ids],
                         ["Hauptstrasse 1, Berlin", "Pitched"])

    def test_a_wrong_or_missing_team_answer_is_a_422_field(self):
        body = self.post(self.payload(answers={str(self.own_question.id): "DE-123"}), 422)
        self.assertEqual(body["error"]["fields"], {
            f"answers.{self.site.id}": "Please answer this question.",
            f"answers.{self.own_question.id}": NOT_ASKED,
        })
        body = self.post(self.payload(language="de", answers={}), 422)
        self.assertEqual(body["error"]["fields"], {f"answers.{self.site.id}": "Bitte beantworten Sie diese Frage."})
        self.assertFalse(self.env["voltaic.booking"].sudo().search([("team_id", "=", self.question_team.id)]))


class TestTeamQuestionsBookingPage(TeamQuestionsMixin, BookingPageCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tina = cls._make_consultant(
            "Tina Teamer", "vbt_tina", calendar=cls.always, video_url="https://meet.example.com/tina",
            min_notice_hours=2, max_advance_days=30)
        cls._setup_team_questions(cls.tess, cls.tina)
        cls.question_team.write({"name": "Tour Team", "website_published": True})

    def _team_form(self, answers):
        form = self._form()
        form.pop("consultant")
        return {"team": str(self.question_team.id), **form, **answers}

    def _opening_tag(self, html, attribute):
        tags = re.findall(rf'<div [^>]*{attribute}[^>]*>', html)
        self.assertEqual(len(tags), 1, tags)
        return tags[0]

    def test_page_renders_the_teams_set_apart(self):
        html = self.url_open(PAGE).text
        team_tag = self._opening_tag(html, f'data-team="{self.question_team.id}"')
        self.assertIn("o_vbw_questions", team_tag)
        self.assertNotIn("data-consultant", team_tag)
        self.assertNotIn("data-default", team_tag)
        self.assertIn("data-default", self._opening_tag(html, 'data-default="1"'))
        self.assertIn(f'data-consultant="{self.tess.id}"', html)
        for question in (self.site, self.roof, self.own_question, self.global_question):
            self.assertEqual(html.count(f'name="answers.{question.id}"'), 1, question.name)
        team_block = html.split(team_tag, 1)[1].split("o_vbw_questions", 1)[0]  # up to the next set
        for question in (self.site, self.roof):
            self.assertIn(f'name="answers.{question.id}"', team_block)
        for question in (self.own_question, self.global_question):
            self.assertNotIn(f'name="answers.{question.id}"', team_block)
        self.assertIn("Where the installation is planned.", team_block)
        self.plain_team.website_published = True
        self.assertNotIn(f'data-team="{self.plain_team.id}"', self.url_open(PAGE).text,
                         "a team without questions of its own asks the default set")
        self.question_team.website_published = False
        self.assertNotIn("data-team=", self.url_open(PAGE).text, "an unpublished team's set is not on the page")

    def test_submit_a_team_with_answers(self):
        response = self._submit(self._team_form({f"answers.{self.own_question.id}": "DE-123"}))
        self.assertEqual(response.status_code, 422, response.text)
        self.assertEqual(response.json()["error"]["fields"], {
            f"answers.{self.site.id}": "Please answer this question.",
            f"answers.{self.own_question.id}": NOT_ASKED})
        self.assertFalse(self._bookings())
        response = self._submit(self._team_form({
            f"answers.{self.site.id}": "Hauptstrasse 1", f"answers.{self.roof.id}": str(option(self.roof, "Flat").id)}))
        self.assertEqual(response.status_code, 201, response.text)
        booking = self._bookings()
        self.assertEqual((booking.team_id, booking.consultant_id), (self.question_team, self.tess))
        self.assertEqual([answer.value_display for answer in booking.answer_ids], ["Hauptstrasse 1", "Flat"])

    def test_tour_team_questions_appear_validate_and_reach_the_lead(self):
        self.start_tour(PAGE, "voltaic_booking_team_intake_questions", login=None)
        booking = self._bookings("tara.team@example.com")
        self.assertEqual(len(booking), 1)
        self.assertEqual((booking.team_id, booking.consultant_id), (self.question_team, self.tess))
        self.assertEqual([(answer.question_id, answer.value_display) for answer in booking.answer_ids],
                         [(self.site, "Hauptstrasse 1, Berlin"), (self.roof, "Pitched")])
        self.assertIn("Hauptstrasse 1, Berlin", booking.lead_id.description)
