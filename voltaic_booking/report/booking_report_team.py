from odoo import fields, models
from odoo.tools import SQL


class VoltaicBookingReport(models.Model):
    """The consultation analysis by team: bookings made as "first available" of a team."""

    _inherit = "voltaic.booking.report"

    booking_team_id = fields.Many2one(
        "voltaic.booking.team", string="Consultant Team", readonly=True,
        help="The team the booking was made through (\"first available\"); empty for a consultant booked by name.")

    def _extra_columns_sql(self):
        return SQL("%s, b.team_id AS booking_team_id", super()._extra_columns_sql())
