from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import email_normalize

from ..lib import providers

PROVIDER_SELECTION = [("calendly", "Calendly"), ("calcom", "Cal.com")]


class VoltaicProviderMapping(models.Model):
    """Which consultant a Calendly or Cal.com booking belongs to, when the host's email does not say it.

    A booking is matched to a consultant by the host's email first (the
    consultant's user or contact); a mapping wins over that when it matches:
    by event type, by host email (a consultant whose Calendly account uses
    another address), or by both; the most specific mapping wins.
    """

    _name = "voltaic.provider.mapping"
    _description = "Calendly / Cal.com Consultant Mapping"
    _order = "provider, event_type_ref, host_email, id"

    active = fields.Boolean(default=True)
    provider = fields.Selection(PROVIDER_SELECTION, required=True, default="calendly")
    event_type_ref = fields.Char(
        string="Event Type",
        help="Calendly: the event type's URI or UUID (https://api.calendly.com/event_types/…). "
             "Cal.com: the event type's id or slug. Empty: any event type.")
    host_email = fields.Char(
        help="The host's email at the provider (Calendly event membership, Cal.com organizer). Empty: any host.")
    consultant_id = fields.Many2one("voltaic.consultant", required=True, ondelete="cascade", index=True)
    note = fields.Char()

    @api.constrains("event_type_ref", "host_email")
    def _check_criteria(self):
        for mapping in self:
            if not mapping.event_type_ref and not mapping.host_email:
                raise ValidationError(self.env._("Give an event type, a host email, or both."))

    @api.model_create_multi
    def create(self, vals_list):
        return super().create([self._normalize_vals(vals) for vals in vals_list])

    def write(self, vals):
        return super().write(self._normalize_vals(vals))

    @api.model
    def _normalize_vals(self, vals):
        vals = dict(vals)
        if vals.get("event_type_ref"):
            vals["event_type_ref"] = providers.uuid_from_uri(vals["event_type_ref"].strip())
        if vals.get("host_email"):
            vals["host_email"] = email_normalize(vals["host_email"]) or vals["host_email"].strip().lower()
        return vals

    @api.depends("provider", "event_type_ref", "host_email", "consultant_id")
    def _compute_display_name(self):
        labels = dict(PROVIDER_SELECTION)
        for mapping in self:
            criteria = " / ".join(filter(None, [mapping.event_type_ref, mapping.host_email]))
            consultant = mapping.consultant_id.name or ""
            mapping.display_name = f"{labels.get(mapping.provider, '')}: {criteria} → {consultant}"

    @api.model
    def _match(self, provider, change):
        """The most specific active mapping for a change (see ``lib/providers``), or an empty recordset."""
        refs = {ref for ref in (change.get("event_type_id"), change.get("event_type_slug")) if ref}
        hosts = set(change.get("host_emails") or [])
        best, best_score = self.browse(), 0
        for mapping in self.search([("provider", "=", provider)]):
            if mapping.event_type_ref and mapping.event_type_ref not in refs:
                continue
            if mapping.host_email and mapping.host_email not in hosts:
                continue
            score = 2 * bool(mapping.event_type_ref) + bool(mapping.host_email)
            if score > best_score:
                best, best_score = mapping, score
        return best
