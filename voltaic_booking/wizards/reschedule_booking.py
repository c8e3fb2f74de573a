from odoo import api, fields, models

from ..exceptions import SlotUnavailableError


class VoltaicRescheduleBooking(models.TransientModel):
    """Move a confirmed booking to another live slot (``voltaic.booking._reschedule``)."""

    _name = "voltaic.reschedule.booking"
    _inherit = "voltaic.booking.slot.picker"
    _description = "Reschedule a Consultation"

    booking_id = fields.Many2one("voltaic.booking", required=True, ondelete="cascade")
    consultant_id = fields.Many2one(related="booking_id.consultant_id")
    current_time = fields.Char(related="booking_id.start_client_display", string="Current Time")
    duration = fields.Selection(
        required=True, compute="_compute_from_booking", store=True, readonly=False, precompute=True)
    client_tz = fields.Selection(compute="_compute_from_booking", store=True, readonly=False, precompute=True)

    @api.depends("booking_id")
    def _compute_from_booking(self):
        for wizard in self:
            booking = wizard.booking_id
            offered = dict(wizard._duration_selection())
            wizard.duration = str(booking.duration) if str(booking.duration) in offered else wizard.duration
            wizard.client_tz = booking.client_tz or wizard.client_tz or "UTC"

    def _picker_ignore_bookings(self):
        # the booking's own time counts as free: it may move by a few minutes
        return self.booking_id

    def action_reschedule(self):
        self.ensure_one()
        booking = self.booking_id
        booking.check_access("write")
        start = self._chosen_start()
        try:
            booking._reschedule(start, duration=int(self.duration))
        except SlotUnavailableError as error:
            raise SlotUnavailableError(self._unavailable_message(error), error.alternatives) from None
        return {"type": "ir.actions.act_window_close"}
