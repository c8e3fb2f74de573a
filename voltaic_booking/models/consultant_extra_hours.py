from datetime import datetime, time, timedelta, timezone

from odoo import api, fields, models
from odoo.exceptions import ValidationError

UTC = timezone.utc


class VoltaicConsultantExtraHours(models.Model):
    """One-off working time outside the weekly hours (an exception that adds availability)."""

    _name = "voltaic.consultant.extra.hours"
    _description = "Consultant Extra Hours"
    _order = "date, hour_from"

    consultant_id = fields.Many2one("voltaic.consultant", required=True, index=True, ondelete="cascade")
    name = fields.Char(string="Reason")
    date = fields.Date(required=True, default=fields.Date.context_today)
    hour_from = fields.Float(string="From", required=True, default=9.0,
                             help="Wall-clock time in the consultant's time zone.")
    hour_to = fields.Float(string="To", required=True, default=12.0,
                           help="Wall-clock time in the consultant's time zone.")
    start = fields.Datetime(compute="_compute_range", store=True, index=True, string="Start (UTC)")
    stop = fields.Datetime(compute="_compute_range", store=True, string="End (UTC)")

    _hours_valid = models.Constraint(
        "CHECK(hour_from >= 0 AND hour_to <= 24 AND hour_to > hour_from)",
        "Extra hours must end after they start, within one day.")

    @api.depends("date", "hour_from", "hour_to", "consultant_id.tz")
    def _compute_range(self):
        for extra in self:
            if not (extra.date and extra.consultant_id) or extra.hour_to <= extra.hour_from:
                extra.start = extra.stop = False
                continue
            zone = extra.consultant_id._zone()
            extra.start = _wall_clock_to_utc(extra.date, extra.hour_from, zone)
            extra.stop = _wall_clock_to_utc(extra.date, extra.hour_to, zone)

    @api.constrains("hour_from", "hour_to")
    def _check_hours(self):
        for extra in self:
            if not 0 <= extra.hour_from < extra.hour_to <= 24:
                raise ValidationError(self.env._("Extra hours must end after they start, within one day."))

    # fewer extra hours may leave bookings outside the working time: the consultant's are rechecked

    @api.model_create_multi
    def create(self, vals_list):
        extras = super().create(vals_list)
        extras.consultant_id._schedule_review()
        return extras

    def write(self, vals):
        consultants = self.consultant_id
        result = super().write(vals)
        (consultants | self.consultant_id)._schedule_review()
        return result

    def unlink(self):
        consultants = self.consultant_id
        result = super().unlink()
        consultants.exists()._schedule_review()
        return result


def _wall_clock_to_utc(day, hours, zone):
    """Naive UTC datetime of ``hours`` (float) after midnight of ``day`` on the wall clock of ``zone``."""
    local = datetime.combine(day, time.min) + timedelta(hours=hours)
    return local.replace(tzinfo=zone).astimezone(UTC).replace(tzinfo=None, microsecond=0)
