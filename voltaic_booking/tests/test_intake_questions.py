"""Intake questions (issue 14): configured globally or per consultant, answered in step 3 of the booking page
and in the API's ``answers``, checked by the booking service, stored on the booking, and shown to the
consultant (lead, meeting, e-mails) and in the reporting."""

import json
from datetime import timedelta

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import HttpCase, freeze_time, tagged

from ..exceptions import BookingValidationError
from ..lib.slots import to_utc_iso
from .common import NOW, VoltaicBookingCase, local
from .notification_common import MEETING, NotificationCase, hours
from .openapi_common import CheckedApiCalls, OpenApiDocument, load_document
from .test_booking_page import PAGE, BookingPageCase

API = "/api/consultations"


def make_questions(env, consultant=None, stage_help=False):
    """A question set: a required single choice, a multiple choice, a number, a long text, a checkbox."""
    question_model = env["voltaic.booking.question"]
    values = {"consultant_id": consultant.id if consultant else False}
    stage = question_model.create({
        **values, "name": "Project stage", "question_type": "select", "is_required": True, "sequence": 1,
        "help_text": stage_help or False,
        "option_ids": [Command.create({"name": name, "sequence": index})
                       for index, name in enumerate(("First idea", "Feasibility study", "In operation"))],
    })
    interests = question_model.create({
        **values, "name": "Interests", "question_type": "multi", "sequence": 2,
        "option_ids": [Command.create({"name": name, "sequence": index})
                       for index, name in enumerate(("Solar", "Storage", "Wind"))],
    })
    size = question_model.create({**values, "name": "Project size (kWp)", "question_type": "number", "sequence": 3})
    prepare = question_model.create({
        **values, "name": "Anything we should prepare?", "question_type": "text", "sequence": 4})
    return stage, interests, size, prepare


def option(question, name):
    return question.option_ids.filtered(lambda choice: choice.name == name)


