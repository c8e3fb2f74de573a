"""Paid consultations on bookings: prices, the slot held while the client pays, payment, release and refund.

A consultation with a price (per consultant and duration, company currency)
booked on the website or through the API is created by the booking service in
``pending_payment``: the exclusion constraint covers it, so the slot is held,
until ``hold_expires_at``. Its meeting, lead stage, e-mails and Google event
wait for the payment (``payment.transaction`` linked through
``transaction_ids``): a done transaction confirms it, a failed or cancelled one
frees the slot (``payment_failed`` / ``abandoned``), and so does the end of the
hold (cron, and the booking service itself before it takes a slot).

A payment confirmed after its hold expired (late payment): the slot is taken
again when it is still free, otherwise the payment is refunded (or, when the
provider cannot refund, a manager gets an activity) and the client is told.
"""

import logging
from datetime import timedelta, timezone

from odoo import Command, api, fields, models
from odoo.fields import Domain
from odoo.tools.misc import format_amount

from odoo.addons.voltaic_booking.lib import slots as slot_lib

UTC = timezone.utc

_logger = logging.getLogger(__name__)

PAID_SOURCES = ("website", "api")
DEFAULT_HOLD_MINUTES = 15
DEFAULT_REFUND_WINDOW_HOURS = 24

# the state changes paid consultations add to the core's (see ``_state_transitions``)
TRANSITIONS = {
    "pending_payment": {"confirmed", "payment_failed", "abandoned", "cancelled"},
    "confirmed": {"refunded"},
    "cancelled": {"refunded"},
    # a late payment re-takes a slot still free, or is refunded
    "payment_failed": {"confirmed", "refunded"},
    "abandoned": {"confirmed", "refunded"},
    "refunded": set(),
}
# what the client is told of their payment (kinds of ``voltaic.booking.message``, templates of this addon)
PAYMENT_MESSAGE_KINDS = [
    ("client_payment_released", "Time released, not paid (client)"),
    ("client_refund", "Refund on its way (client)"),
    ("client_refund_manual", "Refund by hand (client)"),
]
PAYMENT_STATES = [
    ("pending_payment", "Pending Payment"),
    ("payment_failed", "Payment Failed"),
    ("abandoned", "Abandoned"),
    ("refunded", "Refunded"),
]


