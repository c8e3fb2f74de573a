from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    # --- booking (foundation) ---
    voltaic_rate_limit_per_minute = fields.Integer(
        string="Public Requests per Minute and IP",
        config_parameter="voltaic_booking.rate_limit_per_minute", default=10,
        help="Limit of public booking requests per client IP and minute; 0 disables it.")
    # --- notifications (issue 5) ---
    # --- crm and back office (issue 6) ---
    # --- google calendar (issue 7) ---
    # --- calendly and cal.com (issue 8) ---
    # --- payments (issue 9) ---
