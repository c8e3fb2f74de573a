"""Personal booking links, sent to a lead's client by a salesperson.

A link opens the booking page for that client only: their details filled in, the consultant fixed when
the salesperson picked one (else the client chooses), only the allowed durations. The booking it makes
goes through the one booking service, for the link's lead (no new opportunity) with the source
``backend``. A link books once and expires (setting ``voltaic_booking.booking_link_days``, 14 days by
default).

Extension point: the link names a consultant or nobody. A team (``voltaic.booking.team``) fits beside
``consultant_id`` as a ``team_id``: ``_book`` then passes ``team`` to the service and the page shows the
team's "first available" card instead of the consultant's.
"""

import secrets
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import consteq, formataddr

from ..exceptions import BookingLinkError, BookingValidationError
from ..lib import notification_times as ntimes
from .booking import _expected_conflict

DEFAULT_LINK_DAYS = 14
LINK_DAYS_PARAM = "voltaic_booking.booking_link_days"


class VoltaicBookingLink(models.Model):
    _name = "voltaic.booking.link"
    _description = "Personal Booking Link"
    _order = "create_date desc, id desc"

    lead_id = fields.Many2one("crm.lead", string="Opportunity", required=True, index=True, ondelete="cascade")
    partner_id = fields.Many2one(related="lead_id.partner_id", string="Client", help="The opportunity's contact.")
    company_id = fields.Many2one(related="lead_id.company_id")
    email = fields.Char(string="Sent To", readonly=True)
    consultant_id = fields.Many2one(
        "voltaic.consultant", index=True, ondelete="cascade",
        help="The consultant the client books; empty: the client chooses on the booking page.")
    durations = fields.Char(
        string="Allowed Durations",
        help="Meeting lengths in minutes the client may choose, e.g. “30, 60”; empty: every length offered.")
    access_token = fields.Char(
        required=True, readonly=True, copy=False, index=True, default=lambda self: secrets.token_urlsafe(32))
    url = fields.Char(string="Link", compute="_compute_url")
    expires_at = fields.Datetime(string="Expires On", required=True, readonly=True)
    state = fields.Selection(
        [("active", "Sent"), ("used", "Used"), ("cancelled", "Withdrawn")],
        default="active", required=True, readonly=True, index=True)
    status = fields.Selection(
        [("active", "Open"), ("expired", "Expired"), ("used", "Used"), ("cancelled", "Withdrawn")],
        compute="_compute_status")
    used_booking_id = fields.Many2one("voltaic.booking", string="Booking", readonly=True, ondelete="set null")
    used_at = fields.Datetime(readonly=True)
    sent_by_id = fields.Many2one("res.users", readonly=True, default=lambda self: self.env.user)

    _token_uniq = models.Constraint("UNIQUE(access_token)", "A booking link with this token already exists.")

    @api.depends("lead_id", "consultant_id")
    def _compute_display_name(self):
        for link in self:
            link.display_name = self.env._("Booking link for %s", link.lead_id.display_name or "")

    def _compute_url(self):
        booking_model = self.env["voltaic.booking"]
        for link in self:
            # on the website's domain, like every link a client gets (not the host an administrator used)
            base = booking_model._client_base_url_for(link.company_id or self.env.company)
            link.url = f"{base}/book-consultation/link/{link.access_token}" if link.access_token else ""

    @api.depends("state", "expires_at")
    def _compute_status(self):
        now = fields.Datetime.now()
        for link in self:
            expired = link.state == "active" and link.expires_at and link.expires_at <= now
            link.status = "expired" if expired else link.state

    @api.constrains("durations", "consultant_id")
    def _check_durations(self):
        for link in self:
            link._allowed_durations(strict=True)

    @api.model_create_multi
    def create(self, vals_list):
        days = self._link_days()
        for vals in vals_list:
            vals.setdefault("expires_at", fields.Datetime.now() + timedelta(days=days))
        return super().create(vals_list)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_withdraw(self):
        """The link no longer books (e.g. sent to the wrong person)."""
        for link in self.filtered(lambda link: link.state == "active"):
            link.state = "cancelled"
            link.lead_id.message_post(body=self.env._("Booking link withdrawn (sent to %s).", link.email))
        return True

    # ------------------------------------------------------------------
    # Business
    # ------------------------------------------------------------------

    @api.model
    def _link_days(self):
        value = self.env["ir.config_parameter"].sudo().get_param(LINK_DAYS_PARAM)
        try:
            days = int(value)
        except (TypeError, ValueError):
            return DEFAULT_LINK_DAYS
        return days if days > 0 else DEFAULT_LINK_DAYS

    def _offered_durations(self):
        """The lengths the link's consultant offers, or every length offered on the booking page."""
        self.ensure_one()
        if self.consultant_id:
            return self.consultant_id._allowed_durations()
        return self.env["voltaic.consultant.duration"]._offered_durations()

    def _allowed_durations(self, strict=False):
        """The lengths (minutes, sorted) the client may book through the link.

        A length no longer offered since the link was sent is left out.
        :param strict: raise ``ValidationError`` for a length that is not a number or not offered.
        """
        self.ensure_one()
        offered = self._offered_durations()
        if not (self.durations or "").strip():
            return offered
        allowed = set()
        for part in self.durations.replace(";", ",").split(","):
            part = part.strip()
            if not part:
                continue
            if not part.isdigit() or int(part) not in offered:
                if not strict:
                    continue
                raise ValidationError(self.env._(
                    "“%(value)s” is not an offered duration. Offered: %(offered)s minutes.",
                    value=part, offered=", ".join(str(minutes) for minutes in offered) or "-"))
            allowed.add(int(part))
        return sorted(allowed)

    @api.model
    def _from_token(self, token):
        """The link (sudo) whose token is ``token``, compared in constant time; else an empty recordset."""
        token = str(token or "")
        link = self.sudo().search([("access_token", "=", token)], limit=1) if token else self.sudo().browse()
        if not link or not consteq(link.access_token, token):
            return self.sudo().browse()
        return link

    def _unusable_message(self):
        """Why the link cannot book (in the current language), or False when it can."""
        if not self:
            return self.env._("This booking link is not valid. Please check that you copied it completely.")
        self.ensure_one()
        if self.state == "used":
            return self.env._("This booking link was already used: a consultation was booked with it.")
        if self.state == "cancelled" or not self.lead_id.active:
            return self.env._("This booking link was withdrawn.")
        if self.expires_at <= fields.Datetime.now():
            return self.env._("This booking link has expired.")
        if self.consultant_id and not self.consultant_id._is_bookable():
            return self.env._("This consultant cannot be booked at the moment.")
        if not self._allowed_durations():
            return self.env._("The meeting lengths of this link are no longer offered. Please contact us.")
        return False

    def _client_values(self):
        """The client's details from the lead (and its contact) for the booking form: this lead's only."""
        self.ensure_one()
        lead = self.lead_id
        partner = lead.partner_id
        name = (lead.contact_name or partner.name or "").strip()
        first, _sep, last = name.partition(" ")
        return {
            "first_name": first,
            "last_name": last,
            "email": self.email or lead.email_from or partner.email or "",
            "phone": lead.phone or partner.phone or "",
            "company": lead.partner_name or partner.commercial_company_name or "",
            "website": lead.website or partner.website or "",
            "position": lead.function or partner.function or "",
        }

    def _book(self, values):
        """Book ``values`` (the booking form's) through the booking service, for this link's lead, once.

        The link is claimed in the same savepoint as the booking: a booking that fails (slot taken,
        bad input) leaves the link usable; two bookings racing through one link get one booking, the
        other a serialization failure, retried by Odoo, then this error.

        :raise BookingLinkError: the link cannot book (any more).
        :raise BookingValidationError, SlotUnavailableError: as the booking service.
        :return: the booking (sudo).
        """
        self.ensure_one()
        link = self.sudo()
        problem = link._unusable_message()
        if problem:
            raise BookingLinkError(problem)
        values = dict(values, lead_id=link.lead_id.id, source="backend")
        if link.consultant_id:
            values["consultant_id"] = link.consultant_id.id
        errors = {}
        allowed = link._allowed_durations()
        if values.get("duration") not in allowed:
            errors["duration"] = self.env._(
                "Choose one of the durations offered to you: %s minutes.", ", ".join(map(str, allowed)))
        # the client books on the website: the same consents as there
        if values.get("terms_accepted") is not True:
            errors["terms_accepted"] = self.env._("Please accept the terms and conditions.")
        if values.get("privacy_accepted") is not True:
            errors["privacy_accepted"] = self.env._("Please accept the privacy policy.")
        if errors:
            raise BookingValidationError(errors)
        env = self.env
        env.flush_all()
        with env.cr.savepoint():
            with _expected_conflict():
                env.cr.execute(
                    """UPDATE voltaic_booking_link
                          SET state = 'used', used_at = (now() AT TIME ZONE 'UTC'),
                              write_date = (now() AT TIME ZONE 'UTC'), write_uid = %s
                        WHERE id = %s AND state = 'active'
                    RETURNING id""", [env.uid, link.id])
            claimed = env.cr.fetchone()
            link.invalidate_recordset()
            if not claimed:
                raise BookingLinkError(link._unusable_message() or env._("This booking link was already used."))
            booking = env["voltaic.booking"].sudo()._book(values)
            link.used_booking_id = booking
        link.lead_id.message_post(body=env._(
            "%(client)s booked consultation %(reference)s through the booking link sent by %(user)s.",
            client=booking.client_name, reference=booking.reference, user=link.sent_by_id.name or "-"),
            author_id=booking.partner_id.id, subtype_xmlid="mail.mt_note")
        return booking

    def _send(self):
        """E-mail the link to the client (mail queue) and note it on the lead."""
        template = self.env.ref("voltaic_booking.mail_template_booking_link")
        for link in self.sudo():
            template.send_mail(link.id, force_send=False, email_layout_xmlid="voltaic_booking.mail_layout_booking")
            link.lead_id.message_post(body=link._sent_note())
        self.env.ref("mail.ir_cron_mail_scheduler_action").sudo()._trigger_once()
        return True

    def _sent_note(self):
        self.ensure_one()
        who = self.consultant_id.name or self.env._("a consultant of their choice")
        return self.env._(
            "Booking link sent to %(email)s: a consultation with %(who)s, %(durations)s minutes, until %(until)s.",
            email=self.email, who=who, durations=", ".join(map(str, self._allowed_durations())),
            until=self._expiry_text(self.env.user.tz or "UTC"))

    # ------------------------------------------------------------------
    # Values for the e-mail
    # ------------------------------------------------------------------

    def _mail_lang(self):
        self.ensure_one()
        return self.lead_id.lang_id.code or self.partner_id.lang or "en_US"

    def _mail_client_to(self):
        self.ensure_one()
        return formataddr((self.lead_id.contact_name or self.partner_id.name or "", self.email or ""))

    def _mail_tz(self):
        self.ensure_one()
        return self.partner_id.tz or self.sent_by_id.tz or "UTC"

    def _expiry_text(self, tz_name=None):
        self.ensure_one()
        return ntimes.local_datetime_text(self.expires_at, tz_name or self._mail_tz(), self.env.lang or "en_US")

    def _mail_durations_text(self):
        self.ensure_one()
        return ", ".join(map(str, self._allowed_durations()))

    @api.model
    def _check_lead_for_link(self, lead):
        """The e-mail address a link for ``lead`` goes to; refuses a lead that cannot get one."""
        email = (lead.email_from or lead.partner_id.email or "").strip()
        if not email:
            raise UserError(self.env._("The opportunity has no e-mail address to send the booking link to."))
        if not lead.active or lead.won_status == "lost":
            raise UserError(self.env._("Booking links are sent for open opportunities only."))
        return email
