from odoo import fields, models


class CalendarEvent(models.Model):
    _inherit = "calendar.event"

    voltaic_booking_ids = fields.One2many("voltaic.booking", "event_id", string="Consultation Bookings")

    _vb_busy_range_idx = models.Index("(stop, start) WHERE active AND show_as = 'busy'")


class CalendarAttendee(models.Model):
    _inherit = "calendar.attendee"

    _vb_partner_event_idx = models.Index("(partner_id, event_id)")
