from odoo import fields, models

from .booking import PAYMENT_MESSAGE_KINDS


class VoltaicBookingMessage(models.Model):
    _inherit = "voltaic.booking.message"

    kind = fields.Selection(selection_add=PAYMENT_MESSAGE_KINDS,
                            ondelete={kind: "cascade" for kind, _label in PAYMENT_MESSAGE_KINDS})
