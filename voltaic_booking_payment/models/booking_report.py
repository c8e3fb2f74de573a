from odoo import fields, models
from odoo.tools import SQL


class VoltaicBookingReport(models.Model):
    _inherit = "voltaic.booking.report"

    revenue = fields.Float(readonly=True, help="Paid for the consultation and not refunded (paid consultations).")

    def _booking_condition_sql(self):
        # holds never paid were not meetings
        return SQL("%s AND b.state NOT IN ('pending_payment', 'payment_failed', 'abandoned')",
                   super()._booking_condition_sql())

    def _extra_columns_sql(self):
        return SQL("%s, COALESCE(b.amount_paid, 0) AS revenue", super()._extra_columns_sql())
