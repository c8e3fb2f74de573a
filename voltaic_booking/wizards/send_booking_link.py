from odoo import api, fields, models


class VoltaicBookingLinkWizard(models.TransientModel):
    """Send a lead's client a personal booking link (``voltaic.booking.link``)."""

    _name = "voltaic.booking.link.wizard"
    _description = "Send Booking Link"

    lead_id = fields.Many2one("crm.lead", string="Opportunity", required=True, ondelete="cascade")
    email = fields.Char(string="Send To", compute="_compute_email")
    consultant_id = fields.Many2one(
        "voltaic.consultant", domain="[('is_accepting_bookings', '=', True)]",
        compute="_compute_consultant_id", store=True, readonly=False, precompute=True,
        help="Leave empty to let the client choose the consultant on the booking page.")
    durations = fields.Char(
        string="Allowed Durations", compute="_compute_durations", store=True, readonly=False, precompute=True,
        help="Meeting lengths in minutes the client may choose, e.g. “30, 60”.")
    offered_info = fields.Char(compute="_compute_offered_info")
    expiry_days = fields.Integer(string="Valid For (Days)", compute="_compute_expiry_days")

    @api.depends("lead_id")
    def _compute_email(self):
        for wizard in self:
            wizard.email = wizard.lead_id.email_from or wizard.lead_id.partner_id.email or False

    @api.depends("lead_id")
    def _compute_consultant_id(self):
        for wizard in self:
            if wizard.consultant_id or not wizard.lead_id.user_id:
                wizard.consultant_id = wizard.consultant_id
                continue
            wizard.consultant_id = self.env["voltaic.consultant"].search(
                [("user_id", "=", wizard.lead_id.user_id.id), ("is_accepting_bookings", "=", True)], limit=1)

    @api.depends("consultant_id")
    def _compute_durations(self):
        for wizard in self:
            offered = wizard._offered()
            wizard.durations = ", ".join(map(str, offered))

    @api.depends("consultant_id")
    def _compute_offered_info(self):
        for wizard in self:
            wizard.offered_info = self.env._(
                "Offered: %s minutes.", ", ".join(map(str, wizard._offered())) or "-")

    def _compute_expiry_days(self):
        days = self.env["voltaic.booking.link"]._link_days()
        for wizard in self:
            wizard.expiry_days = days

    def _offered(self):
        self.ensure_one()
        if self.consultant_id:
            return self.consultant_id._allowed_durations()
        return self.env["voltaic.consultant.duration"]._offered_durations()

    def action_send(self):
        """Create the link, e-mail it to the client and note it on the lead."""
        self.ensure_one()
        lead = self.lead_id
        lead.check_access("write")
        email = self.env["voltaic.booking.link"]._check_lead_for_link(lead)
        link = self.env["voltaic.booking.link"].create({
            "lead_id": lead.id,
            "email": email,
            "consultant_id": self.consultant_id.id or False,
            "durations": self.durations or False,
        })
        link._send()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._("Booking link sent to %s.", email),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
