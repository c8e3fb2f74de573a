import logging
from datetime import timedelta

from odoo import api, fields, models

_logger = logging.getLogger(__name__)

MESSAGE_KINDS = [
    ("client_confirmation", "Confirmation (client)"),
    ("consultant_confirmation", "New booking (consultant)"),
    ("client_cancellation", "Cancellation (client)"),
    ("consultant_cancellation", "Cancellation (consultant)"),
    ("client_reschedule", "New time (client)"),
    ("consultant_reschedule", "New time (consultant)"),
    ("client_reminder", "First reminder (client)"),
    ("client_last_reminder", "Last reminder (client)"),
    ("consultant_reminder", "Reminder (consultant)"),
    ("client_feedback", "Feedback request (client)"),
    ("client_no_show", "Missed meeting follow-up (client)"),
]
REMINDER_KINDS = ("client_reminder", "client_last_reminder", "consultant_reminder")
# mails refused for a passing reason (SMTP server down, temporary error) are queued again after
# these delays (the last one repeats) until MAX_RETRIES; refused addresses are not retried
RETRY_DELAYS_MINUTES = (5, 15, 60, 180, 360)
MAX_RETRIES = 20
RETRYABLE_FAILURES = ("mail_smtp", "unknown")
RETRY_BATCH_SIZE = 500


class VoltaicBookingMessage(models.Model):
    """One e-mail of a booking, recorded in the transaction that queues it.

    The unique index on (booking, kind, revision) is what makes every
    automatic message go out once: a second cron worker, a retried request or
    a repeated hook cannot insert the same row again, so it does not queue the
    mail either. ``revision`` is the booking's calendar revision when the
    message was queued, so a rescheduled meeting gets its reminders again.
    Reminders sent by hand from the back office are recorded as ``manual``
    and may repeat.
    """

    _name = "voltaic.booking.message"
    _description = "Consultation Booking E-mail"
    _order = "id desc"
    _rec_name = "kind"

    booking_id = fields.Many2one("voltaic.booking", required=True, index=True, ondelete="cascade")
    kind = fields.Selection(MESSAGE_KINDS, required=True)
    revision = fields.Integer(required=True, default=0, help="Calendar revision of the booking when queued.")
    manual = fields.Boolean(help="Sent by hand from the back office.")
    mail_id = fields.Many2one("mail.mail", string="E-mail", index="btree_not_null", ondelete="set null")
    mail_state = fields.Selection(related="mail_id.state", string="Delivery")
    email_to = fields.Char(string="Recipient")
    retry_count = fields.Integer(string="Retries", default=0, readonly=True)
    next_retry_at = fields.Datetime(string="Next Retry", readonly=True)
    render_pending = fields.Boolean(
        readonly=True, copy=False,
        help="Claimed, not rendered yet: the e-mail job renders it into the mail queue right after the commit.")

    _booking_kind_revision_uniq = models.UniqueIndex(
        "(booking_id, kind, revision) WHERE manual IS NOT TRUE",
        "This e-mail was already sent for this booking.")
    _render_pending_idx = models.Index("(id) WHERE render_pending")

    @api.model
    def _retry_failed_mails(self, now):
        """Queue again the mails the SMTP server refused for a passing reason, with a growing delay.

        A failed reminder whose meeting has started (or moved, or was
        cancelled) is cancelled instead: late, it would only mislead.
        :return: how many mails were queued again.
        """
        logs = self.sudo().search([
            ("mail_id.state", "=", "exception"),
            # Odoo marks a batch it could not connect to the SMTP server for with no failure type
            "|", ("mail_id.failure_type", "=", False), ("mail_id.failure_type", "in", RETRYABLE_FAILURES),
            ("retry_count", "<", MAX_RETRIES),
        ], order="id", limit=RETRY_BATCH_SIZE).try_lock_for_update(allow_referencing=True)
        requeue = self.browse()
        for log in logs:
            booking = log.booking_id
            if log.kind in REMINDER_KINDS and (
                    booking.state != "confirmed" or booking.start <= now or log.revision != booking.ics_sequence):
                log.mail_id.cancel()
                continue
            if not log.next_retry_at:
                delay = RETRY_DELAYS_MINUTES[min(log.retry_count, len(RETRY_DELAYS_MINUTES) - 1)]
                log.next_retry_at = now + timedelta(minutes=delay)
            elif log.next_retry_at <= now:
                requeue |= log
        if requeue:
            requeue.mail_id.mark_outgoing()
            for log in requeue:
                log.write({"retry_count": log.retry_count + 1, "next_retry_at": False})
            _logger.info("Queued %s consultation e-mails again after a delivery failure.", len(requeue))
            self.env.ref("mail.ir_cron_mail_scheduler_action").sudo()._trigger_once()
        return len(requeue)
