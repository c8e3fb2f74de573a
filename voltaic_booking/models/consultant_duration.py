from odoo import api, fields, models

# the longest consultation a consultant can offer, in minutes
DURATION_MAX_MINUTES = 8 * 60


class VoltaicConsultantDuration(models.Model):
    """A meeting length a consultant offers; the website, the API and the back office offer the active lines."""

    _name = "voltaic.consultant.duration"
    _description = "Consultant Offered Duration"
    _order = "consultant_id, sequence, duration"

    consultant_id = fields.Many2one("voltaic.consultant", required=True, index=True, ondelete="cascade")
    duration = fields.Integer(string="Duration (minutes)", required=True)
    active = fields.Boolean(default=True)
    sequence = fields.Integer(default=10)

    _consultant_duration_uniq = models.Constraint(
        "UNIQUE(consultant_id, duration)", "The consultant already offers this duration.")
    _duration_range = models.Constraint(
        f"CHECK(duration > 0 AND duration <= {DURATION_MAX_MINUTES})",
        "A duration is between 1 minute and 8 hours.")

    @api.depends("duration")
    def _compute_display_name(self):
        for line in self:
            line.display_name = self.env._("%s minutes", line.duration)

    def write(self, vals):
        consultants = self.consultant_id
        result = super().write(vals)
        self._check_consultants_offer(consultants | self.consultant_id)
        return result

    def unlink(self):
        consultants = self.consultant_id
        result = super().unlink()
        self._check_consultants_offer(consultants.exists())
        return result

    def _check_consultants_offer(self, consultants):
        """Archiving or deleting a line directly must leave each consultant a duration to offer.

        Lines changed from the consultant's form are checked once, by the consultant's own
        constraint, after all the lines of the form are saved.
        """
        if not self.env.context.get("voltaic_consultant_offer_check"):
            consultants._check_offer()

    @api.model
    def _offered_durations(self, archived=False):
        """Every duration a consultant accepting bookings offers, sorted: the choices of the booking page.

        :param archived: every length of every line instead, archived ones included: the back
            office's choices, where a booking keeps a length that is no longer offered.
        """
        if archived:
            lines = self.sudo().with_context(active_test=False).search_fetch([], ["duration"])
        else:
            lines = self.sudo().search_fetch([
                ("consultant_id.active", "=", True),
                ("consultant_id.is_accepting_bookings", "=", True),
            ], ["duration"])
        return sorted(set(lines.mapped("duration")))
