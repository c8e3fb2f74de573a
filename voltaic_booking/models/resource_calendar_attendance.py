from odoo import api, models


class ResourceCalendarAttendance(models.Model):
    """Weekly hours: a change rechecks the working time (cache) and the upcoming bookings of the consultants
    on these working hours (``voltaic.consultant._schedule_review_of``)."""

    _inherit = "resource.calendar.attendance"

    @api.model_create_multi
    def create(self, vals_list):
        attendances = super().create(vals_list)
        self.env["voltaic.consultant"]._schedule_review_of(calendars=attendances.calendar_id)
        return attendances

    def write(self, vals):
        calendars = self.calendar_id
        result = super().write(vals)
        self.env["voltaic.consultant"]._schedule_review_of(calendars=calendars | self.calendar_id)
        return result

    def unlink(self):
        calendars = self.calendar_id
        result = super().unlink()
        self.env["voltaic.consultant"]._schedule_review_of(calendars=calendars.exists())
        return result
