"""The inbox of Calendly and Cal.com deliveries: stored first, applied after, never twice.

The webhook controller stores each verified delivery raw (unique per
provider and delivery key) and answers at once; the inbox job applies it
after the commit through the booking service. A failure is retried with an
exponential backoff; after the last try the row is ``failed`` and waits for a
manager (fix the mapping, then Reprocess). Reconciliation adds rows the same
way for bookings no webhook delivered.
"""

import json
import logging
from datetime import timedelta

import psycopg2.errors

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import email_normalize

from ..lib import providers
from .booking_provider import INBOUND_CONTEXT
from .provider_mapping import PROVIDER_SELECTION
from odoo.addons.voltaic_booking.exceptions import BookingValidationError
from odoo.addons.voltaic_booking.lib import slots as slot_lib
from odoo.addons.voltaic_booking.models.booking import NAME_MAX, PHONE_RE, TEXT_MAX

_logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
FIRST_RETRY_MINUTES = 1
BATCH_SIZE = 50
KEEP_DONE_DAYS = 90


class InboxPermanentError(UserError):
    """Retrying will not help (unknown host, invalid data): the row fails at once and waits for a manager."""


class InboxRetryLater(Exception):
    """Not applicable yet (the booking it refers to has not arrived): retried with the backoff."""


