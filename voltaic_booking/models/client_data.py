from datetime import datetime, timezone

from odoo import fields, models
from odoo.exceptions import AccessError
from odoo.fields import Domain

from ..lib import slots as slot_lib

UTC = timezone.utc
BOOKING_FIELDS = ("company", "position", "website", "phone", "subject", "message", "language", "client_tz",
                  "meeting_type", "cancellation_reason", "feedback")


class VoltaicBooking(models.Model):
    """The client's own data: they download it, or have it erased (statistics kept), by the token link of
    any of their e-mails; managers do the same from the contact."""

    _inherit = "voltaic.booking"

    data_erased_at = fields.Datetime(
        string="Client Data Erased On", readonly=True, copy=False,
        help="The client's personal data was erased at their request: nothing may bring it back (an "
             "extension that imports bookings leaves the client's details alone).")

    def _client_bookings(self):
        """Every booking of this booking's client: the same contact or the same e-mail address."""
        self.ensure_one()
        booking = self.sudo()
        domain = Domain("email", "=", booking.email)
        if booking.partner_id:
            domain |= Domain("partner_id", "=", booking.partner_id.id)
        return booking.search(domain, order="start, id")

    def _client_data(self):
        """What we hold on the client of this booking, as JSON-ready values (the "download my data")."""
        self.ensure_one()
        bookings = self._client_bookings()
        partner = self.sudo().partner_id
        return {
            "exported_at": slot_lib.to_utc_iso(datetime.now(UTC)),
            "client": {
                "name": partner.name or self.client_name,
                "email": partner.email or self.email,
                "phone": partner.phone or "",
                "company": partner.company_name or partner.parent_id.name or "",
            },
            "consultations": [booking._client_data_booking() for booking in bookings],
            "emails": [{
                "consultation": log.booking_id.reference,
                "kind": log.kind,
                "sent_at": slot_lib.to_utc_iso(log.create_date),
                "to": log.email_to or "",
                "subject": log.mail_id.subject or "",
            } for log in bookings.email_log_ids.sorted("id")],
        }

    def _client_data_booking(self):
        """One consultation in the client's data; an extension adds its own keys."""
        self.ensure_one()
        return {
            "reference": self.reference,
            "state": self.state,
            "start": slot_lib.to_utc_iso(self.start),
            "end": slot_lib.to_utc_iso(self.stop),
            "duration": self.duration,
            "consultant": self.consultant_id.name,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "email": self.email,
            **{name: self[name] or "" for name in BOOKING_FIELDS},
            "rating": self.rating or None,
            "terms_accepted": self.terms_accepted,
            "privacy_accepted": self.privacy_accepted,
            "marketing_consent": self.marketing_consent,
            "booked_at": slot_lib.to_utc_iso(self.create_date),
        }

    def _erase_client_data(self):
        """Erase the client's personal data, keep the statistics (the "erase my data").

        Their coming consultations are cancelled through the booking service (they are told), a last
        e-mail to their address confirms the erasure, then their name, address, phone, answers and
        messages are removed from their bookings, opportunities, meetings and contact. States, times,
        consultants and ratings stay, so the reports count as before. Old links stop working.
        """
        self.ensure_one()
        bookings = self._client_bookings()
        client = self.sudo()
        email, name, lang = client.email, client.client_name, client._mail_lang()
        now = fields.Datetime.now()
        coming = bookings.filtered(lambda booking: booking.blocks_time and booking.start > now)
        coming.action_cancel(reason=self.env._("The client asked us to erase their data."))
        client._send_erasure_confirmation(email, name, lang)
        erased = self.env._("Erased client")
        for booking in bookings:
            booking.write({
                "first_name": erased, "last_name": "-", "email": f"erased-{booking.id}@erased.invalid",
                "marketing_consent": False, "access_token": booking._new_access_token(), "data_erased_at": now,
                **{name: False for name in BOOKING_FIELDS if name not in ("language", "client_tz", "meeting_type")},
            })
            booking.email_log_ids.write({"email_to": False})
            mails = booking.email_log_ids.mail_id
            # sent ones go now; the ones still to go (the cancellation just queued) go once sent
            mails.filtered(lambda mail: mail.state == "outgoing").write({"auto_delete": True})
            mails.filtered(lambda mail: mail.state != "outgoing").unlink()
            if booking.event_id:
                booking.event_id.with_context(no_mail_to_attendees=True, dont_notify=True).write({
                    "name": self.env._("Consultation: %(client)s with %(consultant)s",
                                       client=erased, consultant=booking.consultant_id.name),
                    "description": False,
                })
        bookings.lead_id.write({
            "name": self.env._("Consultation: %s", erased), "contact_name": False, "email_from": False,
            "phone": False, "partner_name": False, "website": False, "function": False, "description": False,
        })
        partners = bookings.partner_id.filtered(lambda partner: not partner.user_ids)
        partners.write({"name": erased, "email": False, "phone": False, "company_name": False,
                        "website": False, "function": False, "street": False, "city": False, "zip": False})
        for booking in bookings:
            booking.message_post(body=self.env._("The client's personal data was erased at their request."))
        return bookings

    def _send_erasure_confirmation(self, email, name, lang):
        """The last e-mail to the client's address: their data is erased (rendered before the erasure)."""
        self.ensure_one()
        company = self.company_id or self.env.company
        body = self.with_context(lang=lang).env._(
            "<p>Hello %(name)s,</p><p>As you asked, we erased your personal data from our consultation records: "
            "your name, e-mail address, phone number, answers and messages. Consultations that were still to "
            "come are cancelled. What remains cannot be traced back to you.</p><p>Kind regards,<br/>%(company)s</p>",
            name=name, company=company.name)
        self.env["mail.mail"].sudo().create({
            "subject": self.with_context(lang=lang).env._("Your data has been erased"),
            "email_to": email,
            "email_from": company.email_formatted or self.env.user.email_formatted,
            "body_html": body,
            "auto_delete": True,
        })
        self.env.ref("mail.ir_cron_mail_scheduler_action")._trigger_once()


class ResPartner(models.Model):
    _inherit = "res.partner"

    voltaic_booking_count = fields.Integer(string="Consultations", compute="_compute_voltaic_booking_count",
                                           groups="voltaic_booking.group_manager")

    def _compute_voltaic_booking_count(self):
        counts = dict(self.env["voltaic.booking"].sudo()._read_group(
            [("partner_id", "in", self.ids)], ["partner_id"], ["__count"]))
        for partner in self:
            partner.voltaic_booking_count = counts.get(partner, 0)

    def _voltaic_client_booking(self):
        self.ensure_one()
        if not self.env.user.has_group("voltaic_booking.group_manager"):
            raise AccessError(self.env._("Only consultation managers handle a client's data."))
        booking = self.env["voltaic.booking"].sudo().search([("partner_id", "=", self.id)], limit=1)
        if not booking:
            raise AccessError(self.env._("This contact has no consultations."))
        return booking

    def action_voltaic_download_data(self):
        """Managers: the client's consultation data as a JSON file (as the client downloads it)."""
        booking = self._voltaic_client_booking()
        return {
            "type": "ir.actions.act_url",
            "url": f"/book-consultation/data/{booking.reference}?token={booking._portal_ensure_token()}",
            "target": "new",
        }

    def action_voltaic_erase_data(self):
        """Managers: erase the client's consultation data (as the client does), at their request."""
        self._voltaic_client_booking()._erase_client_data()
        return True
