from odoo import api, fields, models

from ..lib import display_times


class VoltaicBooking(models.Model):
    """What the back office shows of a booking: calendar titles, dates in the user's language."""

    _inherit = "voltaic.booking"

    calendar_title = fields.Char(
        compute="_compute_calendar_title",
        help="The title of the booking in calendar views: the client, then the consultant.")

    @api.depends("client_name", "consultant_id.name")
    def _compute_calendar_title(self):
        for booking in self:
            booking.calendar_title = " — ".join(filter(None, [booking.client_name, booking.consultant_id.name]))

    @api.model
    def _install_language(self, code):
        """Install a language as *Settings ‣ Languages ‣ Add* does: activated, with the translations of every
        installed module (Odoo's own texts too, not only this addon's). The demo data installs German so."""
        self.env["res.lang"]._activate_lang(code)
        modules = self.env["ir.module.module"].search([("state", "in", ("installed", "to install", "to upgrade"))])
        modules._update_translations([code])

    # ------------------------------------------------------------------
    # Dates and times in the reader's language (one convention per language: lib/display_times.py)
    # ------------------------------------------------------------------

    @api.model
    def _display_lang(self):
        return self.env.lang or "en_US"

    @api.model
    def _datetime_text(self, moment, tz_name, with_zone=False):
        """``Thu, Mar 5, 2026, 2:30 PM`` / ``Do., 5. März 2026, 14:30`` in the environment's language."""
        text = display_times.datetime_text(moment, tz_name, self._display_lang())
        return f"{text} ({tz_name or 'UTC'})" if with_zone else text

    @api.model
    def _range_text(self, start, stop, tz_name):
        """``Thu, Mar 5, 2026, 2:30 PM – 3:30 PM (Europe/Berlin)`` in the environment's language."""
        return display_times.range_text(start, stop, tz_name, self._display_lang())

    @api.model
    def _time_text(self, moment, tz_name):
        """``2:30 PM`` / ``14:30``."""
        return display_times.time_text(moment, tz_name, self._display_lang())

    @api.model
    def _day_text(self, day, year=False):
        """``Thu, Mar 5`` / ``Do., 5. März``."""
        return display_times.day_text(day, self._display_lang(), year=year)
