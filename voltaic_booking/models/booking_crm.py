from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools import is_html_empty

# Settings (ir.config_parameter) holding the crm.stage a lead moves to for each booking outcome.
STAGE_PARAMETERS = {
    "scheduled": "voltaic_booking.stage_scheduled_id",
    "completed": "voltaic_booking.stage_completed_id",
    "no_show": "voltaic_booking.stage_follow_up_id",
    "cancelled": "voltaic_booking.stage_follow_up_id",
}
FOLLOW_UP_TYPE_PARAMETER = "voltaic_booking.follow_up_activity_type_id"
FOLLOW_UP_DELAY_PARAMETER = "voltaic_booking.follow_up_delay_days"
DEFAULT_FOLLOW_UP_DELAY_DAYS = 2


class VoltaicBooking(models.Model):
    """The back office of a booking: the lead follows it (stage mapping, follow-up activity,
    consultant notes), times in both zones, the wizards of the form."""

    _inherit = "voltaic.booking"

    consultant_notes = fields.Html(
        help="Internal notes of the consultant; posted on the opportunity once the meeting is completed.")

    start_consultant_display = fields.Char(
        string="Consultant's Time", compute="_compute_start_displays",
        help="Start of the meeting in the consultant's time zone.")
    start_client_display = fields.Char(
        string="Client's Time", compute="_compute_start_displays",
        help="Start of the meeting in the client's time zone.")

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------

    @api.depends("start", "stop", "client_tz", "consultant_id.tz")
    @api.depends_context("lang")
    def _compute_start_displays(self):
        for booking in self:
            booking.start_consultant_display = booking._format_local_range(booking.consultant_id.tz or "UTC")
            booking.start_client_display = booking._format_local_range(booking.client_tz or "UTC")

    def _format_local_range(self, tz_name):
        """``Tue, Mar 3, 2026, 10:00 AM – 11:00 AM (Europe/Berlin)`` in the user's language."""
        self.ensure_one()
        if not (self.start and self.stop):
            return False
        return self._range_text(self.start, self.stop, tz_name)

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    def write(self, vals):
        result = super().write(vals)
        if "consultant_notes" in vals:
            # notes written after the meeting reach the lead right away; earlier
            # ones are posted when the booking is completed
            self.filtered(lambda b: b.state in ("completed", "no_show"))._post_notes_on_lead()
        return result

    # ------------------------------------------------------------------
    # Actions of the form and the list
    # ------------------------------------------------------------------

    def action_open_reschedule_wizard(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("voltaic_booking.voltaic_booking_reschedule_action")
        action["context"] = {"default_booking_id": self.id}
        return action

    def action_open_cancel_wizard(self):
        action = self.env["ir.actions.act_window"]._for_xml_id("voltaic_booking.voltaic_booking_cancel_action")
        action["context"] = {"default_booking_ids": self.ids}
        return action

    # ------------------------------------------------------------------
    # The booking service and the lead hook
    # ------------------------------------------------------------------

    def _update_lead(self, outcome):
        """Move the leads to the configured stage and, after a completed meeting, plan the follow-up.

        :param outcome: ``scheduled``, ``completed``, ``no_show`` or ``cancelled``.
        """
        result = super()._update_lead(outcome)
        stage = self._lead_stage_for(outcome)
        for booking in self.sudo().filtered("lead_id"):
            lead = booking.lead_id
            if stage and booking._lead_may_move(outcome, stage):
                lead.write({"stage_id": stage.id})
            if outcome in ("completed", "no_show"):
                booking._post_notes_on_lead()
            if outcome == "completed":
                booking._schedule_follow_up_activity()
        return result

    @api.model
    def _lead_stage_for(self, outcome):
        """The ``crm.stage`` configured for ``outcome``, or an empty recordset."""
        parameter = STAGE_PARAMETERS.get(outcome)
        stage_id = parameter and self.env["ir.config_parameter"].sudo().get_param(parameter)
        stage = self.env["crm.stage"].sudo().browse(int(stage_id)).exists() if stage_id else None
        return stage or self.env["crm.stage"]

    def _lead_may_move(self, outcome, stage):
        """Open leads follow their bookings; won or lost ones stay where they are.

        Scheduled and completed consultations only move a lead forward (a
        second consultation does not pull a lead back from a later stage). A
        cancelled or missed meeting does not ask for a follow-up while the
        lead still has another confirmed consultation ahead.
        """
        self.ensure_one()
        lead = self.lead_id
        if not lead.active or lead.won_status != "pending" or lead.stage_id == stage:
            return False
        if outcome in ("scheduled", "completed"):
            return lead.stage_id.sequence <= stage.sequence
        if outcome in ("cancelled", "no_show"):
            upcoming = self.search_count([
                ("lead_id", "=", lead.id),
                ("id", "!=", self.id),
                ("state", "=", "confirmed"),
                ("start", ">=", fields.Datetime.now()),
            ])
            return not upcoming
        return True

    def _schedule_follow_up_activity(self):
        """A follow-up activity on the lead for its salesperson (the consultant when there is none)."""
        self.ensure_one()
        lead = self.lead_id
        parameters = self.env["ir.config_parameter"].sudo()
        activity_type_id = parameters.get_param(FOLLOW_UP_TYPE_PARAMETER)
        activity_type = self.env["mail.activity.type"].browse(int(activity_type_id)).exists() if activity_type_id \
            else self.env["mail.activity.type"]
        if not activity_type:
            activity_type = self.env.ref("mail.mail_activity_data_todo", raise_if_not_found=False) \
                or self.env["mail.activity.type"]
        try:
            delay = int(parameters.get_param(FOLLOW_UP_DELAY_PARAMETER, DEFAULT_FOLLOW_UP_DELAY_DAYS))
        except ValueError:
            delay = DEFAULT_FOLLOW_UP_DELAY_DAYS
        note = self.env._("Follow up on consultation %(reference)s with %(consultant)s.",
                          reference=self.reference, consultant=self.consultant_id.name)
        if not is_html_empty(self.consultant_notes):
            note = Markup("<p>%s</p>%s") % (note, self.consultant_notes)
        lead.activity_schedule(
            activity_type_id=activity_type.id,
            date_deadline=fields.Date.context_today(self) + timedelta(days=max(delay, 0)),
            summary=self.env._("Consultation follow-up"),
            note=note,
            user_id=(lead.user_id or self.consultant_user_id).id,
        )

    def _post_notes_on_lead(self):
        """Post the consultant's notes on the lead as an internal note."""
        for booking in self.sudo().filtered(lambda b: b.lead_id and not is_html_empty(b.consultant_notes)):
            header = self.env._("Notes from consultation %(reference)s (%(consultant)s):",
                                reference=booking.reference, consultant=booking.consultant_id.name)
            booking.lead_id.message_post(
                body=Markup("<p><b>%s</b></p>%s") % (header, booking.consultant_notes),
                subtype_xmlid="mail.mt_note",
            )
