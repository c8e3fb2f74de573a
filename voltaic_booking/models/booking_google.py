"""Bookings out to Google Calendar, and what the consultant does to them there.

Every create, move and cancel marks the booking ``pending`` in its own
transaction and wakes the push cron; the cron talks to Google after the
commit. Calls are idempotent: the event id is derived from the booking, so a
retried insert answers 409 and becomes a patch. Rate limits and server errors
are retried with exponential backoff; a booking that keeps failing is
``failed``, shown on its form, with an activity for a manager and a retry
button.
"""

import logging
from datetime import datetime, timezone

from odoo import SUPERUSER_ID, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import groupby

from ..exceptions import SlotUnavailableError
from ..lib import google_mapping as gmap
from .consultant import ACTIVE_STATES
from .google_sync import GoogleSyncError

UTC = timezone.utc

_logger = logging.getLogger(__name__)

PUSH_BATCH_SIZE = 50


class VoltaicBooking(models.Model):
    _inherit = "voltaic.booking"

    google_event_id = fields.Char(
        copy=False, readonly=True, index="btree_not_null",
        help="Id of the booking's event in Google Calendar, set once Google has it.")
    google_event_calendar_id = fields.Char(
        string="Google Calendar", copy=False, readonly=True, help="Calendar holding the booking's event.")
    google_sync_state = fields.Selection(
        [("pending", "Pending"), ("synced", "Synced"), ("failed", "Failed")],
        string="Google Sync", copy=False, readonly=True, index=True,
        help="Whether the booking's event in Google Calendar is up to date; empty when the consultant "
             "does not sync with Google.")
    google_sync_attempts = fields.Integer(copy=False, readonly=True)
    google_sync_error = fields.Text(copy=False, readonly=True)
    google_next_attempt_at = fields.Datetime(string="Next Google Sync", copy=False, readonly=True)
    google_synced_at = fields.Datetime(string="Synced with Google", copy=False, readonly=True)
    google_meet_url = fields.Char(string="Google Meet", copy=False, readonly=True)
    google_attention = fields.Selection(
        [("deleted", "Deleted in Google Calendar"), ("moved", "Moved in Google Calendar")],
        string="Google Calendar Change", copy=False, readonly=True,
        help="The consultant changed the booking's event in Google Calendar; the booking did not follow.")
    google_proposed_start = fields.Datetime(string="Proposed Start", copy=False, readonly=True)
    google_proposed_stop = fields.Datetime(string="Proposed End", copy=False, readonly=True)
    google_proposal_display = fields.Char(string="Proposed Time", compute="_compute_google_proposal_display")
    google_activity_id = fields.Many2one("mail.activity", copy=False, readonly=True, ondelete="set null")

    @api.depends("google_proposed_start", "google_proposed_stop", "consultant_id.tz")
    @api.depends_context("lang")
    def _compute_google_proposal_display(self):
        for booking in self:
            booking.google_proposal_display = booking._google_format_range(
                booking.google_proposed_start, booking.google_proposed_stop) if booking.google_proposed_start else False

    # ------------------------------------------------------------------
    # Hooks of the booking service
    # ------------------------------------------------------------------

    def _create_event(self):
        if not self._google_claims_odoo_event():
            return super()._create_event()
        # Odoo's google_calendar would insert the meeting in Google right after
        # the commit: we write the event ourselves, so keep it out and claim it
        event = super(VoltaicBooking, self.with_context(no_calendar_sync=True))._create_event()
        event.with_context(no_calendar_sync=True).write({
            "google_id": self._google_new_event_id(),
            "need_sync": False,
        })
        return event

    def _reschedule(self, new_start, duration=None):
        if self._google_claims_odoo_event():
            return super(VoltaicBooking, self.with_context(no_calendar_sync=True))._reschedule(new_start, duration)
        return super()._reschedule(new_start, duration)

    def action_cancel(self, reason=None):
        claimed = self.filtered(lambda booking: booking._google_claims_odoo_event())
        if not claimed:
            return super().action_cancel(reason)
        if claimed != self:
            super(VoltaicBooking, self - claimed).action_cancel(reason)
        return super(VoltaicBooking, claimed.with_context(no_calendar_sync=True)).action_cancel(reason)

    def _notify_booked(self):
        result = super()._notify_booked()
        self._google_enqueue()
        return result

    def _notify_rescheduled(self, old_start):
        result = super()._notify_rescheduled(old_start)
        self._google_claim_odoo_event()
        # the push brings Google's event to the new time: a pending Google change is settled
        for booking in self.filtered("google_attention"):
            booking._google_clear_attention(
                self.env._("Rescheduled to the time set in Google Calendar.")
                if booking.start == booking.google_proposed_start
                else self.env._("Rescheduled; the Google event follows the booking."))
        self._google_enqueue()
        return result

    def _notify_cancelled(self):
        result = super()._notify_cancelled()
        self._google_claim_odoo_event()
        self.filtered("google_attention")._google_clear_attention(self.env._("The booking was cancelled."))
        self._google_enqueue()
        return result

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_google_retry(self):
        """Managers: send failed bookings to Google again, now."""
        if not self.env.user.has_group("voltaic_booking.group_manager"):
            raise AccessError(self.env._("Only consultation managers can retry the Google Calendar sync."))
        self.check_access("write")
        bookings = self.sudo()
        bookings._google_close_activity(self.env._("Sync retried."))
        bookings._google_enqueue()
        return True

    def action_google_apply_move(self):
        """Reschedule the booking to the time the consultant set in Google Calendar."""
        self.ensure_one()
        self.check_access("write")
        if self.google_attention != "moved" or not self.google_proposed_start:
            raise UserError(self.env._("There is no time proposed from Google Calendar for %s.", self.reference))
        start = self.google_proposed_start.replace(tzinfo=UTC)
        minutes = int((self.google_proposed_stop - self.google_proposed_start).total_seconds() // 60)
        duration = minutes if minutes in self.consultant_id._allowed_durations() else self.duration
        try:
            self._reschedule(start, duration)
        except SlotUnavailableError as error:
            raise UserError(self.env._(
                "The time set in Google Calendar (%(time)s) is not bookable: %(reason)s",
                time=self.google_proposal_display, reason=error.args[0])) from None
        return True

    def action_google_keep_booking(self):
        """Keep the booking as it is: the event in Google moves back (or comes back)."""
        self.check_access("write")
        bookings = self.sudo().filtered("google_attention")
        bookings._google_clear_attention(self.env._("The booked time was kept; the Google event is restored."))
        bookings._google_enqueue()
        return True

    # ------------------------------------------------------------------
    # Queue
    # ------------------------------------------------------------------

    @api.model
    def _google_calendar_module_installed(self):
        """True when Odoo's own ``google_calendar`` sync is installed."""
        return "google.calendar.sync" in self.env

    def _google_claims_odoo_event(self):
        """We write this booking's event: Odoo's google_calendar must leave its meeting alone."""
        self.ensure_one()
        return self._google_calendar_module_installed() and bool(self.consultant_id.google_sync_enabled)

    def _google_claim_odoo_event(self):
        """Mark the bookings' meetings as already in Google, under our event id (see README)."""
        if not self._google_calendar_module_installed():
            return
        for booking in self.sudo().filtered(lambda b: b.event_id and b.consultant_id.google_sync_enabled):
            event = booking.event_id.with_context(active_test=False)
            values = {}
            google_id = booking.google_event_id or event.google_id or booking._google_new_event_id()
            if event.google_id != google_id:
                values["google_id"] = google_id
            if event.need_sync:
                values["need_sync"] = False
            if values:
                event.with_context(no_calendar_sync=True).write(values)

    def _google_new_event_id(self):
        self.ensure_one()
        namespace = self.env["ir.config_parameter"].sudo().get_param("database.uuid", "")
        return gmap.event_id_for(self.reference, namespace)

    def _google_enqueue(self):
        """Queue a push of the bookings whose consultant syncs with Google (sent after the commit)."""
        bookings = self.filtered(lambda booking: booking.consultant_id.google_sync_enabled)
        if not bookings:
            return
        bookings.sudo().write({
            "google_sync_state": "pending",
            "google_sync_attempts": 0,
            "google_sync_error": False,
            "google_next_attempt_at": fields.Datetime.now(),
        })
        self.env.ref("voltaic_booking.ir_cron_google_push").sudo()._trigger_once()

    @api.model
    def _google_due_domain(self):
        return [("google_sync_state", "=", "pending"), ("google_next_attempt_at", "<=", fields.Datetime.now())]

    @api.model
    def _cron_google_push(self):
        self._google_push_due()
        remaining = self.search_count(self._google_due_domain())
        self.env["ir.cron"]._commit_progress(remaining=remaining)

    @api.model
    def _google_push_due(self, limit=PUSH_BATCH_SIZE):
        """Push one batch of due bookings and plan the next run for those waiting on a backoff."""
        bookings = self.sudo().search(
            self._google_due_domain(), limit=limit, order="google_next_attempt_at, id").try_lock_for_update()
        bookings._google_push()
        later = self.sudo().search([
            ("google_sync_state", "=", "pending"),
            ("google_next_attempt_at", ">", fields.Datetime.now()),
        ], order="google_next_attempt_at", limit=1)
        if later:
            self.env.ref("voltaic_booking.ir_cron_google_push").sudo()._trigger(at=later.google_next_attempt_at)
        return bookings

    # ------------------------------------------------------------------
    # Push
    # ------------------------------------------------------------------

    def _google_push(self):
        """Bring the bookings' events in Google up to date, one booking at a time."""
        connection_model = self.env["voltaic.google.connection"].sudo()
        settings = connection_model._google_settings()
        for consultant, bookings in groupby(self, key=lambda booking: booking.consultant_id):
            bookings = self.browse([booking.id for booking in bookings])
            if not consultant.google_sync_enabled:
                bookings.write({"google_sync_state": False, "google_next_attempt_at": False})
                continue
            connection = consultant._google_connection()
            if connection.state == "broken":
                # refused credentials are not tried again until the consultant reconnects
                bookings._google_record_failure(GoogleSyncError(
                    self.env._("Google connection broken: %s", connection.last_error or ""), auth=True))
                continue
            try:
                client = connection._client()
            except GoogleSyncError as error:
                connection._handle_error(error)
                bookings._google_record_failure(error)
                continue
            for index, booking in enumerate(bookings):
                try:
                    with self.env.cr.savepoint():
                        moved = booking._google_push_one(client, settings)
                except GoogleSyncError as error:
                    booking._google_record_failure(error)
                    if error.auth:
                        connection._handle_error(error)
                        bookings[index + 1:]._google_record_failure(error)
                        break
                except Exception as error:  # pylint: disable=broad-exception-caught  # one bad booking must not block the queue
                    _logger.exception("Google Calendar push of %s failed", booking.reference)
                    booking._google_record_failure(GoogleSyncError(str(error)))
                else:
                    booking._google_record_success()
                    if moved:
                        # Google's free/busy still shows the old time: read it again soon
                        connection.busy_refreshed_at = False

    def _google_push_one(self, client, settings):
        """Insert, patch or delete this booking's event. Return True when a time was freed in Google."""
        self.ensure_one()
        events = client.service.events()
        event_id, calendar, exists = self._google_event_target()
        if self.state not in ACTIVE_STATES:
            try:
                client.execute(events.delete(calendarId=calendar, eventId=event_id, sendUpdates="none"))
            except GoogleSyncError as error:
                if error.status not in (404, 410):  # already gone
                    raise
            self.write({"google_event_id": event_id, "google_event_calendar_id": calendar})
            return True
        body = self._google_event_body(event_id, settings)
        conference = 1 if "conferenceData" in body else 0
        answer = None
        if not exists:
            try:
                answer = client.execute(events.insert(
                    calendarId=calendar, body=body, sendUpdates="none", conferenceDataVersion=conference))
            except GoogleSyncError as error:
                if error.status != 409:
                    raise
                _logger.info("Google event of %s already exists: patching it", self.reference)
        if answer is None:
            patch = gmap.patch_body(body, keep_conference=conference and not self.google_meet_url)
            try:
                answer = client.execute(events.patch(
                    calendarId=calendar, eventId=event_id, body=patch, sendUpdates="none",
                    conferenceDataVersion=conference))
            except GoogleSyncError as error:
                if error.status not in (404, 410):
                    raise
                answer = client.execute(events.insert(
                    calendarId=calendar, body=body, sendUpdates="none", conferenceDataVersion=conference))
        values = {"google_event_id": event_id, "google_event_calendar_id": calendar}
        link = gmap.meet_link(answer or {})
        if link and link != self.google_meet_url:
            values["google_meet_url"] = link
            self.message_post(body=self.env._("Google Meet link: %s", link), subtype_xmlid="mail.mt_note")
        moved = bool(self.google_synced_at and self.google_event_id)
        self.write(values)
        self._google_claim_odoo_event()
        return moved

    def _google_event_target(self):
        """``(event id, calendar id, known to exist)`` of the booking's event in Google.

        A meeting Odoo's google_calendar already put into the primary calendar
        (before the consultant connected to our sync) is taken over rather
        than duplicated.
        """
        self.ensure_one()
        if self.google_event_id:
            return self.google_event_id, self.google_event_calendar_id or "primary", True
        event = self.event_id.with_context(active_test=False)
        if self._google_calendar_module_installed() and event and event.google_id:
            own_id = self._google_new_event_id()
            if event.google_id != own_id:
                return event.google_id, "primary", True
        return self._google_new_event_id(), self.consultant_id.google_calendar_id or "primary", False

    def _google_event_body(self, event_id, settings):
        self.ensure_one()
        consultant = self.consultant_id
        env = self.with_context(lang=consultant.user_id.lang or self.env.lang).env  # the consultant reads it
        meet = settings["meet"] and self.meeting_type == "video"
        summary = env._("Consultation: %s", self.client_name)
        if self.company:
            summary = f"{summary} ({self.company})"
        base_url = self.get_base_url()
        languages = dict(self._fields["language"]._description_selection(env))
        meeting_types = dict(self._fields["meeting_type"]._description_selection(env))
        lines = [
            env._("Booking: %s", self.reference),
            env._("Client: %(name)s <%(email)s>", name=self.client_name, email=self.email),
        ]
        for label, value in (
            (env._("Phone"), self.phone),
            (env._("Company"), self.company),
            (env._("Position"), self.position),
            (env._("Website"), self.website),
            (env._("Language"), languages.get(self.language)),
            (env._("Meeting"), meeting_types.get(self.meeting_type)),
            (env._("Subject"), self.subject),
        ):
            if value:
                lines.append(f"{label}: {value}")
        if self.message:
            lines += ["", self.message]
        lines.append("")
        if self.lead_id:
            lines.append(env._("Opportunity: %s", f"{base_url}/odoo/crm.lead/{self.lead_id.id}"))
        lines.append(env._("Booking in Odoo: %s", f"{base_url}/odoo/voltaic.booking/{self.id}"))
        # with Meet, the conference replaces the video link
        location = None if meet else (self.location or None)
        attendees = [(self.email, self.client_name)] if settings["invite_client"] and self.email else []
        return gmap.event_body(
            event_id=event_id,
            reference=self.reference,
            start=self.start.replace(tzinfo=UTC),
            stop=self.stop.replace(tzinfo=UTC),
            timezone=consultant.tz or "UTC",
            summary=summary,
            description="\n".join(lines),
            location=location,
            attendees=attendees,
            meet=meet,
            source_url=f"{base_url}/odoo/voltaic.booking/{self.id}",
        )

    def _google_record_success(self):
        self.write({
            "google_sync_state": "synced",
            "google_sync_attempts": 0,
            "google_sync_error": False,
            "google_next_attempt_at": False,
            "google_synced_at": fields.Datetime.now(),
        })
        self.filtered(lambda booking: not booking.google_attention)._google_close_activity(
            self.env._("Synced with Google Calendar."))

    def _google_record_failure(self, error):
        """Retry later on rate limits and server errors; give up (and tell a manager) otherwise."""
        now = fields.Datetime.now()
        for booking in self:
            attempts = booking.google_sync_attempts + 1
            values = {"google_sync_attempts": attempts, "google_sync_error": str(error)}
            if error.retryable and attempts < gmap.MAX_ATTEMPTS:
                values.update(google_sync_state="pending", google_next_attempt_at=now + gmap.backoff_delay(attempts))
                booking.write(values)
                _logger.info("Google push of %s failed (%s), retry %s at %s",
                             booking.reference, error, attempts, values["google_next_attempt_at"])
                continue
            values.update(google_sync_state="failed", google_next_attempt_at=False)
            booking.write(values)
            _logger.warning("Google push of %s failed for good: %s", booking.reference, error)
            if not error.auth:  # refused credentials: one activity on the consultant instead
                booking._google_schedule_activity(
                    "mail.mail_activity_data_warning",
                    self.env._("Google Calendar sync failed"),
                    self.env._(
                        "This booking could not be copied to Google Calendar (%(attempts)s attempts). "
                        "Last error: %(error)s. Use “Retry Google Sync” on the booking once the cause is fixed.",
                        attempts=attempts, error=str(error)),
                    booking._google_manager_user(),
                )

    def _google_manager_user(self):
        """The manager who handles sync failures: the sales team leader if a manager, else the first manager."""
        self.ensure_one()
        leader = self.consultant_id.team_id.user_id
        if leader and leader.has_group("voltaic_booking.group_manager"):
            return leader
        group = self.env.ref("voltaic_booking.group_manager")
        manager = self.env["res.users"].sudo().search([
            ("all_group_ids", "in", group.id), ("share", "=", False), ("id", "!=", SUPERUSER_ID),
        ], order="id", limit=1)
        return manager or self.consultant_id.user_id

    def _google_schedule_activity(self, activity_type, summary, note, user):
        self.ensure_one()
        self._google_close_activity(self.env._("Replaced by a newer Google Calendar notice."))
        activity = self.sudo().activity_schedule(activity_type, summary=summary, note=note, user_id=user.id)
        self.google_activity_id = activity

    def _google_close_activity(self, feedback):
        for booking in self.filtered("google_activity_id"):
            booking.google_activity_id.sudo().action_feedback(feedback=feedback)
            booking.google_activity_id = False

    def _google_clear_attention(self, feedback):
        self.write({"google_attention": False, "google_proposed_start": False, "google_proposed_stop": False})
        self._google_close_activity(feedback)

    # ------------------------------------------------------------------
    # Changes made in Google
    # ------------------------------------------------------------------

    def _google_handle_remote_event(self, event):
        """React to the booking's event as Google reports it (deleted, moved, or back in place)."""
        self.ensure_one()
        if self.state != "confirmed" or self.google_sync_state == "pending":
            return  # our own change is on its way to Google
        start, stop = self.start.replace(tzinfo=UTC), self.stop.replace(tzinfo=UTC)
        if stop <= datetime.now(UTC):
            return  # past meetings are the consultant's own business
        kind, times = gmap.detect_change(event, start, stop, self.consultant_id._zone())
        if kind == "deleted":
            if self.google_attention == "deleted":
                return
            settings = self.env["voltaic.google.connection"]._google_settings()
            if settings["on_delete"] == "cancel":
                self._google_cancel_deleted()
            else:
                self._google_flag_deleted()
        elif kind == "moved":
            new_start, new_stop = (value.replace(tzinfo=None) for value in times)
            if self.google_attention == "moved" and (self.google_proposed_start, self.google_proposed_stop) == (
                    new_start, new_stop):
                return
            self._google_propose_move(new_start, new_stop)
        elif self.google_attention:
            self._google_clear_attention(self.env._("The Google event is back at the booked time."))

    def _google_cancel_deleted(self):
        consultant = self.consultant_id
        self.action_cancel(reason=self.env._("Deleted from Google Calendar by %s.", consultant.name))
        self.message_post(
            body=self.env._(
                "%(consultant)s deleted this consultation from Google Calendar, so it was cancelled and the "
                "client is told.", consultant=consultant.name),
            partner_ids=consultant.partner_id.ids,
            subtype_xmlid="mail.mt_note",
        )

    def _google_flag_deleted(self):
        self.google_attention = "deleted"
        self._google_schedule_activity(
            "mail.mail_activity_data_warning",
            self.env._("Deleted in Google Calendar"),
            self.env._(
                "The event of consultation %(reference)s on %(time)s was deleted from Google Calendar, but the "
                "booking is still confirmed and %(client)s expects the meeting. Cancel the booking (the client "
                "is told) or keep it (the event comes back in Google).",
                reference=self.reference, time=self._google_format_range(self.start, self.stop),
                client=self.client_name),
            self.consultant_id.user_id or self.env.user,
        )

    def _google_propose_move(self, new_start, new_stop):
        self.write({"google_attention": "moved", "google_proposed_start": new_start, "google_proposed_stop": new_stop})
        self._google_schedule_activity(
            "mail.mail_activity_data_todo",
            self.env._("Reschedule proposed in Google Calendar"),
            self.env._(
                "The event of consultation %(reference)s was moved in Google Calendar from %(old)s to %(new)s. "
                "The booking did not move: apply the new time (the client is told) or keep the booked time "
                "(the event moves back).",
                reference=self.reference, old=self._google_format_range(self.start, self.stop),
                new=self._google_format_range(new_start, new_stop)),
            self.consultant_id.user_id or self.env.user,
        )

    def _google_format_range(self, start, stop):
        """``Mon, Mar 2, 2026 10:00 – 11:00 (Europe/Berlin)`` in the consultant's zone."""
        self.ensure_one()
        return self._range_text(start, stop, self.consultant_id.tz or "UTC")
