from odoo import models


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    @classmethod
    def _get_translation_frontend_modules_name(cls):
        """The website's scripts (booking page, manage page) show this module's texts in the visitor's language."""
        return [*super()._get_translation_frontend_modules_name(), "voltaic_booking"]
