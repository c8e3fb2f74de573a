from odoo import api, models


class ResourceCalendarLeaves(models.Model):
    """Time off: a change rechecks the working time (cache) and the upcoming bookings of the consultants it
    concerns (``voltaic.consultant._schedule_review_of``).

    A consultant's own time off (with a resource), the time off of their working hours, or a
    public holiday (without resource nor working hours: every consultant of the company).
    """

    _inherit = "resource.calendar.leaves"

    @api.model_create_multi
    def create(self, vals_list):
        leaves = super().create(vals_list)
        leaves._voltaic_schedule_review()
        return leaves

    def write(self, vals):
        self._voltaic_schedule_review()  # whom the time off concerned before (the check runs at the end)
        result = super().write(vals)
        self._voltaic_schedule_review()
        return result

    def unlink(self):
        self._voltaic_schedule_review()
        return super().unlink()

    def _voltaic_schedule_review(self):
        own = self.filtered("resource_id")
        on_hours = (self - own).filtered("calendar_id")
        everywhere = self - own - on_hours
        self.env["voltaic.consultant"]._schedule_review_of(
            calendars=on_hours.calendar_id, resources=own.resource_id,
            companies=everywhere.company_id if everywhere else None)
