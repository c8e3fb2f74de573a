"""Which calendar each consultant's bookings are written into, and a warning when there are two.

Three syncs can write a consultant's bookings into an external calendar: our own Google push
(``google_sync_enabled``), Odoo's ``google_calendar`` and Odoo's ``microsoft_calendar`` for the
consultant's user. Neither Odoo module is a dependency: their fields are looked up on the user
only when the module is installed. Our push and Odoo's Google sync share one writer per booking
(``consultant_google.py``); Google and Outlook together write every booking twice, into two
calendars.
"""

from odoo import api, fields, models

CALENDAR_SYNCS = [
    ("voltaic_google", "Google Calendar, through Voltaic"),
    ("odoo_google", "Google Calendar, through Odoo's Google sync"),
    ("outlook", "Outlook, through Odoo's Outlook sync"),
]


class VoltaicConsultant(models.Model):
    _inherit = "voltaic.consultant"

    calendar_sync = fields.Selection(
        [("none", "None"), *CALENDAR_SYNCS, ("several", "Several Calendars")],
        compute="_compute_calendar_sync",
        help="The external calendar that receives this consultant's bookings and whose busy times count: Google "
             "Calendar through this addon (tab Google Calendar), Google Calendar or Outlook through Odoo's own "
             "sync of the consultant's user (Calendar app, “Synchronize with”).")
    calendar_sync_conflict = fields.Char(
        string="Calendars Written Twice", compute="_compute_calendar_sync",
        help="The syncs that each write this consultant's bookings into a calendar of their own.")

    @api.depends("user_id", "google_sync_enabled")
    def _compute_calendar_sync(self):
        labels = dict(self._fields["calendar_sync"]._description_selection(self.env))
        for consultant in self:
            syncs = consultant._calendar_syncs()
            # our push and Odoo's Google sync write into the same Google calendar, one writer per booking
            writers = [sync for sync in syncs if not (sync == "odoo_google" and "voltaic_google" in syncs)]
            if not writers:
                consultant.calendar_sync = "none"
            elif len(writers) == 1:
                consultant.calendar_sync = writers[0]
            else:
                consultant.calendar_sync = "several"
            consultant.calendar_sync_conflict = "; ".join(labels[sync] for sync in writers) if len(writers) > 1 \
                else False

    def _calendar_syncs(self):
        """The syncs set up for this consultant, among ``CALENDAR_SYNCS``."""
        self.ensure_one()
        syncs = []
        if self.google_sync_enabled:
            syncs.append("voltaic_google")
        if self._google_odoo_user_synced():
            syncs.append("odoo_google")
        if self._outlook_user_synced():
            syncs.append("outlook")
        return syncs

    @api.model
    def _outlook_module_installed(self):
        """True when Odoo's own Outlook sync (``microsoft_calendar``) is installed."""
        return "microsoft.calendar.sync" in self.env

    def _outlook_user_synced(self):
        """True when Odoo's Outlook sync syncs this consultant's user (as its scheduled action chooses them)."""
        self.ensure_one()
        user = self.user_id.sudo()
        if not user or not self._outlook_module_installed():
            return False
        return bool(user.microsoft_calendar_rtoken) and not user.microsoft_synchronization_stopped
