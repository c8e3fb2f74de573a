from odoo import fields, models


class CrmLead(models.Model):
    _inherit = "crm.lead"

    voltaic_booking_ids = fields.One2many("voltaic.booking", "lead_id", string="Consultations")
    voltaic_booking_count = fields.Integer(string="Consultation Count", compute="_compute_voltaic_booking_count")
    voltaic_booking_link_ids = fields.One2many("voltaic.booking.link", "lead_id", string="Booking Links")

    def _compute_voltaic_booking_count(self):
        counts = dict(self.env["voltaic.booking"]._read_group(
            [("lead_id", "in", self.ids)], ["lead_id"], ["__count"]))
        for lead in self:
            lead.voltaic_booking_count = counts.get(lead, 0)

    def action_view_voltaic_bookings(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("voltaic_booking.voltaic_booking_action")
        action["domain"] = [("lead_id", "=", self.id)]
        action["context"] = {"default_lead_id": self.id}
        # the calendar opens on the lead's next consultation (or its last one)
        bookings = self.voltaic_booking_ids.sorted("start")
        now = fields.Datetime.now()
        focus = next((b for b in bookings if b.start >= now and b.state == "confirmed"), bookings[-1:])
        if focus:
            action["context"]["initial_date"] = fields.Datetime.to_string(focus.start)
        return action

    def action_book_consultation(self):
        """Open the booking wizard for this lead (the same booking service as the website)."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("voltaic_booking.voltaic_booking_book_action")
        action["context"] = {"default_lead_id": self.id}
        return action

    def action_send_booking_link(self):
        """Open "Send Booking Link": the client books through a personal link, for this lead."""
        self.ensure_one()
        self.check_access("write")
        self.env["voltaic.booking.link"]._check_lead_for_link(self)
        action = self.env["ir.actions.act_window"]._for_xml_id("voltaic_booking.voltaic_booking_link_wizard_action")
        action["context"] = {"default_lead_id": self.id}
        return action
