"""Intake questions of a team: asked when a client books the team ("first available").

The client answers before the service assigns a member, so a booking made through a team asks the
team's questions (its own, else the global default set) — in the check of the team booking (its probe
member) and in the booking of the member assigned, whose own questions do not apply. A consultant booked
directly keeps their own rule (``voltaic.consultant._intake_questions``).

This file loads after booking_intake.py, whose ``_intake_questions_for`` it extends.
"""

from odoo import api, fields, models


class VoltaicBookingTeam(models.Model):
    _inherit = "voltaic.booking.team"

    question_ids = fields.One2many(
        "voltaic.booking.question", "team_id", string="Intake Questions",
        help="Asked when a client books this team (\"first available\"), instead of the global default "
             "questions; the assigned consultant's own questions are not asked.")

    def _intake_questions(self):
        """The questions a booking through this team asks, in order: the team's own (active) questions if it
        has any, else the global default set."""
        self.ensure_one()
        own = self.question_ids.sorted()
        return own or self.env["voltaic.booking.question"]._global_questions()


class VoltaicBooking(models.Model):
    _inherit = "voltaic.booking"

    @api.model
    def _intake_questions_for(self, values, consultant):
        """With ``team_id`` in ``values`` (a booking through a team, before or after a member is assigned):
        the team's questions, never the member's."""
        team = self._values_team(values)
        if team:
            return team._intake_questions()
        return super()._intake_questions_for(values, consultant)
