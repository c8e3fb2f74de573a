from odoo import fields, models


class VoltaicCancelBooking(models.TransientModel):
    """Cancel one or more bookings with a reason (``voltaic.booking.action_cancel``)."""

    _name = "voltaic.cancel.booking"
    _description = "Cancel Consultations"

    booking_ids = fields.Many2many(
        "voltaic.booking", string="Bookings", required=True,
        default=lambda self: self._default_booking_ids())
    reason = fields.Text(required=True)

    def _default_booking_ids(self):
        context = self.env.context
        if context.get("active_model") == "voltaic.booking" and context.get("active_ids"):
            return self.env["voltaic.booking"].browse(context["active_ids"])
        return self.env["voltaic.booking"]

    def action_cancel(self):
        self.ensure_one()
        self.booking_ids.action_cancel(self.reason)
        return {"type": "ir.actions.act_window_close"}
