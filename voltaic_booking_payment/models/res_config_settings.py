from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    voltaic_payment_hold_minutes = fields.Integer(
        string="Hold the Slot While Paying (minutes)", config_parameter="voltaic_booking.payment_hold_minutes",
        default=15)
    voltaic_refund_window_hours = fields.Integer(
        string="Refund When Cancelled Until (hours before)", config_parameter="voltaic_booking.refund_window_hours",
        default=24)
    voltaic_cancellation_policy = fields.Char(
        string="Cancellation Policy", config_parameter="voltaic_booking.cancellation_policy")
