"""A provider booking cancelled in Odoo is cancelled at Calendly or Cal.com too.

Every cancellation goes through ``voltaic.booking.action_cancel``; its
``_notify_cancelled`` hook marks a provider booking ``pending`` in the
booking's own transaction and wakes the cancellation cron, which calls the
provider after the commit (Calendly: cancel the scheduled event; Cal.com:
cancel the booking). The call is idempotent: an answer saying the meeting is
gone or already cancelled counts as done. Server errors and timeouts are
retried after 1, 5, 30 and 120 minutes; after the last try, or at once on an
answer retrying cannot change (refused token, no token), the booking is
``failed`` with an activity for a manager and a retry button.

Cancellations that came from the provider (its webhook, the reconciliation)
run with the context key ``voltaic_provider_inbound`` and are not sent back.
The webhook the provider sends for our own cancellation finds the booking
cancelled already and changes nothing.
"""

import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from .booking_provider import INBOUND_CONTEXT
from .provider_sync import ProviderApiError

_logger = logging.getLogger(__name__)

CANCEL_RETRY_MINUTES = (1, 5, 30, 120)
CANCEL_MAX_ATTEMPTS = len(CANCEL_RETRY_MINUTES) + 1
CANCEL_BATCH_SIZE = 50


class VoltaicBooking(models.Model):
    _inherit = "voltaic.booking"

    provider_cancel_state = fields.Selection(
        [("pending", "Pending"), ("done", "Done"), ("failed", "Failed")],
        string="Cancellation at Provider", copy=False, readonly=True, index="btree_not_null",
        help="Whether the cancellation made here has reached Calendly or Cal.com; empty when the booking was "
             "not cancelled here.")
    provider_cancel_attempts = fields.Integer(string="Provider Cancellation Attempts", copy=False, readonly=True)
    provider_cancel_next_at = fields.Datetime(string="Next Provider Cancellation Attempt", copy=False,
                                              readonly=True)
    provider_cancel_error = fields.Text(string="Provider Cancellation Error", copy=False, readonly=True)
    provider_cancel_activity_id = fields.Many2one(
        "mail.activity", string="Provider Cancellation Activity", copy=False, readonly=True, ondelete="set null")

    # ------------------------------------------------------------------
    # Hook of the booking service
    # ------------------------------------------------------------------

    def _notify_cancelled(self):
        result = super()._notify_cancelled()
        if not self.env.context.get(INBOUND_CONTEXT):
            self.filtered(lambda booking: booking.external_provider and booking.external_uid)._provider_cancel_enqueue()
        return result

    # ------------------------------------------------------------------
    # Queue
    # ------------------------------------------------------------------

    def _provider_cancel_enqueue(self):
        """Queue the cancellation at the provider (sent after the commit by the cron)."""
        if not self:
            return
        self.sudo().write({
            "provider_cancel_state": "pending",
            "provider_cancel_attempts": 0,
            "provider_cancel_error": False,
            "provider_cancel_next_at": fields.Datetime.now(),
        })
        self._provider_cancel_cron()._trigger_once()

    def _provider_cancel_cron(self):
        return self.env.ref("voltaic_booking_calendly.ir_cron_provider_cancel").sudo()

    @api.model
    def _provider_cancel_due_domain(self):
        return [("provider_cancel_state", "=", "pending"), ("provider_cancel_next_at", "<=", fields.Datetime.now())]

    @api.model
    def _cron_provider_cancel(self):
        bookings = self._provider_cancel_due()
        self.env["ir.cron"]._commit_progress(
            len(bookings), remaining=self.search_count(self._provider_cancel_due_domain()))

    @api.model
    def _provider_cancel_due(self, limit=CANCEL_BATCH_SIZE):
        """Send one batch of due cancellations and plan the run for those waiting on a backoff."""
        bookings = self.sudo().search(
            self._provider_cancel_due_domain(), order="provider_cancel_next_at, id", limit=limit,
        ).try_lock_for_update()
        bookings._provider_cancel_send()
        later = self.sudo().search([
            ("provider_cancel_state", "=", "pending"), ("provider_cancel_next_at", ">", fields.Datetime.now()),
        ], order="provider_cancel_next_at", limit=1)
        if later:
            self._provider_cancel_cron()._trigger(at=later.provider_cancel_next_at)
        return bookings

    def _provider_cancel_send(self):
        sync = self.env["voltaic.provider.sync"].sudo()
        for booking in self.sudo():
            if booking.provider_cancel_state != "pending":
                continue
            try:
                with self.env.cr.savepoint():
                    outcome = sync._cancel_at_provider(booking)
            except ProviderApiError as error:
                booking._provider_cancel_failure(error, retryable=error.status is None or error.status in (408, 429)
                                                 or error.status >= 500)
            except UserError as error:  # no token / API key in Settings, no event id
                booking._provider_cancel_failure(error.args[0], retryable=False)
            except Exception as error:  # pylint: disable=broad-exception-caught  # one booking must not block the queue
                _logger.exception("Cancellation of %s at %s failed", booking.reference, booking.external_provider)
                booking._provider_cancel_failure(f"{type(error).__name__}: {error}")
            else:
                booking.write({
                    "provider_cancel_state": "done",
                    "provider_cancel_attempts": booking.provider_cancel_attempts + 1,
                    "provider_cancel_error": False,
                    "provider_cancel_next_at": False,
                })
                booking.message_post(body=outcome)

    def _provider_cancel_failure(self, error, retryable=True):
        self.ensure_one()
        attempts = self.provider_cancel_attempts + 1
        values = {"provider_cancel_attempts": attempts, "provider_cancel_error": str(error)}
        if retryable and attempts < CANCEL_MAX_ATTEMPTS:
            next_at = fields.Datetime.now() + timedelta(minutes=CANCEL_RETRY_MINUTES[attempts - 1])
            self.write(dict(values, provider_cancel_next_at=next_at))
            self._provider_cancel_cron()._trigger(at=next_at)
            _logger.info("Cancellation of %s at %s failed (%s), retry %s at %s",
                         self.reference, self.external_provider, error, attempts, next_at)
            return
        self.write(dict(values, provider_cancel_state="failed", provider_cancel_next_at=False))
        _logger.warning("Cancellation of %s at %s failed for good: %s", self.reference, self.external_provider, error)
        self._provider_cancel_close_activities(self.env._("Replaced by a newer failure."))
        self.provider_cancel_activity_id = self.activity_schedule(
            "mail.mail_activity_data_warning",
            summary=self.env._("Not cancelled in %s", self._provider_label()),
            note=self.env._(
                "%(reference)s was cancelled here but %(provider)s did not take the cancellation "
                "(%(attempts)s attempts). Last error: %(error)s. Cancel the meeting in %(provider)s, "
                "or fix the cause and use “Retry Cancellation at Provider”.",
                reference=self.reference, provider=self._provider_label(), attempts=attempts, error=str(error)),
            user_id=self._conflict_manager().id,
        )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_provider_cancel_retry(self):
        """Managers: send failed cancellations to the provider again, now."""
        if not self.env.user.has_group("voltaic_booking.group_manager"):
            raise AccessError(self.env._("Only consultation managers can retry a cancellation at the provider."))
        self.check_access("write")
        bookings = self.sudo().filtered(lambda booking: booking.provider_cancel_state == "failed")
        bookings._provider_cancel_close_activities(self.env._("Cancellation retried."))
        bookings._provider_cancel_enqueue()
        return True

    def _provider_cancel_settled(self, feedback):
        """The provider has the meeting cancelled (its own webhook says so): nothing left to send."""
        bookings = self.sudo().filtered(lambda booking: booking.provider_cancel_state in ("pending", "failed"))
        bookings.write({"provider_cancel_state": "done", "provider_cancel_next_at": False,
                        "provider_cancel_error": False})
        bookings._provider_cancel_close_activities(feedback)

    def _provider_cancel_close_activities(self, feedback):
        for booking in self.filtered("provider_cancel_activity_id"):
            booking.provider_cancel_activity_id.sudo().action_feedback(feedback=feedback)
            booking.provider_cancel_activity_id = False