class VoltaicBooking(models.Model):
    _inherit = "voltaic.booking"

    state = fields.Selection(
        selection_add=PAYMENT_STATES,
        ondelete={state: lambda bookings: bookings._service_write({"state": "cancelled"})
                  for state, _label in PAYMENT_STATES})
    currency_id = fields.Many2one(related="company_id.currency_id", string="Currency")
    amount = fields.Monetary(currency_field="currency_id", readonly=True, copy=False,
                             help="Price of the consultation when it was booked; 0 for a free one.")
    amount_paid = fields.Monetary(currency_field="currency_id", readonly=True, copy=False,
                                  help="Paid and not refunded.")
    hold_expires_at = fields.Datetime(readonly=True, copy=False,
                                      help="Until then the slot is held for the client's payment.")
    transaction_ids = fields.Many2many(
        "payment.transaction", "voltaic_booking_transaction_rel", "booking_id", "transaction_id",
        string="Transactions", readonly=True, copy=False)
    refund_state = fields.Selection(
        [("none", "No Refund"), ("requested", "Refund Requested"), ("done", "Refunded"),
         ("manual", "Refund by Hand")], default="none", readonly=True, copy=False)
    cancellation_refund = fields.Selection(
        [("full", "Refunded in Full"), ("none", "Not Refunded (Late Cancellation)")], readonly=True, copy=False,
        help="What the cancellation policy gave the client when the paid consultation was cancelled.")

    # ------------------------------------------------------------------
    # State machine: a held slot blocks the consultant's time until it is paid or expires
    # ------------------------------------------------------------------

    @api.model
    def _state_transitions(self):
        transitions = {state: set(targets) for state, targets in super()._state_transitions().items()}
        for state, targets in TRANSITIONS.items():
            transitions.setdefault(state, set()).update(targets)
        return transitions

    @api.model
    def _time_blocking_states(self):
        return super()._time_blocking_states() | {"pending_payment"}

    @api.model
    def _blocking_domain(self):
        """A hold blocks the time only until it expires (the release cron may not have run yet)."""
        return Domain.AND([super()._blocking_domain(), Domain.OR([
            Domain("state", "!=", "pending_payment"),
            Domain("hold_expires_at", ">", fields.Datetime.now()),
        ])])

    # ------------------------------------------------------------------
    # The booking service: paid bookings are held, not confirmed
    # ------------------------------------------------------------------

    @api.model
    def _prepare_booking_values(self, clean, partner, lead):
        values = super()._prepare_booking_values(clean, partner, lead)
        consultant = clean["consultant"]
        price = consultant._price_for(clean["duration"])
        if price > 0 and clean["source"] in PAID_SOURCES and not clean["allow_conflict"]:
            values.update({
                "state": "pending_payment",
                "amount": price,
                "hold_expires_at": fields.Datetime.now() + timedelta(minutes=self._hold_minutes()),
            })
        return values

    @api.model
    def _int_param(self, name, default, minimum=0):
        """The integer system parameter ``voltaic_booking.<name>``; ``default`` when unset or not a number."""
        value = self.env["ir.config_parameter"].sudo().get_param(f"voltaic_booking.{name}")
        try:
            return max(minimum, int(value)) if value not in (None, False, "") else default
        except ValueError:
            return default

    @api.model
    def _hold_minutes(self):
        return self._int_param("payment_hold_minutes", DEFAULT_HOLD_MINUTES, minimum=1)

    @api.model
    def _refund_window_hours(self):
        return self._int_param("refund_window_hours", DEFAULT_REFUND_WINDOW_HOURS)

    @api.model
    def _release_expired_holds(self, consultants=None):
        """Holds whose time is up become ``abandoned``: their slots are free again. Idempotent.

        Committed holds are released in a transaction of their own (``_fresh_transaction``),
        committed at once: the booking service calls this under the consultant's lock with an
        older snapshot, where updating a hold that another transaction released meanwhile would
        fail serialization. Holds locked by another transaction (the cron, a payment coming in)
        are skipped: that one settles them. Holds this transaction made itself (not committed,
        so invisible to the fresh one) are released here.
        """
        super()._release_expired_holds(consultants)
        domain = [("state", "=", "pending_payment"), ("hold_expires_at", "<=", fields.Datetime.now())]
        if consultants is not None:
            domain.append(("consultant_id", "in", consultants.ids))
        own_view = self.sudo().search(domain)
        if not own_view:  # a hold newer than our snapshot cannot have expired yet
            return self.browse()
        reason = self.env._("The time to pay ran out; the slot is free again.")
        with self._fresh_transaction() as env:
            expired = self.with_env(env).sudo().search(domain).try_lock_for_update()
            for booking in expired:
                booking._payment_release("abandoned", reason)
            released_ids = expired.ids
            committed_ids = own_view.with_env(env).exists().ids
        uncommitted = own_view.browse(set(own_view.ids) - set(committed_ids))
        uncommitted._payment_release("abandoned", reason)
        return self.browse(released_ids) | uncommitted

    @api.model
    def _cron_release_expired_holds(self):
        self._release_expired_holds()

    # ------------------------------------------------------------------
    # Payment outcome (called from payment.transaction._post_process)
    # ------------------------------------------------------------------

    def _payment_confirm(self, transaction):
        """The client paid: confirm the booking like a free one (meeting, lead, e-mails, Google)."""
        for booking in self.sudo():
            if booking.state == "confirmed":
                continue  # the same payment seen twice
            if booking.state not in ("pending_payment", "abandoned", "payment_failed"):
                continue
            if booking.state != "pending_payment" and not booking.with_context(
                    voltaic_late_payment=True)._payment_retake_slot():
                booking._payment_late_refund(transaction)
                continue
            booking.write({"hold_expires_at": False, "amount_paid": transaction.amount})
            booking.message_post(body=self.env._(
                "Paid %(amount)s %(currency)s (%(provider)s, %(reference)s): the consultation is confirmed.",
                amount=transaction.amount, currency=transaction.currency_id.name,
                provider=transaction.provider_id.name, reference=transaction.reference))
            if booking.lead_id:
                booking.lead_id.sudo().expected_revenue = (booking.lead_id.expected_revenue or 0.0) + transaction.amount
            booking._confirm()

    def _payment_retake_slot(self):
        """A late payment: take the slot back if nobody else has it (under the consultant's lock)."""
        self.ensure_one()
        self._lock_consultant(self.consultant_id)
        start = self.start.replace(tzinfo=UTC)
        free = self.consultant_id._get_slots(start - timedelta(days=1), start + timedelta(days=1), self.duration,
                                             ignore_bookings=self)[self.consultant_id.id]
        if not any(slot_start == start for slot_start, _end in free):
            return False
        try:
            with self.env.cr.savepoint():
                self._service_write({"state": "confirmed"})
                self.env.flush_all()
        except Exception:  # pylint: disable=broad-exception-caught  # exclusion violation: someone took it
            _logger.info("Late payment of %s: the slot was taken meanwhile", self.reference)
            return False
        return True

    def _payment_late_refund(self, transaction):
        """Paid after the slot went to someone else: give the money back and tell the client (the refund
        e-mail says why)."""
        self.ensure_one()
        self.message_post(body=self.env._(
            "The payment %(reference)s arrived after the hold expired and the slot was taken meanwhile: "
            "it is refunded.", reference=transaction.reference))
        self._payment_refund(transaction)

    def _payment_release(self, state, reason, notify=True):
        """Free the held slot (``payment_failed`` or ``abandoned``); the client may start over.

        A transaction still running is left alone: if its payment comes through after all, it is
        a late payment (see ``_payment_confirm``), never money taken for nothing.
        :param notify: tell the client (not when they cancelled the hold themselves).
        """
        released = self.sudo().filtered(lambda b: b.state == "pending_payment")
        for booking in released:
            booking._service_write({"state": state, "hold_expires_at": False})
            booking.message_post(body=reason)
        if notify:
            released._notify_payment_released()

    def _payment_refund(self, transaction=None):
        """Refund the paid amount through the provider, or plan it for a manager when it cannot refund."""
        for booking in self.sudo():
            paid = transaction or booking._payment_paid_transaction()
            if not paid:
                continue
            provider = paid.provider_id
            method_refunds = not paid.payment_method_id or paid.payment_method_id.support_refund != "none"
            if provider.support_refund in ("full_only", "partial") and method_refunds:
                booking._queue_email("client_refund")
                refund = paid.with_context(payment_backend_action=True)._refund(amount_to_refund=paid.amount)
                booking.transaction_ids = [Command.link(refund.id)]
                booking.refund_state = "done" if refund.state == "done" else "requested"
                booking.message_post(body=self.env._(
                    "Refund of %(amount)s %(currency)s requested from %(provider)s (%(reference)s).",
                    amount=paid.amount, currency=paid.currency_id.name, provider=provider.name,
                    reference=refund.reference))
                if refund.state == "done":
                    booking._payment_refunded()
            else:
                booking.refund_state = "manual"
                booking._queue_email("client_refund_manual")
                booking.activity_schedule(
                    "mail.mail_activity_data_todo",
                    summary=self.env._("Refund the consultation by hand"),
                    note=self.env._("%(provider)s cannot refund automatically: refund %(amount)s %(currency)s "
                                    "of %(reference)s to the client.", provider=provider.name,
                                    amount=paid.amount, currency=paid.currency_id.name,
                                    reference=paid.reference),
                    user_id=booking._payment_manager().id)

    def _payment_refunded(self):
        for booking in self.sudo():
            booking.refund_state = "done"
            booking.amount_paid = 0.0
            if booking.state in ("cancelled", "abandoned", "payment_failed"):
                booking._service_write({"state": "refunded"})

    def _payment_manager(self):
        manager = self.env.ref("voltaic_booking.group_manager").sudo().user_ids[:1]
        return manager or self.env.ref("base.user_admin")

    def _notify_payment_released(self):
        """Tell the client their held time went unpaid (the payment failed or did not come in time)."""
        self._queue_email("client_payment_released")

    # ------------------------------------------------------------------
    # What the client is told of their payment
    # ------------------------------------------------------------------

    @api.model
    def _email_template_xmlid(self, kind):
        if kind in dict(PAYMENT_MESSAGE_KINDS):
            return f"voltaic_booking_payment.mail_template_{kind}"
        return super()._email_template_xmlid(kind)

    def _payment_paid_transaction(self):
        """The client's payment of this booking (done, not a refund), if any."""
        self.ensure_one()
        return self.transaction_ids.filtered(lambda t: t.state == "done" and t.operation != "refund")[:1]

    def _mail_payment_amount(self):
        """``120.00 €``: what the client paid (or was to pay), for the e-mails."""
        self.ensure_one()
        paid = self._payment_paid_transaction()
        return format_amount(self.env, paid.amount if paid else self.amount, self.currency_id)

    def _mail_payment_method(self):
        """How the client paid (``Card``, ``Demo``, …), where a refund goes back to."""
        self.ensure_one()
        paid = self._payment_paid_transaction()
        return paid.payment_method_id.name or paid.provider_id.name or ""

    def _mail_cancellation_notes(self):
        notes = super()._mail_cancellation_notes()
        if self.cancellation_refund == "full":
            notes.append(self.env._(
                "You paid %(amount)s. As the consultation was cancelled at least %(hours)s hours before the "
                "start, it is refunded in full; a separate e-mail confirms the refund.",
                amount=self._mail_payment_amount(), hours=self._refund_window_hours()))
        elif self.cancellation_refund == "none":
            notes.append(self.env._(
                "You paid %(amount)s. As the consultation was cancelled less than %(hours)s hours before the "
                "start, it is not refunded. Cancellation policy: %(policy)s",
                amount=self._mail_payment_amount(), hours=self._refund_window_hours(),
                policy=self._cancellation_policy()))
        return notes

    # ------------------------------------------------------------------
    # Cancellation: refunds
    # ------------------------------------------------------------------

    def _in_refund_window(self):
        """Whether a cancellation now is early enough for a refund."""
        self.ensure_one()
        return fields.Datetime.now() <= self.start - timedelta(hours=self._refund_window_hours())

    def action_cancel(self, reason=None):
        paid = self.filtered(lambda b: b.state == "confirmed" and b.amount_paid > 0)
        refundable = paid.filtered(
            lambda b: not self.env.context.get("voltaic_client_cancel") or b._in_refund_window())
        held = self.filtered(lambda b: b.state == "pending_payment")
        held._payment_release("abandoned", reason or self.env._("Cancelled before payment."), notify=False)
        # before the cancellation, whose e-mail says what the policy gave
        refundable.sudo().write({"cancellation_refund": "full"})
        (paid - refundable).sudo().write({"cancellation_refund": "none"})
        result = super(VoltaicBooking, self - held).action_cancel(reason) if self - held else True
        refundable._payment_refund()
        for booking in paid - refundable:
            booking.message_post(body=self.env._(
                "Cancelled by the client less than %s hours before the start: no refund (cancellation policy).",
                self._refund_window_hours()))
        return result

    def _cancellation_policy(self):
        """The text shown to the client before cancelling a paid consultation."""
        self.ensure_one()
        policy = self.env["ir.config_parameter"].sudo().get_param("voltaic_booking.cancellation_policy")
        if policy:
            return policy
        return self.env._(
            "Cancel at least %s hours before the start and your payment is refunded in full; "
            "later cancellations are not refunded.", self._refund_window_hours())

    # ------------------------------------------------------------------
    # Public URLs
    # ------------------------------------------------------------------

    def _payment_receipt(self):
        """``120.00 € · Demo · VLT-20270301-AB12-1``: the receipt line of the confirmation e-mail."""
        self.ensure_one()
        paid = self._payment_paid_transaction()
        parts = [format_amount(self.env, self.amount_paid, self.currency_id)]
        if paid:
            parts += [paid.provider_id.name, paid.reference]
        return " · ".join(parts)

    def _client_redirect_path(self, token):
        """Not booked yet (held, failed, abandoned): the payment page says where the booking stands."""
        if self.state in ("pending_payment", "payment_failed", "abandoned"):
            return f"/book-consultation/pay/{self.reference}?token={token}"
        return super()._client_redirect_path(token)

    def _api_extra_values(self):
        """A paid consultation is held until paid at ``payment_url`` (additional keys of the API's 201)."""
        values = super()._api_extra_values()
        if self.state == "pending_payment":
            values.update({
                "state": self.state,
                "amount": self.amount,
                "currency": self.currency_id.name,
                "hold_expires_at": slot_lib.to_utc_iso(self.hold_expires_at),
                "payment_url": self._payment_url(),
            })
        return values

    def _mail_summary_rows(self):
        rows = super()._mail_summary_rows()
        if self.amount_paid:
            rows.append((self.env._("Paid"), self._payment_receipt()))
        return rows

    def _payment_url(self):
        self.ensure_one()
        return (f"{self._client_base_url()}{self._url_lang_prefix()}/book-consultation/pay/{self.reference}"
                f"?token={self._portal_ensure_token()}")
