from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..lib import providers
from .provider_mapping import PROVIDER_SELECTION


class VoltaicConsultant(models.Model):
    """Consultants who schedule in Calendly or Cal.com: their link, and finding them by a host's email."""

    _inherit = "voltaic.consultant"

    scheduling_url = fields.Char(
        string="External Scheduling Link",
        help="The consultant's Calendly or Cal.com booking page (e.g. https://calendly.com/anna-weber/consultation). "
             "The website then shows that page, prefilled with what the client entered; the booking comes back "
             "through the webhook.")
    scheduling_provider = fields.Selection(
        PROVIDER_SELECTION, compute="_compute_scheduling_provider", store=True)
    provider_mapping_ids = fields.One2many(
        "voltaic.provider.mapping", "consultant_id", string="Calendly / Cal.com Mappings")

    @api.depends("scheduling_url")
    def _compute_scheduling_provider(self):
        for consultant in self:
            consultant.scheduling_provider = providers.detect_provider(consultant.scheduling_url)

    @api.constrains("scheduling_url")
    def _check_scheduling_url(self):
        for consultant in self.filtered("scheduling_url"):
            if not consultant.scheduling_url.startswith("https://") or not consultant.scheduling_provider:
                raise ValidationError(self.env._(
                    "The external scheduling link must be a Calendly or Cal.com page starting with https://."))

    def _is_bookable(self):
        """A consultant who schedules through Calendly / Cal.com is booked there only: our own wizard and API
        know just the Odoo side of their calendar and would show the provider's busy times as free. Their
        provider bookings still come in (the webhooks book with ``allow_conflict``)."""
        return super()._is_bookable() and not self.scheduling_provider

    def _external_schedule_url(self):
        """Consultants with a Calendly or Cal.com page: our page showing it (``/book-consultation/<slug>/schedule``)."""
        if self.scheduling_provider:
            return f"/book-consultation/{self.env['ir.http']._slug(self)}/schedule"
        return super()._external_schedule_url()

    def _scheduling_embed_url(self, prefill=None, embed_domain=None):
        """The provider's page for an inline frame, prefilled (see ``lib/providers.scheduling_embed_url``)."""
        self.ensure_one()
        if not self.scheduling_provider:
            return False
        return providers.scheduling_embed_url(self.scheduling_provider, self.scheduling_url, prefill, embed_domain)

    @api.model
    def _find_by_host_emails(self, emails):
        """The consultant whose user or contact has the first of ``emails`` that matches one, else empty."""
        emails = [email for email in emails if email]
        if not emails:
            return self.browse()
        consultants = self.search([
            "|",
            ("user_id.partner_id.email_normalized", "in", emails),
            ("partner_id.email_normalized", "in", emails),
        ])
        for email in emails:
            for consultant in consultants:
                if email in (consultant.user_id.partner_id.email_normalized, consultant.partner_id.email_normalized):
                    return consultant
        return self.browse()
