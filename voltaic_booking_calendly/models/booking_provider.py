from datetime import timezone

import psycopg2.errors

from odoo import SUPERUSER_ID, api, fields, models
from odoo.exceptions import AccessError, UserError

from .provider_mapping import PROVIDER_SELECTION
from .provider_sync import PARAM_CALCOM_KEY
from odoo.addons.voltaic_booking.exceptions import BookingValidationError
from odoo.addons.voltaic_booking.models.booking import _expected_conflict

UTC = timezone.utc

PROVIDER_SOURCES = ("calendly", "calcom")
SKIP_CONFIRMATION_PARAMETER = "voltaic_booking.provider_skip_confirmation"
# context key of changes that come from the provider (webhook, reconciliation): applied here, never sent back
INBOUND_CONTEXT = "voltaic_provider_inbound"


class VoltaicBooking(models.Model):
    """Bookings made in Calendly or Cal.com: the provider's ids, and conflicts with native bookings."""

    _inherit = "voltaic.booking"

    source = fields.Selection(
        selection_add=[("calendly", "Calendly"), ("calcom", "Cal.com")],
        ondelete={"calendly": "set default", "calcom": "set default"})
    external_provider = fields.Selection(PROVIDER_SELECTION, string="Provider", readonly=True, copy=False)
    external_uid = fields.Char(
        string="Provider Booking ID", readonly=True, copy=False,
        help="Calendly invitee UUID or Cal.com booking UID; it follows the booking through reschedules.")
    external_event_id = fields.Char(
        string="Provider Event ID", readonly=True, copy=False,
        help="Calendly scheduled event UUID or Cal.com numeric booking id.")
    external_event_type = fields.Char(string="Provider Event Type", readonly=True, copy=False)
    external_cancel_url = fields.Char(string="Cancel at Provider", readonly=True, copy=False)
    external_reschedule_url = fields.Char(string="Reschedule at Provider", readonly=True, copy=False)
    webhook_inbox_ids = fields.One2many(
        "voltaic.webhook.inbox", "booking_id", string="Provider Deliveries", readonly=True)

    _external_uid_uniq = models.UniqueIndex(
        "(external_provider, external_uid) WHERE external_uid IS NOT NULL",
        "This Calendly or Cal.com booking is already recorded.")

    # ------------------------------------------------------------------
    # Hooks of the booking service
    # ------------------------------------------------------------------

    @api.model
    def _source_medium_xmlid(self, source):
        if source in PROVIDER_SOURCES:
            return f"voltaic_booking_calendly.utm_medium_booking_{source}"
        return super()._source_medium_xmlid(source)

    def _skip_client_confirmation(self):
        """Provider bookings: the provider mails the client itself when the setting says so."""
        if self.source in PROVIDER_SOURCES and self.env["ir.config_parameter"].sudo().get_param(
                SKIP_CONFIRMATION_PARAMETER):
            return True
        return super()._skip_client_confirmation()

    def _external_reschedule_url(self):
        """Provider bookings that cannot be moved here move at the provider: the client's reschedule link from
        its payload (the manage page and the client's mails send the client there)."""
        if self.external_provider and self.state == "confirmed" and self.external_reschedule_url \
                and not self._provider_can_move():
            return self.external_reschedule_url
        return super()._external_reschedule_url()

    def _provider_can_move(self):
        """True when a move made here reaches the provider through its API (``booking_provider_push.py``).

        Cal.com only (Calendly has no API call to reschedule), with an API key in Settings, and a consultant
        whose whole calendar Odoo knows: one who schedules through the provider (``scheduling_url``) is not
        offered in our own slot picker, so their bookings are moved at the provider.
        """
        self.ensure_one()
        return bool(
            self.external_provider == "calcom" and self.external_uid and not self.consultant_id.scheduling_provider
            and self.env["ir.config_parameter"].sudo().get_param(PARAM_CALCOM_KEY))

    def _reschedule(self, new_start, duration=None):
        """A provider booking moves here only when its provider's API can follow (``_provider_can_move``):
        then through the usual checks, and the new time is sent after the commit. Otherwise it is moved at
        the provider (the client's reschedule link) and its webhook brings the new time here.
        """
        if self.external_provider and not self.env.context.get(INBOUND_CONTEXT):
            if not self._provider_can_move():
                raise self._provider_reschedule_error()
            if duration and duration != self.duration:
                raise BookingValidationError({"duration": self.env._(
                    "%(provider)s can move this booking but not change its length (%(minutes)s minutes).",
                    provider=self._provider_label(), minutes=self.duration)})
        return super()._reschedule(new_start, duration)

    def action_open_reschedule_wizard(self):
        if self.external_provider and not self._provider_can_move():
            raise self._provider_reschedule_error()
        return super().action_open_reschedule_wizard()

    def _provider_reschedule_error(self):
        self.ensure_one()
        if self.external_reschedule_url:
            return UserError(self.env._(
                "%(reference)s was booked in %(provider)s and can only be moved there: reschedule it in "
                "%(provider)s (%(url)s). The new time then comes back here by itself.",
                reference=self.reference, provider=self._provider_label(), url=self.external_reschedule_url))
        return UserError(self.env._(
            "%(reference)s was booked in %(provider)s and can only be moved there: reschedule it in "
            "%(provider)s. The new time then comes back here by itself.",
            reference=self.reference, provider=self._provider_label()))

    def _notify_conflict(self):
        """A manager gets an activity to settle the overlap."""
        result = super()._notify_conflict()
        for booking in self.sudo():
            others = booking._overlapping_bookings(
                booking.consultant_id, booking._start_utc(), booking._stop_utc(), ignore_bookings=booking)
            note = self.env._(
                "This %(provider)s booking overlaps %(others)s of %(consultant)s. Both meetings were kept: "
                "move or cancel one of them, then clear the conflict.",
                provider=booking._provider_label(),
                others=", ".join(others.mapped("reference")) or self.env._("another booking"),
                consultant=booking.consultant_id.name)
            booking.activity_schedule(
                "mail.mail_activity_data_warning",
                summary=self.env._("Booking conflict"),
                note=note,
                user_id=booking._conflict_manager().id,
            )
        return result

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_clear_conflict(self):
        """Managers: the overlap is settled (one of the meetings moved or was cancelled)."""
        if not self.env.user.has_group("voltaic_booking.group_manager"):
            raise AccessError(self.env._("Only consultation managers can clear a booking conflict."))
        self.check_access("write")
        for booking in self.sudo().filtered("conflict"):
            try:
                with _expected_conflict(), self.env.cr.savepoint():
                    booking.conflict = False
                    self.env.flush_all()
            except psycopg2.errors.ExclusionViolation:
                others = booking._overlapping_bookings(
                    booking.consultant_id, booking._start_utc(), booking._stop_utc(), ignore_bookings=booking)
                raise UserError(self.env._(
                    "%(reference)s still overlaps %(others)s: move or cancel one of them first.",
                    reference=booking.reference, others=", ".join(others.mapped("reference")))) from None
            booking.activity_ids.filtered(
                lambda activity: activity.activity_type_id == self.env.ref("mail.mail_activity_data_warning")
            ).action_feedback(feedback=self.env._("Conflict settled."))
        return True

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    def _start_utc(self):
        return fields.Datetime.to_datetime(self.start).replace(tzinfo=UTC)

    def _stop_utc(self):
        return fields.Datetime.to_datetime(self.stop).replace(tzinfo=UTC)

    def _provider_label(self):
        """``Calendly`` or ``Cal.com`` (the booking's source, translated)."""
        self.ensure_one()
        return dict(self._fields["source"]._description_selection(self.env)).get(self.source, "")

    def _conflict_manager(self):
        """Who settles a conflict: the sales team leader if a manager, else the first manager."""
        self.ensure_one()
        leader = self.consultant_id.team_id.user_id
        if leader and leader.has_group("voltaic_booking.group_manager"):
            return leader
        manager = self.env["res.users"].sudo().search([
            ("all_group_ids", "in", self.env.ref("voltaic_booking.group_manager").id),
            ("share", "=", False), ("id", "!=", SUPERUSER_ID),
        ], order="id", limit=1)
        return manager or self.consultant_id.user_id

    @api.model
    def _erase_client_data(self):
        """The provider deliveries of the client's bookings keep their outcome, not the client's details."""
        bookings = super()._erase_client_data()
        inbox = self.env["voltaic.webhook.inbox"].sudo()
        uids = [uid for uid in bookings.mapped("external_uid") if uid]
        rows = inbox.search(["|", ("booking_id", "in", bookings.ids), ("external_uid", "in", uids)])
        rows.write({"payload": "{}", "last_error": False})
        return bookings

    def _provider_values(self, change):
        """Booking fields holding the provider's ids of a change (see ``lib/providers``)."""
        return {
            "external_provider": change["provider"],
            "external_uid": change["uid"],
            "external_event_id": change["event_id"] or False,
            "external_event_type": change["event_type_slug"] or change["event_type_id"] or False,
            "external_cancel_url": change["cancel_url"] or False,
            "external_reschedule_url": change["reschedule_url"] or False,
        }

    def _provider_revert_no_show(self):
        """The provider took back a no-show: the meeting took place (or is still ahead)."""
        for booking in self.sudo().filtered(lambda b: b.state == "no_show"):
            booking._service_write({"state": "confirmed"})
            booking.message_post(body=self.env._("No-show removed in %s.", booking._provider_label()))
            if booking.stop <= fields.Datetime.now():
                booking.action_complete()
