"""One meeting link for both sides: the Google Meet link replaces the booking's video link.

With Google Meet on (settings), the push of a video booking to Google asks for a Meet conference
(``booking_google.py``). Google answers after the commit, in the push job. When its Meet link
arrives it becomes the booking's ``location`` (what ``_join_url()`` reads) and the ``videocall_location``
of the booking's meeting in Odoo: the client's pages, e-mails and calendar file and the consultant's
Google and Odoo calendars all carry the same link.

The confirmation e-mails of such a booking wait for it: the e-mail job leaves them for a short while
(``MEET_WAIT``) as long as the push is pending, and the push wakes the job once it is done. When
Google does not answer in time (or the push fails), they go out with the link the booking had (the
consultant's video link or Odoo's Discuss room); a Meet link arriving later is what the reminders, the
manage page and the calendar file downloaded from it show from then on.
"""

from datetime import timedelta

from odoo import api, fields, models
from odoo.fields import Domain

MEET_WAIT = timedelta(minutes=5)
EMAIL_JOB = "voltaic_booking.ir_cron_booking_emails"


class VoltaicBooking(models.Model):
    _inherit = "voltaic.booking"

    def _google_push_one(self, client, settings):
        moved = super()._google_push_one(client, settings)
        self._use_meet_link()
        return moved

    def _google_push(self):
        result = super()._google_push()
        # confirmation e-mails held back for the Meet link go out now, with it (or without, if it failed)
        logs = self.sudo().email_log_ids.filtered("render_pending")
        if logs:
            self.env.ref(EMAIL_JOB).sudo()._trigger_once()
        return result

    def _use_meet_link(self):
        """Make the Meet link Google returned the one join link of the video bookings in ``self``."""
        for booking in self.sudo().filtered(lambda b: b.meeting_type == "video" and b.google_meet_url):
            link = booking.google_meet_url
            if booking.location != link:
                booking.location = link
            event = booking.event_id.with_context(active_test=False)
            if event and event.videocall_location != link:
                # the consultant's meeting in Odoo: the same link (Google already has it)
                event.with_context(no_calendar_sync=True, voltaic_booking_service=True).write(
                    {"videocall_location": link})

    @api.model
    def _meet_waiting_domain(self):
        """Claimed e-mails waiting for a Meet link that Google has not returned yet (or None when Meet is off)."""
        if not self.env["voltaic.google.connection"].sudo()._google_settings()["meet"]:
            return None
        return Domain.AND([
            Domain("render_pending", "=", True),
            Domain("create_date", ">", fields.Datetime.now() - MEET_WAIT),
            Domain("booking_id.meeting_type", "=", "video"),
            Domain("booking_id.google_sync_state", "=", "pending"),
            Domain("booking_id.google_meet_url", "=", False),
        ])

    @api.model
    def _email_render_domain(self):
        domain = super()._email_render_domain()
        waiting = self._meet_waiting_domain()
        return domain if waiting is None else domain & ~waiting

    @api.model
    def _cron_prepare_emails(self):
        prepared = super()._cron_prepare_emails()
        waiting = self._meet_waiting_domain()
        if waiting is not None:
            first = self.env["voltaic.booking.message"].sudo().search(waiting, order="create_date", limit=1)
            if first:
                # the push wakes the job when it is done; at the latest the e-mail goes out then
                self.env.ref(EMAIL_JOB).sudo()._trigger(at=first.create_date + MEET_WAIT)
        return prepared
