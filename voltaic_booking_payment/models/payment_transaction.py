from odoo import api, fields, models


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