@freeze_time(NOW)
class TestIntakeQuestions(VoltaicBookingCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the global set of these tests (the demo's global questions are put aside)
        cls.env["voltaic.booking.question"].search([("consultant_id", "=", False)]).active = False
        cls.stage, cls.interests, cls.size, cls.prepare = make_questions(cls.env, cls.consultant)
        cls.newsletter = cls.env["voltaic.booking.question"].create({
            "name": "Send me the checklist", "question_type": "checkbox", "consultant_id": cls.consultant.id,
            "sequence": 5})
        cls.global_question = cls.env["voltaic.booking.question"].create({
            "name": "How did you hear of us?", "question_type": "char", "is_required": True})

    def answers(self, changes=None):
        answers = {
            str(self.stage.id): option(self.stage, "Feasibility study").id,
            str(self.interests.id): [option(self.interests, "Solar").id, option(self.interests, "Storage").id],
            str(self.size.id): 750,
            str(self.prepare.id): "Our site plans,\nand last year's bills.",
            str(self.newsletter.id): True,
        }
        answers.update(changes or {})
        return answers

    def test_which_questions_a_consultant_asks(self):
        self.assertEqual(self.consultant._intake_questions(),
                         self.stage | self.interests | self.size | self.prepare | self.newsletter,
                         "the consultant's own questions, in order")
        self.assertEqual(self.other_consultant._intake_questions(), self.global_question,
                         "without questions of their own: the global default set")
        self.consultant.question_ids.active = False
        self.assertEqual(self.consultant._intake_questions(), self.global_question)

    def test_answers_are_stored_on_the_booking_and_reach_the_lead_and_the_meeting(self):
        booking = self._book(local("Europe/Berlin", 2027, 3, 2, 10, 0), answers=self.answers())
        rows = [(answer.question_id.name, answer.value_display) for answer in booking.answer_ids]
        self.assertEqual(rows, [
            ("Project stage", "Feasibility study"),
            ("Interests", "Solar, Storage"),
            ("Project size (kWp)", "750"),
            ("Anything we should prepare?", "Our site plans,\nand last year's bills."),
            ("Send me the checklist", "Yes"),
        ])
        self.assertEqual(booking.answer_ids[0].option_ids, option(self.stage, "Feasibility study"))
        self.assertEqual(booking.answer_ids[2].value_number, 750)
        description = booking.lead_id.description
        self.assertIn("We would like to discuss a 500 kWp installation.", description, "the message stays")
        for text in ("Intake answers", "Project stage", "Feasibility study", "Solar, Storage", "750",
                     "last year"):
            self.assertIn(text, description)
        self.assertIn("Project stage: Feasibility study", booking.event_id.description)

        # a second booking of the same client reuses the opportunity: its answers come as a note
        second = self._book(local("Europe/Berlin", 2027, 3, 3, 10, 0),
                            answers=self.answers({str(self.stage.id): option(self.stage, "In operation").id}))
        self.assertEqual(second.lead_id, booking.lead_id)
        note = second.lead_id.message_ids.filtered(lambda message: "New consultation with" in (message.body or ""))
        self.assertEqual(len(note), 1)
        self.assertIn("In operation", note.body)

    def test_optional_questions_may_stay_empty(self):
        booking = self._book(local("Europe/Berlin", 2027, 3, 2, 10, 0), answers={
            str(self.stage.id): str(option(self.stage, "First idea").id),  # a string of digits, as the form posts
            str(self.size.id): "", str(self.prepare.id): "   ", str(self.newsletter.id): False,
        })
        self.assertEqual(booking.answer_ids.question_id, self.stage)

    def test_every_wrong_or_missing_answer_is_listed_and_nothing_is_booked(self):
        other_option = option(self.interests, "Wind")
        with self.assertRaises(BookingValidationError) as caught:
            self._book(local("Europe/Berlin", 2027, 3, 2, 10, 0), email="not-an-address", answers={
                str(self.stage.id): other_option.id,  # a choice of another question
                str(self.interests.id): [option(self.interests, "Solar").id, 999999],
                str(self.size.id): "a lot",
                str(self.prepare.id): 42,
                str(self.newsletter.id): "maybe",
                str(self.global_question.id): "Radio",  # not asked for this consultant
                "colour": "blue",
            })
        fields = caught.exception.fields
        self.assertEqual(set(fields), {
            "email", f"answers.{self.stage.id}", f"answers.{self.interests.id}", f"answers.{self.size.id}",
            f"answers.{self.prepare.id}", f"answers.{self.newsletter.id}", f"answers.{self.global_question.id}",
            "answers.colour",
        })
        self.assertEqual(fields[f"answers.{self.stage.id}"], "Choose one of the offered answers.")
        self.assertEqual(fields[f"answers.{self.size.id}"], "Enter a number.")
        self.assertEqual(fields[f"answers.{self.prepare.id}"], "This must be text.")
        self.assertEqual(fields[f"answers.{self.newsletter.id}"], "This must be true or false.")

        with self.assertRaises(BookingValidationError) as caught:
            self._book(local("Europe/Berlin", 2027, 3, 2, 10, 0), answers={
                str(self.prepare.id): "x" * 5001, str(self.stage.id): [option(self.stage, "First idea").id,
                                                                      option(self.stage, "In operation").id]})
        self.assertEqual(caught.exception.fields, {
            f"answers.{self.prepare.id}": "This text is too long (at most 5000 characters).",
            f"answers.{self.stage.id}": "Choose one answer.",
        })

        with self.assertRaises(BookingValidationError) as caught:
            self._book(local("Europe/Berlin", 2027, 3, 2, 10, 0))
        self.assertEqual(caught.exception.fields, {f"answers.{self.stage.id}": "Please answer this question."})
        with self.assertRaises(BookingValidationError) as caught:
            self._book(local("Europe/Berlin", 2027, 3, 2, 10, 0), answers=["not", "an", "object"])
        self.assertIn("answers", caught.exception.fields)
        self.assertFalse(self.env["voltaic.booking"].search([("consultant_id", "=", self.consultant.id)]))

    def test_required_answers_are_the_clients_to_give_not_the_back_office(self):
        booking = self._book(local("Europe/Berlin", 2027, 3, 2, 10, 0), source="backend")
        self.assertFalse(booking.answer_ids)
        with self.assertRaises(BookingValidationError) as caught:
            self._book(local("Europe/Berlin", 2027, 3, 2, 11, 0), source="backend",
                       answers={str(self.size.id): "many"})
        self.assertEqual(set(caught.exception.fields), {f"answers.{self.size.id}"}, "types are checked all the same")

    def test_answered_questions_are_archived_not_changed_or_deleted(self):
        self._book(local("Europe/Berlin", 2027, 3, 2, 10, 0), answers=self.answers())
        with self.assertRaises(UserError):
            self.size.question_type = "char"
        with self.assertRaises(UserError):
            self.size.unlink()
        with self.assertRaises(UserError):
            option(self.stage, "Feasibility study").unlink()
        option(self.stage, "Feasibility study").name = "Feasibility"  # renaming is fine
        self.size.active = False
        self.assertNotIn(self.size, self.consultant._intake_questions())
        self.global_question.unlink()  # never answered: may go
        with self.assertRaises(ValidationError):
            self.env["voltaic.booking.question"].create({"name": "Pick", "question_type": "select"})

    def test_erasing_the_clients_data_erases_their_words(self):
        booking = self._book(local("Europe/Berlin", 2027, 3, 2, 10, 0), answers=self.answers())
        data = booking._client_data_booking()
        self.assertIn({"question": "Project size (kWp)", "answer": "750"}, data["answers"])
        booking._erase_client_data()
        self.assertFalse(booking.answer_ids.filtered("value_text"))
        self.assertEqual(booking.answer_ids.filtered(lambda a: a.question_id == self.stage).value_display,
                         "Feasibility study", "choices stay, like the other statistics")

    def test_report_counts_bookings_per_answer(self):
        picks = [("Feasibility study", ["Solar"]), ("Feasibility study", ["Solar", "Storage"]),
                 ("First idea", ["Storage"]), ("Feasibility study", [])]
        bookings = self.env["voltaic.booking"]
        for day, (stage, interests) in enumerate(picks, start=2):
            bookings |= self._book(
                local("Europe/Berlin", 2027, 3, day, 10, 0), email=f"client{day}@vbt-client.example",
                answers=self.answers({
                    str(self.stage.id): option(self.stage, stage).id,
                    str(self.interests.id): [option(self.interests, name).id for name in interests],
                }))
        bookings[-1].action_cancel()
        report = self.env["voltaic.booking.answer.report"]
        counts = {
            (question.name, choice.name): count
            for question, choice, count in report._read_group(
                [("booking_id", "in", bookings.ids)], ["question_id", "option_id"], ["booking_count:sum"])
        }
        self.assertEqual(counts, {
            ("Project stage", "Feasibility study"): 3,
            ("Project stage", "First idea"): 1,
            ("Interests", "Solar"): 2,
            ("Interests", "Storage"): 2,
        })
        cancelled = report._read_group([("booking_id", "in", bookings.ids), ("state", "=", "cancelled")],
                                       ["option_id"], ["booking_count:sum"])
        self.assertEqual([(choice.name, count) for choice, count in cancelled], [("Feasibility study", 1)])


class TestIntakeMails(NotificationCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.stage, cls.interests, cls.size, cls.prepare = make_questions(cls.env, cls.consultant)
        cls.env["voltaic.booking.question"].with_context(lang="de_DE").browse(cls.stage.id).name = "Projektphase"
        option(cls.stage, "Feasibility study").with_context(lang="de_DE").name = "Machbarkeitsstudie"

    def test_consultant_notification_and_reminder_carry_the_answers(self):
        booking = self.book(answers={
            str(self.stage.id): option(self.stage, "Feasibility study").id, str(self.size.id): "1,5",
            str(self.prepare.id): "Bring the <b>roof</b> plans"})
        notification = self.mail(booking, "consultant_confirmation").body_html
        for text in ("Intake answers", "Project stage", "Feasibility study", "Project size (kWp)", "1.5",
                     "Bring the &lt;b&gt;roof&lt;/b&gt; plans"):
            self.assertIn(text, notification)
        self.assertNotIn("Intake answers", self.mail(booking, "client_confirmation").body_html,
                         "the answers are for the consultant")
        self.run_cron(MEETING - hours(4))
        reminder = self.mail(booking, "consultant_reminder").body_html
        self.assertIn("Intake answers", reminder)
        self.assertIn("Feasibility study", reminder)

    def test_a_german_consultant_reads_them_in_german(self):
        self.consultant_user.lang = "de_DE"
        booking = self.book(answers={str(self.stage.id): option(self.stage, "Feasibility study").id})
        notification = self.mail(booking, "consultant_confirmation").body_html
        self.assertIn("Antworten auf die Vorab-Fragen", notification)
        self.assertIn("Projektphase", notification)
        self.assertIn("Machbarkeitsstudie", notification)

    def test_no_answers_no_section(self):
        self.stage.is_required = False
        booking = self.book()
        self.assertNotIn("Intake answers", self.mail(booking, "consultant_confirmation").body_html)


@tagged("post_install", "-at_install")
class TestIntakeApi(CheckedApiCalls, HttpCase, VoltaicBookingCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].sudo().set_param("voltaic_booking.rate_limit_per_minute", "0")
        cls.stage, cls.interests, cls.size, cls.prepare = make_questions(cls.env, cls.consultant,
                                                                         stage_help="Pick the closest one.")
        cls.day = cls._monday_without_time_off(weeks_ahead=3)
        cls.spec = OpenApiDocument(load_document("voltaic_booking/static/api/openapi.json"))

    def payload(self, start, **values):
        return {
            "consultant": self.consultant.id, "start": to_utc_iso(start), "duration": 60, "tz": "Europe/Berlin",
            "first_name": "Priya", "last_name": "Sharma", "email": "priya.sharma@vbt-client.example",
            "language": "en", "terms_accepted": True, "privacy_accepted": True, **values,
        }

    def post(self, payload, expected_status):
        return self.call(API, "post", API, expected_status, data=json.dumps(payload),
                         headers={"Content-Type": "application/json"})

    def test_questions_route_lists_what_to_answer(self):
        path = f"{API}/consultants/{{consultant_id}}/questions"
        body = self.call(path, "get", f"{API}/consultants/{self.consultant.id}/questions", 200)
        self.assertEqual(body["consultant"], self.consultant.id)
        self.assertEqual([question["id"] for question in body["questions"]],
                         [self.stage.id, self.interests.id, self.size.id, self.prepare.id])
        first = body["questions"][0]
        self.assertEqual(first, {
            "id": self.stage.id, "label": "Project stage", "help": "Pick the closest one.", "type": "select",
            "required": True,
            "options": [{"id": choice.id, "label": choice.name} for choice in self.stage.option_ids],
        })
        self.assertEqual(body["questions"][2]["options"], [])
        closed = self._make_consultant("VBT Closed", "vbt_closed_q", is_accepting_bookings=False)
        self.call(path, "get", f"{API}/consultants/{closed.id}/questions", 404)
        body = self.call(path, "get", f"{API}/consultants/{self.other_consultant.id}/questions", 200)
        self.assertEqual([question["id"] for question in body["questions"]],
                         self.env["voltaic.booking.question"]._global_questions().ids,
                         "a consultant without questions of their own asks the global ones")

    def test_booking_with_answers(self):
        free = self.consultant._get_slots(*self._day_bounds(), 60)[self.consultant.id]
        created = self.post(self.payload(free[0][0], answers={
            str(self.stage.id): option(self.stage, "In operation").id,
            str(self.interests.id): [option(self.interests, "Wind").id],
            str(self.size.id): 12.5,
        }), 201)
        booking = self.env["voltaic.booking"].sudo().search([("reference", "=", created["reference"])])
        self.assertEqual([answer.value_display for answer in booking.answer_ids], ["In operation", "Wind", "12.5"])

    def test_each_wrong_or_missing_answer_is_a_422_field(self):
        free = self.consultant._get_slots(*self._day_bounds(), 60)[self.consultant.id]
        body = self.post(self.payload(free[0][0], first_name="", answers={
            str(self.interests.id): "Solar", str(self.size.id): True, "0": "?"}), 422)
        fields = body["error"]["fields"]
        self.assertEqual(set(fields), {"first_name", f"answers.{self.stage.id}", f"answers.{self.interests.id}",
                                       f"answers.{self.size.id}", "answers.0"})
        self.assertEqual(fields[f"answers.{self.stage.id}"], "Please answer this question.")
        body = self.post(self.payload(free[0][0], answers=[1]), 422)
        self.assertIn("answers", body["error"]["fields"])
        body = self.post(self.payload(free[0][0], language="de", answers={}), 422)
        self.assertEqual(body["error"]["fields"], {
            f"answers.{self.stage.id}": "Bitte beantworten Sie diese Frage."})
        self.assertFalse(self.env["voltaic.booking"].sudo().search([("consultant_id", "=", self.consultant.id)]))

    def _day_bounds(self):
        start = local("Europe/Berlin", self.day.year, self.day.month, self.day.day, 0, 0)
        return start, start + timedelta(days=1)


class TestIntakeBookingPage(BookingPageCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.stage, cls.interests, cls.size, cls.prepare = make_questions(cls.env, cls.tess,
                                                                         stage_help="Pick the closest one.")
        cls.global_question = cls.env["voltaic.booking.question"].create({
            "name": "How did you hear of us?", "question_type": "char"})

    def test_page_renders_each_question_set(self):
        html = self.url_open(PAGE).text
        self.assertIn(f'data-consultant="{self.tess.id}"', html)
        self.assertIn('data-default="1"', html)
        self.assertIn(f'name="answers.{self.stage.id}"', html)
        self.assertIn(f'id="vbw_error_answers.{self.stage.id}"', html)
        self.assertIn(f'name="answers.{self.global_question.id}"', html)
        self.assertIn("Pick the closest one.", html)

    def test_submit_posts_the_answers(self):
        form = self._form()
        form.update({
            f"answers.{self.stage.id}": str(option(self.stage, "First idea").id),
            f"answers.{self.interests.id}": [str(option(self.interests, "Solar").id),
                                              str(option(self.interests, "Wind").id)],
            f"answers.{self.size.id}": "300",
        })
        response = self._submit(form)
        self.assertEqual(response.status_code, 201, response.text)
        booking = self._bookings()
        self.assertEqual([answer.value_display for answer in booking.answer_ids], ["First idea", "Solar, Wind", "300"])

    def test_submit_refuses_a_missing_required_answer(self):
        form = self._form()
        form[f"answers.{self.size.id}"] = "lots"
        response = self._submit(form)
        self.assertEqual(response.status_code, 422)
        fields = response.json()["error"]["fields"]
        self.assertEqual(set(fields), {f"answers.{self.stage.id}", f"answers.{self.size.id}"})
        self.assertFalse(self._bookings())

    def test_tour_questions_appear_validate_and_reach_the_lead(self):
        self.start_tour(f"{PAGE}?consultant={self.tess.id}", "voltaic_booking_intake_questions", login=None)
        booking = self._bookings("quinn.questions@example.com")
        self.assertEqual(len(booking), 1)
        self.assertEqual([(answer.question_id, answer.value_display) for answer in booking.answer_ids], [
            (self.stage, "Feasibility study"), (self.interests, "Solar, Storage"), (self.size, "750"),
            (self.prepare, "Our site plans."),
        ])
        description = booking.lead_id.description
        for text in ("Feasibility study", "Solar, Storage", "750", "Our site plans."):
            self.assertIn(text, description)

    def test_a_layout_may_split_required_and_optional_questions(self):
        sets = [{"consultant_id": self.tess.id, "questions": self.tess._intake_questions()}]
        qweb = self.env["ir.qweb"]
        required = str(qweb._render("voltaic_booking.booking_intake_questions",
                                    {"intake_sets": sets, "intake_part": "required"}))
        optional = str(qweb._render("voltaic_booking.booking_intake_questions",
                                    {"intake_sets": sets, "intake_part": "optional"}))
        everything = str(qweb._render("voltaic_booking.booking_intake_questions", {"intake_sets": sets}))
        self.assertIn(f'name="answers.{self.stage.id}"', required)
        self.assertNotIn(f'name="answers.{self.size.id}"', required)
        self.assertNotIn(f'name="answers.{self.stage.id}"', optional)
        self.assertIn(f'name="answers.{self.size.id}"', optional)
        for question in (self.stage, self.interests, self.size, self.prepare):
            self.assertIn(f'name="answers.{question.id}"', everything)
        self.assertIn(f'data-consultant="{self.tess.id}"', required, "each block says whose set it is")
