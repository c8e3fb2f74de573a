from odoo import api, models


class Website(models.Model):
    _inherit = "website"

    @api.model_create_multi
    def create(self, vals_list):
        websites = super().create(vals_list)
        # the website of a company's client links is cached (voltaic.booking._client_website_id)
        self.env.registry.clear_cache()
        return websites

    def unlink(self):
        result = super().unlink()
        self.env.registry.clear_cache()
        return result
