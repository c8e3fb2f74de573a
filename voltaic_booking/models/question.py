"""Intake questions: what a client answers in step 3 of the booking (and in the API's ``answers``).

A question belongs to a consultant, to a team, or to neither (the global default set). Which questions
a booking asks is ``voltaic.booking._intake_questions_for``: for a consultant booked directly
``voltaic.consultant._intake_questions()`` (their own questions if they have any, else the global set);
for a booking made through a team ("first available") ``voltaic.booking.team._intake_questions()`` (the
team's own, else the global set), whoever the team assigns (team_question.py). Another scope adds its
field here, narrows ``_global_domain()`` and extends ``_intake_questions_for``.
"""

import math

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

QUESTION_TYPES = [
    ("char", "Short text"),
    ("text", "Long text"),
    ("select", "Single choice"),
    ("multi", "Multiple choice"),
    ("checkbox", "Checkbox"),
    ("number", "Number"),
]
CHOICE_TYPES = ("select", "multi")
SHORT_TEXT_MAX = 200
LONG_TEXT_MAX = 5000
TRUE_STRINGS = ("1", "on", "true", "True", "yes")
FALSE_STRINGS = ("", "0", "off", "false", "False", "no")


class VoltaicBookingQuestion(models.Model):
    _name = "voltaic.booking.question"
    _description = "Intake Question"
    _order = "sequence, id"

    name = fields.Char(string="Question", required=True, translate=True)
    help_text = fields.Char(translate=True, help="Shown under the question on the booking page.")
    question_type = fields.Selection(QUESTION_TYPES, string="Type", required=True, default="char")
    is_required = fields.Boolean(
        string="Required",
        help="Clients must answer it on the booking page and in the API. The back office and external "
             "schedulers may leave it empty.")
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    consultant_id = fields.Many2one(
        "voltaic.consultant", index=True, ondelete="cascade",
        help="Asked only when this consultant is booked. Empty (and no team): one of the global default "
             "questions, asked for every consultant and team that has no questions of its own.")
    team_id = fields.Many2one(
        "voltaic.booking.team", index=True, ondelete="cascade",
        help="Asked only when a client books this team (\"first available\"), whoever the team assigns. "
             "Empty (and no consultant): one of the global default questions.")
    option_ids = fields.One2many(
        "voltaic.booking.question.option", "question_id", string="Choices", copy=True)
    answer_count = fields.Integer(compute="_compute_answer_count")

    @api.constrains("question_type", "option_ids")
    def _check_choices(self):
        for question in self:
            if question.question_type in CHOICE_TYPES and not question.option_ids:
                raise ValidationError(self.env._("The question “%s” needs at least one choice.", question.name))

    @api.constrains("consultant_id", "team_id")
    def _check_scope(self):
        for question in self:
            if question.consultant_id and question.team_id:
                raise ValidationError(self.env._(
                    "The question “%s” belongs either to a consultant or to a team, not to both: empty one of "
                    "the two fields (both empty: a global default question).", question.name))

    def _compute_answer_count(self):
        counts = dict(self.env["voltaic.booking.answer"]._read_group(
            [("question_id", "in", self.ids)], ["question_id"], ["__count"]))
        for question in self:
            question.answer_count = counts.get(question, 0)

    def write(self, vals):
        if "question_type" in vals and self.env["voltaic.booking.answer"].search_count(
                [("question_id", "in", self.filtered(lambda q: q.question_type != vals["question_type"]).ids)],
                limit=1):
            raise UserError(self.env._(
                "Clients already answered this question: its type cannot change. Archive it and add a new one."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_answered(self):
        if self.env["voltaic.booking.answer"].search_count([("question_id", "in", self.ids)], limit=1):
            raise UserError(self.env._("Clients already answered this question: archive it instead."))

    # ------------------------------------------------------------------
    # Which questions
    # ------------------------------------------------------------------

    @api.model
    def _global_domain(self):
        """The global default set: questions of no consultant and no team (another scope narrows this)."""
        return [("consultant_id", "=", False), ("team_id", "=", False)]

    @api.model
    def _global_questions(self):
        return self.search(self._global_domain())

    # ------------------------------------------------------------------
    # Answers
    # ------------------------------------------------------------------

    def _parse_answer(self, raw):
        """``(values, message)``: the answer's stored values (None when not answered) or what is wrong.

        Accepts JSON values (API) and the strings of the booking form: a choice is an option id (a
        string of digits too), a multiple choice a list of them (or one), a checkbox a boolean (or the
        form's ``"1"``/``"on"``), a number a number (or a numeric string).
        """
        self.ensure_one()
        env = self.env
        kind = self.question_type
        if raw is None or (isinstance(raw, (str, list)) and not raw):
            return None, None
        if kind in ("char", "text"):
            if not isinstance(raw, str):
                return None, env._("This must be text.")
            text = raw.strip()
            limit = SHORT_TEXT_MAX if kind == "char" else LONG_TEXT_MAX
            if len(text) > limit:
                return None, env._("This text is too long (at most %s characters).", limit)
            return ({"value_text": text} if text else None), None
        if kind == "checkbox":
            if raw is True or raw in TRUE_STRINGS:
                return {"value_bool": True}, None
            if raw is False or raw in FALSE_STRINGS:
                return None, None
            return None, env._("This must be true or false.")
        if kind == "number":
            number = None
            if isinstance(raw, (int, float)) and not isinstance(raw, bool):
                number = float(raw)
            elif isinstance(raw, str):
                try:
                    number = float(raw.strip().replace(",", "."))
                except ValueError:
                    number = None
            if number is None or not math.isfinite(number) or abs(number) >= 1e15:
                return None, env._("Enter a number.")
            return {"value_number": number}, None
        # single and multiple choice: option ids of this question
        items = raw if isinstance(raw, list) else [raw]
        if kind == "select" and len(items) > 1:
            return None, env._("Choose one answer.")
        option_ids = []
        for item in items:
            if isinstance(item, str) and item.strip().isdigit():
                item = int(item)
            if not isinstance(item, int) or isinstance(item, bool) or item not in self.option_ids.ids:
                return None, env._("Choose one of the offered answers.")
            if item not in option_ids:
                option_ids.append(item)
        return {"option_ids": option_ids}, None

    def _public_payload(self):
        """The question as the API and the booking page show it (in the environment's language)."""
        self.ensure_one()
        return {
            "id": self.id,
            "label": self.name,
            "help": self.help_text or "",
            "type": self.question_type,
            "required": self.is_required,
            "options": [{"id": option.id, "label": option.name} for option in self.option_ids],
        }
