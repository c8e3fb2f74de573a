from odoo import fields, models

DURATIONS = (15, 30, 60, 90, 120)


class VoltaicConsultant(models.Model):
    _inherit = "voltaic.consultant"

    currency_id = fields.Many2one(related="company_id.currency_id", string="Currency")
    price_15 = fields.Monetary(string="Price (15 minutes)", currency_field="currency_id", default=0.0)
    price_30 = fields.Monetary(string="Price (30 minutes)", currency_field="currency_id", default=0.0)
    price_60 = fields.Monetary(string="Price (60 minutes)", currency_field="currency_id", default=0.0)
    price_90 = fields.Monetary(string="Price (90 minutes)", currency_field="currency_id", default=0.0)
    price_120 = fields.Monetary(string="Price (120 minutes)", currency_field="currency_id", default=0.0)

    _prices_positive = models.Constraint(
        "CHECK(COALESCE(price_15, 0) >= 0 AND COALESCE(price_30, 0) >= 0 AND COALESCE(price_60, 0) >= 0 "
        "AND COALESCE(price_90, 0) >= 0 AND COALESCE(price_120, 0) >= 0)",
        "Prices cannot be negative.")

    def _price_for(self, duration):
        """Price of a ``duration``-minute consultation, 0 when free."""
        self.ensure_one()
        return self[f"price_{duration}"] if duration in DURATIONS else 0.0
