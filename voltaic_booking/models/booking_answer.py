from odoo import api, fields, models
from odoo.tools import float_repr


class VoltaicBookingAnswer(models.Model):
    """A client's answer to an intake question, stored on the booking (made by the booking service only)."""

    _name = "voltaic.booking.answer"
    _description = "Intake Answer"
    _order = "booking_id, sequence, id"

    booking_id = fields.Many2one("voltaic.booking", required=True, index=True, ondelete="cascade")
    question_id = fields.Many2one("voltaic.booking.question", required=True, index=True, ondelete="restrict")
    question_type = fields.Selection(related="question_id.question_type")
    sequence = fields.Integer(related="question_id.sequence", store=True)
    value_text = fields.Text(string="Text")
    option_ids = fields.Many2many(
        "voltaic.booking.question.option", "voltaic_booking_answer_option_rel", "answer_id", "option_id",
        string="Choices")
    value_number = fields.Float(string="Number")
    value_bool = fields.Boolean(string="Checked")
    value_display = fields.Char(string="Answer", compute="_compute_value_display")

    @api.depends("question_id.question_type", "value_text", "option_ids.name", "value_number", "value_bool")
    @api.depends_context("lang")
    def _compute_value_display(self):
        for answer in self:
            kind = answer.question_id.question_type
            if kind in ("select", "multi"):
                answer.value_display = ", ".join(answer.option_ids.sorted().mapped("name"))
            elif kind == "number":
                number = answer.value_number
                answer.value_display = (
                    str(int(number)) if number.is_integer() else float_repr(number, 6).rstrip("0").rstrip("."))
            elif kind == "checkbox":
                answer.value_display = self.env._("Yes") if answer.value_bool else self.env._("No")
            else:
                answer.value_display = answer.value_text or ""
