"""Changes made in Odoo to a provider booking reach Calendly or Cal.com: cancellations, and moves at Cal.com.

Every cancellation goes through ``voltaic.booking.action_cancel`` and every
move through ``_reschedule``; their hooks (``_notify_cancelled``,
``_notify_rescheduled``) queue the change on the booking itself, in the
booking's own transaction (``provider_push_operation`` + ``pending``), and
wake the job, which calls the provider after the commit:

- cancel: Calendly cancels the scheduled event; Cal.com cancels the booking.
  An answer saying the meeting is gone or already cancelled counts as done.
- reschedule (Cal.com only; Calendly has no API call for it, see
  ``_provider_can_move``): Cal.com is asked where the booking stands first, so
  a repeated call never moves it twice; it answers a move with a new booking
  uid, which the booking takes over (the old uid is remembered as superseded).

One queue per booking: a newer change replaces one not sent yet (a move and
then a cancellation send the cancellation; two moves send the last time).
Server errors and timeouts are retried after 1, 5, 30 and 120 minutes; after
the last try, or at once on an answer retrying cannot change (refused token,
no token, a time Cal.com refuses), the booking is ``failed`` with an activity
for a manager and a retry button.

Changes that came from the provider (its webhook, the reconciliation) run
with the context key ``voltaic_provider_inbound`` and are not sent back. The
webhook the provider sends for our own change finds it applied already and
changes nothing.
"""

import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from .booking_provider import INBOUND_CONTEXT
from .provider_sync import ProviderApiError

_logger = logging.getLogger(__name__)

PUSH_RETRY_MINUTES = (1, 5, 30, 120)
PUSH_MAX_ATTEMPTS = len(PUSH_RETRY_MINUTES) + 1
PUSH_BATCH_SIZE = 50


