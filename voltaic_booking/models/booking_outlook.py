"""Bookings next to Odoo's own Outlook sync (``microsoft_calendar``), which is not a dependency.

Odoo's sync copies a ``calendar.event`` into the Outlook calendar of a user who syncs: right
after the commit when the user who creates or changes it syncs too, otherwise at the next run of
the organizer's sync (the scheduled action *Outlook: synchronization*, or when that user opens
the Calendar app). Events of the user's Outlook calendar come back as ``calendar.event``s, which
block the consultant's slots like any busy meeting. A booking's meeting is the consultant's,
whoever books it: it reaches the consultant's Outlook calendar once, or no Outlook calendar at
all. See docs/outlook.md.
"""

from odoo import models


class VoltaicBooking(models.Model):
    _inherit = "voltaic.booking"

    def _create_event(self):
        consultants = self.env["voltaic.consultant"]
        if not consultants._outlook_module_installed():
            return super()._create_event()
        # Odoo's sync would copy the meeting into the Outlook calendar of the user who books (a
        # manager who syncs, booking for a consultant who does not): only the consultant's sync may
        # copy it (``need_sync_m`` is Odoo's "copy it" mark; organizer checks: calendar_event.py)
        synced = self.consultant_id._outlook_user_synced()
        return super(VoltaicBooking, self.with_context(default_need_sync_m=synced))._create_event()
