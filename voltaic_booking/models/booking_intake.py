"""The booking's intake answers: validated by the booking service, stored on the booking, shown to the
consultant (lead, meeting, notification and reminder e-mails)."""

from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.fields import Command

from .booking import CONSENT_SOURCES


class VoltaicBooking(models.Model):
    _inherit = "voltaic.booking"

    answer_ids = fields.One2many("voltaic.booking.answer", "booking_id", string="Intake Answers", readonly=True)

    @api.model
    def _intake_questions_for(self, values, consultant):
        """The questions a booking of ``consultant`` asks (``values``: the service's input).

        Hook: a scope that books other entities extends it; a booking through a team asks the team's
        questions, whoever is assigned (team_question.py).
        """
        return consultant._intake_questions() if consultant else self.env["voltaic.booking.question"]

    @api.model
    def _validate_answers(self, values, clean, errors):
        """The answers of ``values["answers"]`` (``{question id: answer}``) checked against the questions of
        the booking; problems go into ``errors`` under ``answers.<question id>`` (``answers`` when the whole
        value is not an object). Required questions are enforced for the client channels (website, API);
        the back office and external schedulers may leave them empty. Returns the answers' values."""
        env = self.env
        raw = values.get("answers")
        if raw in (None, "", [], {}):
            raw = {}
        if not isinstance(raw, dict):
            errors["answers"] = env._("Answers must be an object: {question id: answer}.")
            return []
        if "consultant" in errors:
            return []
        questions = self._intake_questions_for(values, clean["consultant"])
        by_id = {question.id: question for question in questions}
        given = {}
        for key, value in raw.items():
            question_id = int(key) if isinstance(key, str) and key.isdigit() else key
            if isinstance(question_id, bool):
                question_id = None
            if question_id not in by_id:
                errors[f"answers.{key}"] = env._("This question is not asked for this consultation.")
                continue
            given[question_id] = value
        enforce_required = clean["source"] in CONSENT_SOURCES and not clean["allow_conflict"]
        answers = []
        for question in questions:
            answer, message = question._parse_answer(given.get(question.id))
            if not message and answer is None and question.is_required and enforce_required:
                message = env._("Please answer this question.")
            if message:
                errors[f"answers.{question.id}"] = message
            elif answer is not None:
                answers.append({"question_id": question.id, **answer})
        return answers

    @api.model
    def _prepare_booking_values(self, clean, partner, lead):
        values = super()._prepare_booking_values(clean, partner, lead)
        if clean.get("answers"):
            values["answer_ids"] = [Command.create(answer) for answer in clean["answers"]]
        return values

    @api.model
    def _answer_rows(self, answers):
        """``[(question, answer text)]`` of answer values (``clean["answers"]``), before the booking exists."""
        rows = []
        for answer in answers:
            values = {**answer, "option_ids": [Command.set(answer.get("option_ids", []))]}
            record = self.env["voltaic.booking.answer"].new(values)
            rows.append((record.question_id.name, record.value_display))
        return rows

    @api.model
    def _answers_html(self, answers):
        """The answers as an HTML block for the lead (empty Markup when there are none)."""
        rows = self._answer_rows(answers)
        if not rows:
            return Markup()
        items = Markup("").join(
            Markup("<li><strong>%s</strong>: %s</li>") % (question, escape(text).replace("\n", Markup("<br/>")))
            for question, text in rows)
        return Markup("<p><strong>%s</strong></p><ul>%s</ul>") % (self.env._("Intake answers"), items)

    def _mail_answer_rows(self):
        """``[(question, answer text)]`` of the booking, for the consultant's e-mails and the meeting."""
        self.ensure_one()
        return [(answer.question_id.name, answer.value_display) for answer in self.answer_ids]

    def _client_data_booking(self):
        data = super()._client_data_booking()
        data["answers"] = [{"question": question, "answer": answer} for question, answer in self._mail_answer_rows()]
        return data

    def _erase_client_data(self):
        """The free-text answers are the client's own words: erased with the rest (choices and numbers stay,
        like the other statistics)."""
        bookings = super()._erase_client_data()
        bookings.sudo().answer_ids.write({"value_text": False})
        return bookings

    @api.model
    def _create_demo_answers(self):
        """Demo: the demo clients' answers to the demo questions (after ``_create_demo_data``)."""
        stage = self.env.ref("voltaic_booking.question_project_stage", raise_if_not_found=False)
        size = self.env.ref("voltaic_booking.question_project_size", raise_if_not_found=False)
        if not stage or not size:
            return
        bookings = self.search([("email", "in", ["lena.fischer@example.com", "tom.baker@example.com",
                                                  "priya.sharma@example.com"])], order="id")
        for booking, option, kwp in zip(bookings, stage.option_ids[1:], (750, 120, 500)):
            booking.answer_ids = [
                Command.create({"question_id": stage.id, "option_ids": [Command.set(option.ids)]}),
                Command.create({"question_id": size.id, "value_number": kwp}),
            ]
