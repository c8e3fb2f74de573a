from odoo import fields, models


class VoltaicConsultant(models.Model):
    _inherit = "voltaic.consultant"

    currency_id = fields.Many2one(related="company_id.currency_id", string="Currency")

    def _price_for(self, duration):
        """Price of a ``duration``-minute consultation (its offered duration line), 0 when free."""
        self.ensure_one()
        line = self.duration_ids.filtered(lambda offered: offered.active and offered.duration == duration)[:1]
        return line.price