class VoltaicWebhookInbox(models.Model):
    _name = "voltaic.webhook.inbox"
    _description = "Calendly / Cal.com Delivery"
    _order = "id desc"

    provider = fields.Selection(PROVIDER_SELECTION, required=True, readonly=True, index=True)
    event_type = fields.Char(readonly=True, index=True)
    origin = fields.Selection(
        [("webhook", "Webhook"), ("reconciliation", "Reconciliation")], required=True, default="webhook",
        readonly=True, help="Webhook: delivered by the provider. Reconciliation: read back from the provider's API "
                            "because no webhook brought it.")
    delivery_key = fields.Char(
        required=True, readonly=True,
        help="The same for every copy of one delivery (retries, replays): a copy is acknowledged, not applied.")
    payload = fields.Text(readonly=True, help="The delivery exactly as received (JSON).")
    external_uid = fields.Char(string="Provider Booking ID", readonly=True, index="btree_not_null")
    state = fields.Selection(
        [("pending", "Pending"), ("done", "Done"), ("failed", "Failed"), ("ignored", "Ignored")],
        required=True, default="pending", readonly=True, index=True)
    attempts = fields.Integer(readonly=True)
    last_error = fields.Text(readonly=True)
    next_attempt_at = fields.Datetime(string="Next Attempt", readonly=True, index="btree_not_null")
    processed_at = fields.Datetime(readonly=True)
    result = fields.Char(readonly=True, help="What the delivery changed.")
    booking_id = fields.Many2one("voltaic.booking", readonly=True, ondelete="set null", index="btree_not_null")

    _delivery_uniq = models.Constraint(
        "UNIQUE(provider, delivery_key)", "This delivery is already in the inbox.")

    @api.depends("provider", "event_type")
    def _compute_display_name(self):
        labels = dict(PROVIDER_SELECTION)
        for row in self:
            row.display_name = f"{labels.get(row.provider, '')} {row.event_type or ''}".strip()

    # ------------------------------------------------------------------
    # Receiving
    # ------------------------------------------------------------------

    @api.model
    def _receive(self, provider, data, raw_body, origin="webhook", key=None, event_type=None):
        """Store a verified delivery; ``(row, is_new)``. A copy of a stored delivery returns the stored row.

        Reconciliation passes its own ``key`` and ``event_type`` (API records carry neither).
        """
        inbox = self.sudo()
        key = key or providers.delivery_key(provider, data)
        existing = inbox.search([("provider", "=", provider), ("delivery_key", "=", key)], limit=1)
        if existing:
            return existing, False
        name = event_type or providers.event_type(provider, data) or ""
        supported = origin == "reconciliation" or providers.is_supported(provider, name)
        if isinstance(raw_body, bytes):
            raw_body = raw_body.decode("utf-8", "replace")
        try:
            with self.env.cr.savepoint():
                row = inbox.create({
                    "provider": provider,
                    "event_type": name,
                    "origin": origin,
                    "delivery_key": key,
                    "payload": raw_body,
                    "external_uid": inbox._uid_of(provider, data, origin),
                    "state": "pending" if supported else "ignored",
                    "next_attempt_at": fields.Datetime.now() if supported else False,
                    "result": False if supported else self.env._("Event type not handled."),
                })
        except psycopg2.errors.UniqueViolation:
            # the same delivery, received twice at the same moment
            return inbox.search([("provider", "=", provider), ("delivery_key", "=", key)], limit=1), False
        if supported:
            self.env.ref("voltaic_booking_calendly.ir_cron_webhook_inbox").sudo()._trigger_once()
        else:
            _logger.info("%s webhook: event type %r acknowledged and ignored", provider, name)
        return row, True

    @api.model
    def _uid_of(self, provider, data, origin):
        try:
            return providers.normalize(provider, data, origin)["uid"] or False
        except providers.PayloadError:
            return False

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_reprocess(self):
        """Managers: apply the deliveries again now (after fixing a mapping, for instance)."""
        if not self.env.user.has_group("voltaic_booking.group_manager"):
            raise AccessError(self.env._("Only consultation managers can reprocess deliveries."))
        self.check_access("write")
        rows = self.sudo().filtered(lambda row: row.state in ("failed", "pending"))
        rows.write({"state": "pending", "attempts": 0, "next_attempt_at": fields.Datetime.now()})
        rows._process()
        return True

    def action_open_booking(self):
        self.ensure_one()
        return {"type": "ir.actions.act_window", "res_model": "voltaic.booking", "res_id": self.booking_id.id,
                "view_mode": "form"}

    # ------------------------------------------------------------------
    # Processing
    # ------------------------------------------------------------------

    @api.model
    def _due_domain(self):
        return [("state", "=", "pending"), ("next_attempt_at", "<=", fields.Datetime.now())]

    @api.model
    def _cron_process_inbox(self):
        rows = self._process_due()
        self.env["ir.cron"]._commit_progress(len(rows), remaining=self.search_count(self._due_domain()))

    @api.model
    def _process_due(self, limit=BATCH_SIZE):
        """Apply one batch of due rows, oldest first, and plan the run for those waiting on a backoff."""
        rows = self.sudo().search(self._due_domain(), order="id", limit=limit).try_lock_for_update()
        rows._process()
        later = self.sudo().search([("state", "=", "pending"), ("next_attempt_at", ">", fields.Datetime.now())],
                                   order="next_attempt_at", limit=1)
        if later:
            self.env.ref("voltaic_booking_calendly.ir_cron_webhook_inbox").sudo()._trigger(at=later.next_attempt_at)
        return rows

    def _process(self):
        """Apply each row in its own savepoint; record the outcome, or the error and the next try."""
        for row in self.sudo():
            if row.state != "pending":
                continue
            try:
                with self.env.cr.savepoint():
                    state, booking, result = row._apply()
            except InboxPermanentError as error:
                row._record_failure(error.args[0], final=True)
            except (InboxRetryLater, BookingValidationError) as error:
                row._record_failure(error.args[0] if error.args else str(error),
                                    final=isinstance(error, BookingValidationError))
            except Exception as error:  # pylint: disable=broad-exception-caught
                _logger.warning("%s delivery %s failed (attempt %s)", row.provider, row.id, row.attempts + 1,
                                exc_info=True)
                row._record_failure(f"{type(error).__name__}: {error}")
            else:
                row.write({
                    "state": state,
                    "booking_id": booking.id if booking else row.booking_id.id,
                    "result": result,
                    "last_error": False,
                    "next_attempt_at": False,
                    "processed_at": fields.Datetime.now(),
                    # a delivery about a client who had their data erased keeps its outcome, not their details
                    **({"payload": "{}"} if booking and booking.data_erased_at else {}),
                })

    def _record_failure(self, message, final=False):
        self.ensure_one()
        attempts = self.attempts + 1
        if final or attempts >= MAX_ATTEMPTS:
            self.write({"state": "failed", "attempts": attempts, "last_error": message, "next_attempt_at": False,
                        "processed_at": fields.Datetime.now()})
            _logger.warning("%s delivery %s failed for good: %s", self.provider, self.id, message)
            return
        delay = timedelta(minutes=FIRST_RETRY_MINUTES * 2 ** (attempts - 1))
        next_attempt = fields.Datetime.now() + delay
        self.write({"attempts": attempts, "last_error": message, "next_attempt_at": next_attempt})
        self.env.ref("voltaic_booking_calendly.ir_cron_webhook_inbox").sudo()._trigger(at=next_attempt)

    def _apply(self):
        """Apply the row; ``(state, booking, result)``. Raise to retry or fail."""
        self.ensure_one()
        try:
            data = json.loads(self.payload or "null")
            change = providers.normalize(self.provider, data, self.origin)
        except (ValueError, providers.PayloadError) as error:
            raise InboxPermanentError(self.env._("The delivery cannot be read: %s", error)) from None
        if not change["kind"]:
            return "ignored", None, self.env._("Nothing to apply.")
        return getattr(self, f"_apply_{change['kind']}")(change)

    # ------------------------------------------------------------------
    # One method per kind of change
    # ------------------------------------------------------------------

    def _apply_created(self, change):
        booking, status = self._resolve(change["uid"])
        if status == "current":
            return "done", booking, self.env._("Already recorded as %s.", booking.reference)
        if status == "superseded":
            return "done", booking, self.env._("Already rescheduled at the provider; nothing to add.")
        if status == "cancelled":
            return "done", booking, self.env._("Cancelled at the provider before it reached us; nothing booked.")
        booking = self._book_change(change)
        return "done", booking, self.env._("Booked as %s.", booking.reference)

    def _apply_rescheduled(self, change):
        tombstones = self.env["voltaic.provider.tombstone"].sudo()
        booking, status = self._resolve(change["uid"])
        if status in ("current", "superseded"):
            return "done", booking, self.env._("Already recorded as %s.", booking.reference)
        old, old_status = self._resolve(change["previous_uid"]) if change["previous_uid"] else (None, "unknown")
        if status == "cancelled":
            # the new time was cancelled before its reschedule reached us: the meeting is off
            if old and old.state == "confirmed":
                old.with_context(**{INBOUND_CONTEXT: True}).action_cancel(reason=self._cancel_reason(change))
            if change["previous_uid"]:
                tombstones._remember(self.provider, change["previous_uid"], "superseded", change["uid"], old)
            return "done", old, self.env._("Rescheduled and then cancelled at the provider.")
        if old and old.data_erased_at:
            # the client had their data erased: a later change at the provider does not bring it back
            if change["previous_uid"]:
                tombstones._remember(self.provider, change["previous_uid"], "superseded", change["uid"], old)
            return "done", old, self.env._("The client's data was erased: the change is not recorded.")
        if old and old_status == "current" and old.state == "confirmed" and old._start_utc() == change["start"] \
                and old.duration == (change["duration"] or old.duration):
            # the booking has this time already: the answer to our own move (its new uid), nothing to move twice
            old.write(self._provider_update_values(change, old))
            tombstones._remember(self.provider, change["previous_uid"], "superseded", change["uid"], old)
            old._provider_push_settled("reschedule", self.env._("%s has the new time.", old._provider_label()))
            return "done", old, self.env._("%s has this time already; the new booking id is recorded.",
                                           old.reference)
        if old and old_status == "current" and old.state == "confirmed":
            old_reference = old.reference
            old.with_context(allow_conflict=True, **{INBOUND_CONTEXT: True})._reschedule(
                change["start"], change["duration"])
            old.write(self._provider_update_values(change, old))
            tombstones._remember(self.provider, change["previous_uid"], "superseded", change["uid"], old)
            return "done", old, self.env._("%s moved to the new time.", old_reference)
        booking = self._book_change(change)
        if change["previous_uid"]:
            tombstones._remember(self.provider, change["previous_uid"], "superseded", change["uid"], booking)
        return "done", booking, self.env._("Booked as %s (the booking it replaces is not here).", booking.reference)

    def _apply_cancelled(self, change):
        booking, status = self._resolve(change["uid"])
        if status == "current" and booking.state == "confirmed" and booking.provider_push_operation == "reschedule" \
                and booking.provider_push_state == "pending":
            # our move is on its way to the provider, which retires this uid for a new one: once it is sent, this
            # delivery is either about the old uid (nothing to do) or a real cancellation (applied then)
            raise InboxRetryLater(self.env._("%s waits for its new time to reach the provider.", booking.reference))
        if status == "current":
            if change["rescheduled"]:
                booking.message_post(body=self.env._(
                    "Rescheduled in %s: the new time follows in the next delivery.", booking._provider_label()))
                return "done", booking, self.env._("Rescheduled at the provider; waiting for the new time.")
            if booking.state == "cancelled" and booking.provider_push_operation == "cancel":
                # the answer to our own cancellation (or the provider got there first): nothing to do twice
                booking._provider_push_settled("cancel", self.env._("%s has the meeting cancelled.",
                                                                    booking._provider_label()))
                return "done", booking, self.env._("%s was cancelled here first; the provider confirms it.",
                                                   booking.reference)
            if booking.state != "confirmed":
                return "done", booking, self.env._("%s is not confirmed any more; nothing to cancel.",
                                                   booking.reference)
            booking.with_context(**{INBOUND_CONTEXT: True}).action_cancel(reason=self._cancel_reason(change))
            return "done", booking, self.env._("%s cancelled.", booking.reference)
        if status in ("superseded", "cancelled"):
            return "done", booking, self.env._("Already applied.")
        kind = "superseded" if change["rescheduled"] and change["next_uid"] else "cancelled"
        self.env["voltaic.provider.tombstone"].sudo()._remember(
            self.provider, change["uid"], kind, change["next_uid"], reason=change["cancel_reason"])
        return "done", None, self.env._("The booking has not reached us yet: remembered, so it is not booked later.")

    def _apply_no_show(self, change):
        booking = self._booking_for_follow_up(change)
        if not booking:
            return "done", None, self.env._("The booking was cancelled; nothing to mark.")
        if booking.state not in ("confirmed", "completed"):
            return "done", booking, self.env._("%s is not confirmed any more; nothing to mark.", booking.reference)
        booking.action_mark_no_show()
        return "done", booking, self.env._("%s marked as no-show.", booking.reference)

    def _apply_no_show_removed(self, change):
        booking = self._booking_for_follow_up(change)
        if not booking or booking.state != "no_show":
            return "done", booking, self.env._("Not marked as no-show; nothing to undo.")
        booking._provider_revert_no_show()
        return "done", booking, self.env._("No-show removed from %s.", booking.reference)

    def _apply_ended(self, change):
        booking = self._booking_for_follow_up(change)
        if not booking or booking.state != "confirmed":
            return "done", booking, self.env._("Nothing to complete.")
        booking.action_complete()
        return "done", booking, self.env._("%s completed.", booking.reference)

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    def _resolve(self, uid, provider=None):
        """``(booking, status)`` for a provider booking id (of ``provider``, by default the row's).

        ``current``: the booking carries this id; ``superseded``: the id was
        rescheduled (the booking is the one its chain ends on, if any);
        ``cancelled``: cancelled before its booking reached us; ``unknown``.
        """
        provider = provider or self.provider
        bookings = self.env["voltaic.booking"].sudo()
        booking = bookings.search([("external_provider", "=", provider), ("external_uid", "=", uid)], limit=1)
        if booking:
            return booking, "current"
        tombstone, final_uid = self.env["voltaic.provider.tombstone"].sudo()._follow(provider, uid)
        if not tombstone:
            return bookings, "unknown"
        if tombstone.kind == "superseded":
            final = bookings.search(
                [("external_provider", "=", provider), ("external_uid", "=", final_uid)], limit=1)
            return final or tombstone.booking_id, "superseded"
        return tombstone.booking_id, "cancelled"

    def _booking_for_follow_up(self, change):
        """The booking a no-show or an end refers to; retried while it has not arrived."""
        booking, status = self._resolve(change["uid"])
        if status == "unknown":
            raise InboxRetryLater(self.env._("The booking %s has not reached us yet.", change["uid"]))
        return booking

    def _find_consultant(self, change):
        mapping = self.env["voltaic.provider.mapping"].sudo()._match(self.provider, change)
        if mapping:
            return mapping.consultant_id
        consultant = self.env["voltaic.consultant"].sudo()._find_by_host_emails(change["host_emails"])
        if consultant:
            return consultant
        raise InboxPermanentError(self.env._(
            "No consultant for host %(hosts)s (event type %(event_type)s). Give the consultant's user this email, "
            "or add a Calendly / Cal.com mapping, then reprocess.",
            hosts=", ".join(change["host_emails"]) or self.env._("(none)"),
            event_type=change["event_type_slug"] or change["event_type_id"] or change["event_type_name"] or "?"))

    def _book_change(self, change):
        """Book a provider meeting through the booking service (conflicts allowed, flagged)."""
        consultant = self._find_consultant(change)
        first_name = (change["first_name"] or change["last_name"] or "").strip()[:NAME_MAX]
        last_name = (change["last_name"] if change["first_name"] else "").strip()[:NAME_MAX] or "-"
        if not first_name:
            first_name = (email_normalize(change["email"]) or "?").split("@")[0][:NAME_MAX]
        phone = change["phone"] if PHONE_RE.match(change["phone"] or "") else ""
        message = change["message"]
        if change["phone"] and not phone:
            message = "\n".join(filter(None, [message, self.env._("Phone: %s", change["phone"])]))
        client_tz = change["timezone"] if slot_lib.is_valid_timezone(change["timezone"] or "") else \
            (consultant.tz or "UTC")
        booking = self.env["voltaic.booking"]._book({
            "consultant_id": consultant.id,
            "start": change["start"],
            "duration": change["duration"],
            "meeting_type": change["meeting_type"] or (consultant._meeting_types() or ["video"])[0],
            "location": change["location"],
            "client_tz": client_tz,
            "first_name": first_name,
            "last_name": last_name,
            "email": change["email"],
            "phone": phone,
            "company": (change["company"] or "")[:200],
            "subject": (change["subject"] or "")[:200],
            "message": (message or "")[:TEXT_MAX],
            "language": change["language"] if change["language"] in self.env["voltaic.booking"]._installed_langs()
            else "en",
            "source": self.provider,
            "allow_conflict": True,
        })
        booking.write(booking._provider_values(change))
        return booking

    def _provider_update_values(self, change, booking):
        """After a move: the new provider ids, and the new meeting link if the provider gave one."""
        values = booking._provider_values(change)
        if change["location"] and change["location"] != booking.location:
            values["location"] = change["location"]
            if booking.event_id and booking.meeting_type == "video":
                booking.event_id.with_context(no_mail_to_attendees=True, skip_attendee_notification=True).write(
                    {"videocall_location": change["location"]})
        return values

    def _cancel_reason(self, change):
        label = dict(PROVIDER_SELECTION).get(self.provider)
        if change["cancel_reason"]:
            return self.env._("Cancelled in %(provider)s: %(reason)s", provider=label, reason=change["cancel_reason"])
        return self.env._("Cancelled in %s.", label)

    @api.autovacuum
    def _gc_processed_deliveries(self):
        limit = fields.Datetime.now() - timedelta(days=KEEP_DONE_DAYS)
        self.search([("state", "in", ("done", "ignored")), ("create_date", "<", limit)]).unlink()
