"""Paid consultations: prices, the slot held while the client pays, payment, release and refund.

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
from odoo.exceptions import UserError
from odoo.tools.misc import format_amount

UTC = timezone.utc

_logger = logging.getLogger(__name__)

DURATIONS = (15, 30, 60, 90, 120)
PAID_SOURCES = ("website", "api")
DEFAULT_HOLD_MINUTES = 15
DEFAULT_REFUND_WINDOW_HOURS = 24

# every state change a booking may make; anything else is refused with a clear error
TRANSITIONS = {
    "pending_payment": {"confirmed", "payment_failed", "abandoned", "cancelled"},
    "confirmed": {"cancelled", "completed", "no_show", "rescheduled", "refunded"},
    "completed": {"no_show", "confirmed"},
    "no_show": {"confirmed", "completed"},
    "cancelled": {"refunded"},
    # a late payment re-takes a slot still free, or is refunded
    "payment_failed": {"confirmed", "refunded"},
    "abandoned": {"confirmed", "refunded"},
    "rescheduled": set(),
    "refunded": set(),
}


class VoltaicConsultant(models.Model):
    _inherit = "voltaic.consultant"

    currency_id = fields.Many2one(related="company_id.currency_id", string="Currency")
    price_15 = fields.Monetary(string="Price (15 minutes)", currency_field="currency_id", default=0.0)
    price_30 = fields.Monetary(string="Price (30 minutes)", currency_field="currency_id", default=0.0)
    price_60 = fields.Monetary(string="Price (60 minutes)", currency_field="currency_id", default=0.0)
    price_90 = fields.Monetary(string="Price (90 minutes)", currency_field="currency_id", default=0.0)
    price_120 = fields.Monetary(string="Price (120 minutes)", currency_field="currency_id", default=0.0)

    _prices_positive = models.Constraint(
        "CHECK(COALESCE(price_15, 0) >= 0 AND COALESCE(price_30, 0) >= 0 AND COALESCE(price_60, 0) >= 0 "
        "AND COALESCE(price_90, 0) >= 0 AND COALESCE(price_120, 0) >= 0)",
        "Prices cannot be negative.")

    def _price_for(self, duration):
        """Price of a ``duration``-minute consultation, 0 when free."""
        self.ensure_one()
        return self[f"price_{duration}"] if duration in DURATIONS else 0.0


class VoltaicBooking(models.Model):
    _inherit = "voltaic.booking"

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

    # ------------------------------------------------------------------
    # State machine
    # ------------------------------------------------------------------

    def write(self, vals):
        if "state" in vals:
            for booking in self:
                if booking.state != vals["state"] and vals["state"] not in TRANSITIONS.get(booking.state, ()):
                    labels = dict(self._fields["state"]._description_selection(self.env))
                    raise UserError(self.env._(
                        "%(reference)s cannot go from “%(old)s” to “%(new)s”.", reference=booking.reference,
                        old=labels.get(booking.state), new=labels.get(vals["state"])))
        return super().write(vals)

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
        """Holds whose time is up become ``abandoned``: their slots are free again."""
        domain = [("state", "=", "pending_payment"), ("hold_expires_at", "<=", fields.Datetime.now())]
        if consultants is not None:
            domain.append(("consultant_id", "in", consultants.ids))
        expired = self.sudo().search(domain)
        for booking in expired:
            booking._payment_release("abandoned", self.env._("The time to pay ran out; the slot is free again."))
        return expired

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
            booking.write({"state": "confirmed", "hold_expires_at": False, "amount_paid": transaction.amount})
            booking.event_id = booking._create_event()
            booking.message_post(body=self.env._(
                "Paid %(amount)s %(currency)s (%(provider)s, %(reference)s): the consultation is confirmed.",
                amount=transaction.amount, currency=transaction.currency_id.name,
                provider=transaction.provider_id.name, reference=transaction.reference))
            if booking.lead_id:
                booking.lead_id.sudo().expected_revenue = (booking.lead_id.expected_revenue or 0.0) + transaction.amount
            booking._notify_booked()
            booking._update_lead("scheduled")

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
                self.write({"state": "confirmed"})
                self.env.flush_all()
        except Exception:  # pylint: disable=broad-exception-caught  # exclusion violation: someone took it
            _logger.info("Late payment of %s: the slot was taken meanwhile", self.reference)
            return False
        return True

    def _payment_late_refund(self, transaction):
        """Paid after the slot went to someone else: give the money back and tell the client."""
        self.ensure_one()
        self.message_post(body=self.env._(
            "The payment %(reference)s arrived after the hold expired and the slot was taken meanwhile: "
            "it is refunded.", reference=transaction.reference))
        self._payment_refund(transaction)
        self._notify_payment_released()

    def _payment_release(self, state, reason):
        """Free the held slot (``payment_failed`` or ``abandoned``); the client may start over.

        A transaction still running is left alone: if its payment comes through after all, it is
        a late payment (see ``_payment_confirm``), never money taken for nothing.
        """
        for booking in self.sudo().filtered(lambda b: b.state == "pending_payment"):
            booking.write({"state": state, "hold_expires_at": False})
            booking.message_post(body=reason)

    def _payment_refund(self, transaction=None):
        """Refund the paid amount through the provider, or plan it for a manager when it cannot refund."""
        for booking in self.sudo():
            paid = transaction or booking.transaction_ids.filtered(
                lambda t: t.state == "done" and t.operation != "refund")[:1]
            if not paid:
                continue
            provider = paid.provider_id
            method_refunds = not paid.payment_method_id or paid.payment_method_id.support_refund != "none"
            if provider.support_refund in ("full_only", "partial") and method_refunds:
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
                booking.write({"state": "refunded"})

    def _payment_manager(self):
        manager = self.env.ref("voltaic_booking.group_manager").sudo().user_ids[:1]
        return manager or self.env.ref("base.user_admin")

    def _notify_payment_released(self):
        """Hook: tell the client the payment could not hold the slot (see booking_notification.py)."""

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
        held._payment_release("abandoned", reason or self.env._("Cancelled before payment."))
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
        paid = self.transaction_ids.filtered(lambda t: t.state == "done" and t.operation != "refund")[:1]
        parts = [format_amount(self.env, self.amount_paid, self.currency_id)]
        if paid:
            parts += [paid.provider_id.name, paid.reference]
        return " · ".join(parts)

    def _payment_url(self):
        self.ensure_one()
        return (f"{self.get_base_url()}{self._url_lang_prefix()}/book-consultation/pay/{self.reference}"
                f"?token={self._portal_ensure_token()}")


class PaymentTransaction(models.Model):
    _inherit = "payment.transaction"

    voltaic_booking_ids = fields.Many2many(
        "voltaic.booking", "voltaic_booking_transaction_rel", "transaction_id", "booking_id",
        string="Consultations", readonly=True, copy=False)

    @api.model
    def _compute_reference_prefix(self, separator, **values):
        command_list = values.get("voltaic_booking_ids")
        if command_list:
            bookings = self.new({"voltaic_booking_ids": command_list}).voltaic_booking_ids
            if bookings:
                return separator.join(bookings.mapped("reference"))
        return super()._compute_reference_prefix(separator, **values)

    def _post_process(self):
        result = super()._post_process()
        for transaction in self.sudo():
            if transaction.operation == "refund":
                bookings = transaction.source_transaction_id.voltaic_booking_ids | transaction.voltaic_booking_ids
                if transaction.state == "done":
                    bookings.filtered(lambda b: b.refund_state == "requested")._payment_refunded()
                continue
            bookings = transaction.voltaic_booking_ids
            if not bookings:
                continue
            if transaction.state == "done":
                bookings._payment_confirm(transaction)
            elif transaction.state == "error":
                bookings._payment_release("payment_failed", self.env._(
                    "The payment failed (%s); the slot is free again.", transaction.state_message or ""))
            elif transaction.state == "cancel":
                bookings._payment_release("abandoned", self.env._(
                    "The payment was cancelled; the slot is free again."))
        return result
