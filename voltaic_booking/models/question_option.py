from odoo import api, fields, models
from odoo.exceptions import UserError


class VoltaicBookingQuestionOption(models.Model):
    _name = "voltaic.booking.question.option"
    _description = "Intake Question Choice"
    _order = "sequence, id"

    name = fields.Char(string="Choice", required=True, translate=True)
    sequence = fields.Integer(default=10)
    question_id = fields.Many2one("voltaic.booking.question", required=True, index=True, ondelete="cascade")

    @api.ondelete(at_uninstall=False)
    def _unlink_except_chosen(self):
        answered = self.env["voltaic.booking.answer"].search_count([("option_ids", "in", self.ids)], limit=1)
        if answered:
            raise UserError(self.env._(
                "Clients already chose this answer: rename it, or archive the question and add a new one."))
