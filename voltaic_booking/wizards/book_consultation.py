from odoo import api, fields, models

from ..exceptions import SlotUnavailableError
from ..models.consultant import MEETING_TYPE_SELECTION


class VoltaicBookConsultation(models.TransientModel):
    """Book a consultation from the back office (usually from a lead), through the booking service."""

    _name = "voltaic.book.consultation"
    _inherit = "voltaic.booking.slot.picker"
    _description = "Book a Consultation"

    lead_id = fields.Many2one("crm.lead", string="Opportunity", ondelete="cascade")
    consultant_id = fields.Many2one(
        "voltaic.consultant", required=True, domain="[('is_accepting_bookings', '=', True)]",
        compute="_compute_consultant_id", store=True, readonly=False, precompute=True)
    duration = fields.Selection(
        required=True, compute="_compute_duration", store=True, readonly=False, precompute=True)
    meeting_type = fields.Selection(
        MEETING_TYPE_SELECTION, required=True,
        compute="_compute_meeting_type", store=True, readonly=False, precompute=True)
    offer_info = fields.Char(compute="_compute_offer_info")
    # the client, taken from the lead (editable)
    client_tz = fields.Selection(compute="_compute_client", store=True, readonly=False, precompute=True)
    first_name = fields.Char(required=True, compute="_compute_client", store=True, readonly=False, precompute=True)
    last_name = fields.Char(required=True, compute="_compute_client", store=True, readonly=False, precompute=True)
    email = fields.Char(required=True, compute="_compute_client", store=True, readonly=False, precompute=True)
    phone = fields.Char(compute="_compute_client", store=True, readonly=False, precompute=True)
    company = fields.Char(
        string="Client Company", compute="_compute_client", store=True, readonly=False, precompute=True)
    position = fields.Char(compute="_compute_client", store=True, readonly=False, precompute=True)
    language = fields.Selection(
        selection=lambda self: self.env["voltaic.booking"]._lang_selection(), required=True,
        compute="_compute_client", store=True, readonly=False, precompute=True)
    subject = fields.Char(compute="_compute_client", store=True, readonly=False, precompute=True)
    message = fields.Text(string="Message to the Consultant")

    @api.depends("lead_id")
    def _compute_consultant_id(self):
        for wizard in self:
            wizard.consultant_id = wizard.consultant_id or wizard._preselected_consultant()

    def _preselected_consultant(self):
        """A consultant one can book right away: the opportunity's salesperson, else the user, else the only
        bookable consultant; none when several could be meant (the picker then asks to choose one)."""
        bookable = self.env["voltaic.consultant"].search([("is_accepting_bookings", "=", True)]).filtered(
            lambda consultant: consultant._is_bookable())
        for user in (self.lead_id.user_id, self.env.user):
            mine = bookable.filtered(lambda consultant, user=user: consultant.user_id == user)
            if user and mine:
                return mine[:1]
        return bookable if len(bookable) == 1 else bookable.browse()

    @api.depends("consultant_id")
    def _compute_duration(self):
        for wizard in self:
            durations = wizard.consultant_id._allowed_durations() if wizard.consultant_id else []
            if durations and (not wizard.duration or int(wizard.duration) not in durations):
                wizard.duration = str(durations[0])
            else:
                wizard.duration = wizard.duration

    @api.depends("consultant_id")
    def _compute_meeting_type(self):
        for wizard in self:
            types = wizard.consultant_id._meeting_types() if wizard.consultant_id else []
            wizard.meeting_type = types[0] if types and wizard.meeting_type not in types else wizard.meeting_type

    @api.depends("consultant_id")
    def _compute_offer_info(self):
        labels = dict(self._fields["meeting_type"]._description_selection(self.env))
        for wizard in self:
            consultant = wizard.consultant_id
            wizard.offer_info = consultant and self.env._(
                "Offers %(durations)s minutes; %(types)s.",
                durations=", ".join(str(minutes) for minutes in consultant._allowed_durations()),
                types=", ".join(labels[meeting_type] for meeting_type in consultant._meeting_types()))

    @api.depends("lead_id")
    def _compute_client(self):
        for wizard in self:
            lead = wizard.lead_id
            partner = lead.partner_id
            # a person's name is split in two; a company's ("Acme Corporation") is its company, not a person
            person = (lead.contact_name or (partner.name if partner and not partner.is_company else "") or "").strip()
            first, _sep, last = person.partition(" ")
            wizard.first_name = first or wizard.first_name
            wizard.last_name = last.strip() or wizard.last_name
            wizard.email = lead.email_from or partner.email or wizard.email
            wizard.phone = lead.phone or partner.phone or wizard.phone
            company_name = partner.name if partner.is_company else partner.commercial_company_name
            wizard.company = lead.partner_name or company_name or wizard.company
            wizard.position = lead.function or partner.function or wizard.position
            lang = lead.lang_id or self.env["res.lang"]._lang_get(partner.lang or "")
            short = self.env["voltaic.booking"]._lang_short_code(lang) if lang else ""
            wizard.language = short if short in self.env["voltaic.booking"]._installed_langs() else "en"
            wizard.client_tz = partner.tz or wizard.client_tz or self.env.user.tz or "UTC"
            wizard.subject = wizard.subject or lead.name

    def action_book(self):
        """Book the chosen slot through ``voltaic.booking._book`` (source ``backend``)."""
        self.ensure_one()
        if self.lead_id:
            self.lead_id.check_access("write")
        start = self._chosen_start()
        try:
            booking = self.env["voltaic.booking"]._book({
                "consultant_id": self.consultant_id.id,
                "start": start,
                "duration": int(self.duration),
                "meeting_type": self.meeting_type,
                "client_tz": self.client_tz,
                "first_name": self.first_name,
                "last_name": self.last_name,
                "email": self.email,
                "phone": self.phone,
                "company": self.company,
                "position": self.position,
                "subject": self.subject,
                "message": self.message,
                "language": self.language,
                "source": "backend",
                "lead_id": self.lead_id.id or False,
            })
        except SlotUnavailableError as error:
            raise SlotUnavailableError(self._unavailable_message(error), error.alternatives) from None
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._("Consultation %(reference)s booked: %(time)s.",
                                      reference=booking.reference, time=booking.start_client_display),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
