from odoo import fields, models
from odoo.tools import SQL


class VoltaicBookingReport(models.Model):
    _inherit = "voltaic.booking.report"

    state = fields.Selection(selection_add=[("refunded", "Refunded")])
    revenue = fields.Float(readonly=True, help="Paid for the consultation and not refunded (paid consultations).")

    def _booking_condition_sql(self):
        # holds never paid were not meetings, nor a late payment refunded before it became one
        return SQL(
            "%s AND b.state NOT IN ('pending_payment', 'payment_failed', 'abandoned')"
            " AND (b.state != 'refunded' OR b.confirmed_at IS NOT NULL)",
            super()._booking_condition_sql())

    def _cancelled_condition_sql(self):
        # a meeting is refunded once it was cancelled: it stays a cancellation in the figures
        return SQL("(%s OR b.state = 'refunded')", super()._cancelled_condition_sql())

    def _extra_columns_sql(self):
        return SQL("%s, COALESCE(b.amount_paid, 0) AS revenue", super()._extra_columns_sql())
