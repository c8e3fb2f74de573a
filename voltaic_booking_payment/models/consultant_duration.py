from odoo import fields, models


class VoltaicConsultantDuration(models.Model):
    _inherit = "voltaic.consultant.duration"

    currency_id = fields.Many2one(related="consultant_id.currency_id")
    price = fields.Monetary(
        currency_field="currency_id", default=0.0,
        help="0 makes this duration free; a price makes website and API clients pay "
             "before the consultation is confirmed.")

    _price_positive = models.Constraint("CHECK(COALESCE(price, 0) >= 0)", "Prices cannot be negative.")
