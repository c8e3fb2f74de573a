from odoo import fields, models
from odoo.tools import SQL


class VoltaicBookingAnswerReport(models.Model):
    """Intake answers to choice questions: one row per booking and chosen answer, so that the count of
    bookings per answer is a group-by on question and answer. Bookings are those of the consultation
    analysis (``voltaic.booking.report._booking_condition_sql``: replaced times and what extensions
    leave out are not counted)."""

    _name = "voltaic.booking.answer.report"
    _description = "Intake Answer Analysis"
    _auto = False
    _order = "start desc, id"

    answer_id = fields.Many2one("voltaic.booking.answer", string="Intake Answer", readonly=True)
    booking_id = fields.Many2one("voltaic.booking", readonly=True)
    question_id = fields.Many2one("voltaic.booking.question", readonly=True)
    option_id = fields.Many2one("voltaic.booking.question.option", string="Answer", readonly=True)
    consultant_id = fields.Many2one("voltaic.consultant", readonly=True)
    booking_team_id = fields.Many2one(
        "voltaic.booking.team", string="Consultant Team", readonly=True,
        help="The team the booking was made through (\"first available\"); empty for a consultant booked by name.")
    company_id = fields.Many2one("res.company", readonly=True)
    state = fields.Selection(selection="_selection_state", string="Status", readonly=True)
    start = fields.Datetime(string="Meeting Time", readonly=True)
    booking_count = fields.Integer(string="Bookings", readonly=True)

    @property
    def _table_query(self):
        return SQL("""
            SELECT ROW_NUMBER() OVER (ORDER BY a.id, o.sequence, o.id) AS id,
                   a.id AS answer_id,
                   b.id AS booking_id,
                   a.question_id,
                   o.id AS option_id,
                   b.consultant_id,
                   b.team_id AS booking_team_id,
                   b.company_id,
                   b.start,
                   b.state,
                   1 AS booking_count
              FROM voltaic_booking_answer a
              JOIN voltaic_booking b ON b.id = a.booking_id
              JOIN voltaic_booking_answer_option_rel rel ON rel.answer_id = a.id
              JOIN voltaic_booking_question_option o ON o.id = rel.option_id
             WHERE %(condition)s
        """, condition=self.env["voltaic.booking.report"]._booking_condition_sql())

    def _selection_state(self):
        return self.env["voltaic.booking"]._fields["state"]._description_selection(self.env)
