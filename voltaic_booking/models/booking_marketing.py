from odoo import models


class VoltaicBooking(models.Model):
    """Marketing consent given on the booking form reaches Odoo's own opt-out list (``mail.blacklist``),
    and the client withdraws it from the link in their e-mails."""

    _inherit = "voltaic.booking"

    def _apply_marketing_consent(self):
        """A client who agreed to marketing e-mails is taken off the blacklist (an opt-in after an
        earlier opt-out). Without consent nothing changes: not agreeing is not opting out."""
        blacklist = self.env["mail.blacklist"].sudo()
        for booking in self.sudo().filtered("marketing_consent"):
            if blacklist.search_count([("email", "=", booking.partner_id.email_normalized or booking.email)], limit=1):
                blacklist._remove(booking.email, message=self.env._(
                    "Agreed to marketing e-mails when booking consultation %s.", booking.reference))

    def _withdraw_marketing_consent(self):
        """The client's "no more marketing e-mails": blacklisted, and no booking of theirs keeps the consent."""
        self.ensure_one()
        booking = self.sudo()
        booking.env["mail.blacklist"]._add(booking.email, message=self.env._(
            "Withdrew marketing consent from the e-mails of consultation %s.", booking.reference))
        same_client = booking.search([("email", "=ilike", booking.email), ("marketing_consent", "=", True)])
        same_client.write({"marketing_consent": False})
        booking.message_post(body=self.env._("The client withdrew their marketing consent."))

    def _mail_marketing_url(self):
        """The link to withdraw marketing consent, for the client's own e-mails while they gave it."""
        self.ensure_one()
        kind = self.env.context.get("voltaic_mail_kind") or ""
        if not (self.marketing_consent and kind.startswith("client_")):
            return False
        return (f"{self._client_base_url()}{self._url_lang_prefix()}/book-consultation/marketing/{self.reference}"
                f"?token={self._portal_ensure_token()}")