class VoltaicBooking(models.Model):
    _inherit = "voltaic.booking"

    provider_push_operation = fields.Selection(
        [("cancel", "Cancellation"), ("reschedule", "New Time")], string="Change Sent to Provider",
        copy=False, readonly=True,
        help="The last change made here that Calendly or Cal.com must get: the cancellation, or the new time.")
    provider_push_state = fields.Selection(
        [("pending", "Pending"), ("done", "Done"), ("failed", "Failed")],
        string="At Provider", copy=False, readonly=True, index="btree_not_null",
        help="Whether the change made here has reached Calendly or Cal.com; empty when nothing was changed here.")
    provider_push_attempts = fields.Integer(string="Provider Attempts", copy=False, readonly=True)
    provider_push_next_at = fields.Datetime(string="Next Provider Attempt", copy=False, readonly=True)
    provider_push_error = fields.Text(string="Provider Error", copy=False, readonly=True)
    provider_push_activity_id = fields.Many2one(
        "mail.activity", string="Provider Failure Activity", copy=False, readonly=True, ondelete="set null")

    # ------------------------------------------------------------------
    # Hooks of the booking service
    # ------------------------------------------------------------------

    def _notify_cancelled(self):
        result = super()._notify_cancelled()
        if not self.env.context.get(INBOUND_CONTEXT):
            self._provider_pushable()._provider_push_enqueue("cancel")
        return result

    def _notify_rescheduled(self, old_start):
        result = super()._notify_rescheduled(old_start)
        if not self.env.context.get(INBOUND_CONTEXT):
            # only bookings ``_reschedule`` let move here (``_provider_can_move``) get this far
            self._provider_pushable()._provider_push_enqueue("reschedule")
        return result

    def _provider_pushable(self):
        return self.filtered(lambda booking: booking.external_provider and booking.external_uid)

    # ------------------------------------------------------------------
    # Queue
    # ------------------------------------------------------------------

    def _provider_push_enqueue(self, operation):
        """Queue ``operation`` (``cancel`` / ``reschedule``) for the provider; sent after the commit by the job."""
        if not self:
            return
        self._provider_push_close_activities(self.env._("Replaced by a newer change."))
        self.sudo().write({
            "provider_push_operation": operation,
            "provider_push_state": "pending",
            "provider_push_attempts": 0,
            "provider_push_error": False,
            "provider_push_next_at": fields.Datetime.now(),
        })
        self._provider_push_cron()._trigger_once()

    def _provider_push_cron(self):
        return self.env.ref("voltaic_booking_calendly.ir_cron_provider_cancel").sudo()

    @api.model
    def _provider_push_due_domain(self):
        return [("provider_push_state", "=", "pending"), ("provider_push_next_at", "<=", fields.Datetime.now())]

    @api.model
    def _cron_provider_push(self):
        bookings = self._provider_push_due()
        self.env["ir.cron"]._commit_progress(
            len(bookings), remaining=self.search_count(self._provider_push_due_domain()))

    @api.model
    def _cron_provider_cancel(self):
        """The job's code in databases installed before moves were sent too (its record is ``noupdate``)."""
        self._cron_provider_push()

    @api.model
    def _provider_push_due(self, limit=PUSH_BATCH_SIZE):
        """Send one batch of due changes and plan the run for those waiting on a backoff."""
        bookings = self.sudo().search(
            self._provider_push_due_domain(), order="provider_push_next_at, id", limit=limit,
        ).try_lock_for_update()
        bookings._provider_push_send()
        later = self.sudo().search([
            ("provider_push_state", "=", "pending"), ("provider_push_next_at", ">", fields.Datetime.now()),
        ], order="provider_push_next_at", limit=1)
        if later:
            self._provider_push_cron()._trigger(at=later.provider_push_next_at)
        return bookings

    def _provider_push_send(self):
        sync = self.env["voltaic.provider.sync"].sudo()
        for booking in self.sudo():
            if booking.provider_push_state != "pending":
                continue
            send = sync._cancel_at_provider if booking.provider_push_operation == "cancel" \
                else sync._reschedule_at_provider
            try:
                with self.env.cr.savepoint():
                    outcome = send(booking)
            except ProviderApiError as error:
                booking._provider_push_failure(error, retryable=error.status is None or error.status in (408, 429)
                                               or error.status >= 500)
            except UserError as error:  # no token / API key in Settings, no event id, cancelled at Cal.com
                booking._provider_push_failure(error.args[0], retryable=False)
            except Exception as error:  # pylint: disable=broad-exception-caught  # one booking must not block the queue
                _logger.exception("Sending the %s of %s to %s failed", booking.provider_push_operation,
                                  booking.reference, booking.external_provider)
                booking._provider_push_failure(f"{type(error).__name__}: {error}")
            else:
                booking.write({
                    "provider_push_state": "done",
                    "provider_push_attempts": booking.provider_push_attempts + 1,
                    "provider_push_error": False,
                    "provider_push_next_at": False,
                })
                booking.message_post(body=outcome)

    def _provider_push_failure(self, error, retryable=True):
        self.ensure_one()
        attempts = self.provider_push_attempts + 1
        values = {"provider_push_attempts": attempts, "provider_push_error": str(error)}
        if retryable and attempts < PUSH_MAX_ATTEMPTS:
            next_at = fields.Datetime.now() + timedelta(minutes=PUSH_RETRY_MINUTES[attempts - 1])
            self.write(dict(values, provider_push_next_at=next_at))
            self._provider_push_cron()._trigger(at=next_at)
            _logger.info("Sending the %s of %s to %s failed (%s), retry %s at %s", self.provider_push_operation,
                         self.reference, self.external_provider, error, attempts, next_at)
            return
        self.write(dict(values, provider_push_state="failed", provider_push_next_at=False))
        _logger.warning("Sending the %s of %s to %s failed for good: %s", self.provider_push_operation,
                        self.reference, self.external_provider, error)
        self._provider_push_close_activities(self.env._("Replaced by a newer failure."))
        provider = self._provider_label()
        if self.provider_push_operation == "cancel":
            summary = self.env._("Not cancelled in %s", provider)
            note = self.env._(
                "%(reference)s was cancelled here but %(provider)s did not take the cancellation "
                "(%(attempts)s attempts). Last error: %(error)s. Cancel the meeting in %(provider)s, "
                "or fix the cause and use “Retry Cancellation at Provider”.",
                reference=self.reference, provider=provider, attempts=attempts, error=str(error))
        else:
            summary = self.env._("Not moved in %s", provider)
            note = self.env._(
                "%(reference)s was moved here to %(when)s but %(provider)s did not take the new time "
                "(%(attempts)s attempts). Last error: %(error)s. Move the meeting in %(provider)s, "
                "or fix the cause and use “Retry Move at Provider”.",
                reference=self.reference, when=self._format_start_for_log(), provider=provider,
                attempts=attempts, error=str(error))
        self.provider_push_activity_id = self.activity_schedule(
            "mail.mail_activity_data_warning", summary=summary, note=note, user_id=self._conflict_manager().id)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_provider_push_retry(self):
        """Managers: send failed changes to the provider again, now."""
        if not self.env.user.has_group("voltaic_booking.group_manager"):
            raise AccessError(self.env._("Only consultation managers can send a change to the provider again."))
        self.check_access("write")
        for booking in self.sudo().filtered(lambda booking: booking.provider_push_state == "failed"):
            booking._provider_push_close_activities(self.env._("Sent again."))
            booking._provider_push_enqueue(booking.provider_push_operation)
        return True

    def _provider_push_settled(self, operation, feedback):
        """The provider has the change already (its own webhook says so): nothing left to send."""
        bookings = self.sudo().filtered(lambda booking: booking.provider_push_operation == operation
                                        and booking.provider_push_state in ("pending", "failed"))
        bookings.write({"provider_push_state": "done", "provider_push_next_at": False, "provider_push_error": False})
        bookings._provider_push_close_activities(feedback)

    def _provider_push_close_activities(self, feedback):
        for booking in self.sudo().filtered("provider_push_activity_id"):
            booking.provider_push_activity_id.action_feedback(feedback=feedback)
            booking.provider_push_activity_id = False

    # ------------------------------------------------------------------
    # A move at Cal.com: the booking's new uid
    # ------------------------------------------------------------------

    def _provider_adopt_uid(self, new_uid, record=None):
        """Cal.com moved the booking to ``new_uid``: it becomes the booking's id, the old one is remembered as
        superseded (so the webhooks about both are recognised), the client's links follow."""
        self.ensure_one()
        old_uid = self.external_uid
        if not new_uid or new_uid == old_uid:
            return
        record = record or {}
        self.env["voltaic.provider.tombstone"].sudo()._remember(
            self.external_provider, old_uid, "superseded", new_uid, self)
        values = {"external_uid": new_uid}
        if record.get("id"):
            values["external_event_id"] = str(record["id"])
        for field in ("external_reschedule_url", "external_cancel_url"):
            if self[field] and old_uid in self[field]:
                values[field] = self[field].replace(old_uid, new_uid)
        self.sudo().write(values)
