from odoo import fields, models


class VoltaicConsultant(models.Model):
    _inherit = "voltaic.consultant"

    question_ids = fields.One2many(
        "voltaic.booking.question", "consultant_id", string="Intake Questions",
        help="Asked when this consultant is booked, instead of the global default questions.")

    def _intake_questions(self):
        """The questions a booking of this consultant asks, in order.

        The rule: the consultant's own (active) questions if they have any, else the global default set
        (Configuration > Intake Questions). Only for a consultant booked directly: a booking through a team asks
        the team's questions instead (``voltaic.booking._intake_questions_for``, team_question.py).
        """
        self.ensure_one()
        own = self.question_ids.sorted()
        return own or self.env["voltaic.booking.question"]._global_questions()
