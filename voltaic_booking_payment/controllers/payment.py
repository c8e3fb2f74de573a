"""Paying for a held consultation with Odoo's payment framework (see models/booking_payment.py).

- ``/book-consultation/pay/<reference>?token=…``: the held booking, its price and Odoo's payment form;
  after the hold, or after a failed or cancelled payment, a "start over" link that keeps the client's details.
- ``/book-consultation/pay/<reference>/transaction``: the payment form's transaction route (JSON-RPC).
- The landing route is the confirmation page, reached through ``/payment/status``.
"""

from odoo import Command, http
from odoo.exceptions import ValidationError
from odoo.http import request

from odoo.addons.payment.controllers.portal import PaymentPortal


class BookingPayment(PaymentPortal):

    def _held_booking(self, reference, token):
        """The booking behind ``reference`` for whoever holds its token; empty otherwise (never says more)."""
        return request.env["voltaic.booking"]._from_token(reference, token)

    @http.route("/book-consultation/pay/<string:reference>", type="http", auth="public", website=True,
                sitemap=False)
    def booking_pay(self, reference, token=None, **kwargs):
        booking = self._held_booking(reference, token)
        if not booking or not booking.amount:
            raise request.not_found()
        if booking.state in ("confirmed", "completed", "no_show", "refunded", "cancelled"):
            return request.redirect(
                f"/book-consultation/confirmed/{booking.reference}?token={booking.access_token}", local=True)
        # a hold that ran out is released now, not at the next cron run
        booking._release_expired_holds(booking.consultant_id)
        values = {
            "booking": booking,
            "token": booking.access_token,
            "restart_url": self._restart_url(booking),
            "pending_transaction": booking.transaction_ids.filtered(lambda t: t.state == "pending")[:1],
        }
        if booking.state == "pending_payment":
            values.update(self._booking_payment_values(booking))
        return request.render("voltaic_booking_payment.booking_pay", values)

    @http.route("/book-consultation/pay/<string:reference>/transaction", type="jsonrpc", auth="public")
    def booking_pay_transaction(self, reference, access_token=None, **kwargs):
        """Create the draft transaction of the held booking and return its processing values."""
        booking = self._held_booking(reference, access_token)
        if not booking:
            raise ValidationError(request.env._("The access token is invalid."))
        booking._release_expired_holds(booking.consultant_id)
        if booking.state != "pending_payment":
            raise ValidationError(request.env._(
                "This time is no longer held for you. Reload the page to start over."))
        self._validate_transaction_kwargs(kwargs)
        kwargs.update({
            "amount": booking.amount,
            "currency_id": booking.currency_id.id,
            "partner_id": booking.partner_id.id,
        })
        transaction = self._create_transaction(
            custom_create_values={"voltaic_booking_ids": [Command.set(booking.ids)]}, **kwargs)
        return transaction._get_processing_values()

    def _booking_payment_values(self, booking):
        """What Odoo's ``payment.form`` needs to pay ``booking`` (as in sale's portal)."""
        partner = booking.partner_id
        company = booking.company_id or request.env.company
        currency = booking.currency_id
        report = {}
        providers = request.env["payment.provider"].sudo()._get_compatible_providers(
            company.id, partner.id, booking.amount, currency_id=currency.id, report=report)
        methods = request.env["payment.method"].sudo()._get_compatible_payment_methods(
            providers.ids, partner.id, currency_id=currency.id, report=report)
        return {
            "amount": booking.amount,
            "currency": currency,
            "partner_id": partner.id,
            "providers_sudo": providers,
            "payment_methods_sudo": methods,
            "tokens_sudo": request.env["payment.token"].sudo(),  # no saved cards for visitors
            "availability_report": report,
            "show_tokenize_input_mapping": dict.fromkeys(providers.ids, False),
            "transaction_route": f"/book-consultation/pay/{booking.reference}/transaction",
            "landing_route": f"/book-consultation/confirmed/{booking.reference}?token={booking.access_token}",
            "access_token": booking.access_token,
            "reference_prefix": booking.reference,
        }

    @staticmethod
    def _restart_url(booking):
        """The booking page for the same consultant, with the client's details filled in again."""
        return (f"/book-consultation?consultant={booking.consultant_id.id}"
                f"&restart={booking.reference}&token={booking.access_token}")
