"""The consultant's side of Google Calendar: settings, connection, busy times in availability."""

import math
import time as time_module
from collections import defaultdict
from datetime import datetime, timedelta, timezone

from odoo import api, fields, models

from ..lib import google_mapping as gmap
from ..lib import slots as slot_lib
from .google_sync import _INTERACTIVE_FAILURES, BUSY_STASH_KEY, INTERACTIVE_RETRY_SECONDS, GoogleSyncError

UTC = timezone.utc


class VoltaicConsultant(models.Model):
    _name = "voltaic.consultant"
    _inherit = ["voltaic.consultant", "mail.activity.mixin"]

    google_sync_enabled = fields.Boolean(
        string="Sync with Google Calendar", tracking=True,
        help="Read busy times from Google Calendar and copy every booking into it.")
    google_auth_mode = fields.Selection(
        [
            ("company", "Company Setting"),
            ("service_account", "Company Service Account"),
            ("oauth", "Consultant's Google Account (OAuth)"),
        ],
        string="Google Access", default="company", required=True,
        help="How Odoo reaches this consultant's calendar: the company's service account with domain-wide "
             "delegation, or an OAuth grant the consultant gives with “Connect Google Account”.")
    google_account_email = fields.Char(
        string="Google Account",
        help="Address of the consultant's Google account (the user's email when empty). "
             "The service account acts as this user.")
    google_calendar_id = fields.Char(
        string="Booking Calendar", default="primary",
        help="Google calendar that receives the bookings and whose busy times count; “primary” is the main calendar.")
    google_extra_calendar_ids = fields.Text(
        string="Extra Busy Calendars",
        help="Other Google calendars whose busy times count, one calendar id per line.")
    google_connection_ids = fields.One2many("voltaic.google.connection", "consultant_id")
    google_connection_state = fields.Selection(
        [("new", "Not Connected"), ("connected", "Connected"), ("broken", "Broken")],
        compute="_compute_google_connection")
    google_connection_error = fields.Text(compute="_compute_google_connection")
    google_busy_refreshed_at = fields.Datetime(string="Busy Times Read", compute="_compute_google_connection")
    google_effective_auth_mode = fields.Selection(
        [("service_account", "Company Service Account"), ("oauth", "Consultant's Google Account (OAuth)")],
        compute="_compute_google_connection", string="Google Access Used")
    google_odoo_sync_active = fields.Boolean(
        string="Odoo's Google Sync Active", compute="_compute_google_odoo_sync_active",
        help="The consultant's user also syncs with Odoo's own Google Calendar module.")

    @api.depends("google_connection_ids.state", "google_connection_ids.last_error",
                 "google_connection_ids.busy_refreshed_at", "google_auth_mode")
    def _compute_google_connection(self):
        company_mode = self.env["voltaic.google.connection"]._google_settings()["auth_mode"]
        for consultant in self:
            connection = consultant.sudo().google_connection_ids[:1]
            consultant.google_connection_state = connection.state or "new"
            consultant.google_connection_error = connection.last_error
            consultant.google_busy_refreshed_at = connection.busy_refreshed_at
            consultant.google_effective_auth_mode = (
                company_mode if consultant.google_auth_mode == "company" else consultant.google_auth_mode)

    @api.depends("user_id")
    def _compute_google_odoo_sync_active(self):
        for consultant in self:
            consultant.google_odoo_sync_active = consultant._google_odoo_user_synced()

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    def write(self, vals):
        newly_enabled = self.filtered(lambda c: not c.google_sync_enabled) if vals.get("google_sync_enabled") else None
        result = super().write(vals)
        if newly_enabled:
            newly_enabled._google_connection()
            # every upcoming booking must appear in Google too
            self.env["voltaic.booking"].sudo().search([
                ("consultant_id", "in", newly_enabled.ids),
                ("state", "=", "confirmed"),
                ("stop", ">", fields.Datetime.now()),
            ])._google_enqueue()
            self.env.ref("voltaic_booking.ir_cron_google_busy").sudo()._trigger_once()
        return result

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_google_connect(self):
        """Start the OAuth authorization-code flow for this consultant's Google account."""
        self.ensure_one()
        self.check_access("write")
        return {
            "type": "ir.actions.act_url",
            "url": f"/voltaic_booking/google/authorize/{self.id}",
            "target": "self",
        }

    def action_google_disconnect(self):
        """Forget the OAuth grant (Google keeps the events already written)."""
        self.check_access("write")
        connections = self._google_connection()
        connections.write({"refresh_token": False, "sync_token": False, "state": "new", "last_error": False})
        connections._close_activity(self.env._("Disconnected."))
        return True

    def action_google_refresh_busy(self):
        self.check_access("read")
        connections = self.filtered("google_sync_enabled")._google_connection()
        connections._refresh_busy(timeout=15)
        return {"type": "ir.actions.client", "tag": "soft_reload"}

    def action_google_test_connection(self):
        """Check, step by step, what works: the token, the calendar, the free/busy query."""
        self.ensure_one()
        self.check_access("read")
        connection = self._google_connection()
        calendars = connection._calendar_ids()
        checks = []
        step = self.env._("Token")
        try:
            client = connection._client(timeout=15)
            client.refresh()
            checks.append(self.env._("Token: OK"))
            step = self.env._("Calendar")
            calendar = client.execute(client.service.calendars().get(calendarId=calendars[0]))
            checks.append(self.env._("Calendar: OK (%(name)s, %(zone)s)",
                            name=calendar.get("summary") or calendars[0], zone=calendar.get("timeZone") or "?"))
            step = self.env._("Free/busy")
            now = datetime.now(UTC)
            answer = client.execute(client.service.freebusy().query(
                body=gmap.freebusy_request(calendars, now, now + timedelta(days=1))))
            busy, errors = gmap.busy_from_freebusy(answer)
            for calendar_id in calendars:
                if calendar_id in errors:
                    checks.append(self.env._("Free/busy of %(calendar)s: failed (%(reasons)s)",
                                    calendar=calendar_id, reasons=", ".join(errors[calendar_id])))
                else:
                    checks.append(self.env._(
                        "Free/busy of %(calendar)s: OK (%(count)s busy periods in the next 24 hours)",
                        calendar=calendar_id, count=len(busy.get(calendar_id, []))))
        except GoogleSyncError as error:
            checks.append(self.env._("%(step)s: failed (%(error)s)", step=step, error=str(error)))
            connection._handle_error(error)
            ok = False
        else:
            ok = not errors
            connection._mark_connected()
        report = " · ".join(checks)
        self.sudo().message_post(
            body=self.env._("Google Calendar connection test: %s", report), subtype_xmlid="mail.mt_note")
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": (self.env._("Google Calendar works") if ok
                          else self.env._("Google Calendar does not fully work")),
                "message": report,
                "type": "success" if ok else "danger",
                "sticky": not ok,
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    def _google_account_email(self):
        self.ensure_one()
        return self.google_account_email or self.user_id.email or self.user_id.login

    def _google_connection(self):
        """The consultants' Google connections (sudo), created when missing."""
        connections = self.env["voltaic.google.connection"].sudo().search([("consultant_id", "in", self.ids)])
        missing = self - connections.consultant_id
        if missing:
            connections |= connections.create([{"consultant_id": consultant.id} for consultant in missing])
        return connections

    def _google_odoo_user_synced(self):
        """True when Odoo's own google_calendar module syncs this consultant's user with Google."""
        self.ensure_one()
        user = self.user_id.sudo()
        if "google_calendar_rtoken" not in user._fields or not user:
            return False
        return bool(user.google_calendar_rtoken) and not user.google_synchronization_stopped

    def _google_event_writer(self):
        """Who writes this consultant's booking events into Google (see ``booking_event_writer``)."""
        self.ensure_one()
        return gmap.booking_event_writer(
            voltaic_sync=self.google_sync_enabled,
            odoo_sync_installed=self.env["voltaic.booking"]._google_calendar_module_installed(),
            odoo_user_synced=self._google_odoo_user_synced(),
        )

    # ------------------------------------------------------------------
    # Availability
    # ------------------------------------------------------------------

    def _refresh_external_busy(self):
        """Refresh stale Google busy times first (bounded by the timeout setting).

        Costs no query when no consultant in ``self`` syncs with Google: the
        flag is read with the consultants' other fields.
        """
        super()._refresh_external_busy()
        connected = self.filtered("google_sync_enabled")
        if not connected:
            return
        stash = self.env.cr.cache.get(BUSY_STASH_KEY)
        if stash is None:
            stash = self.env.cr.cache[BUSY_STASH_KEY] = {}
            # the stash holds what Google answered during this transaction only
            self.env.cr.postcommit.add(lambda: self.env.cr.cache.pop(BUSY_STASH_KEY, None))
            self.env.cr.postrollback.add(lambda: self.env.cr.cache.pop(BUSY_STASH_KEY, None))
        pending = connected.filtered(lambda consultant: consultant.id not in stash)
        if not pending:
            return
        for consultant in pending:
            stash[consultant.id] = {}
        connection_model = self.env["voltaic.google.connection"].sudo()
        settings = connection_model._google_settings()
        threshold = fields.Datetime.now() - timedelta(minutes=settings["stale_minutes"])
        clock = time_module.monotonic()
        dbname = self.env.cr.dbname
        stale = connection_model.search([
            ("consultant_id", "in", pending.ids),
            ("state", "!=", "broken"),
            "|", ("busy_refreshed_at", "=", False), ("busy_refreshed_at", "<", threshold),
        ]).filtered(lambda connection: clock - _INTERACTIVE_FAILURES.get((dbname, connection.id), -math.inf)
                    > INTERACTIVE_RETRY_SECONDS)
        if stale:
            stale._refresh_busy_interactive(settings["timeout"])

    def _get_external_busy_intervals(self, start, end, ignore_bookings=None):
        external = super()._get_external_busy_intervals(start, end, ignore_bookings)
        connected = self.filtered("google_sync_enabled")
        if not connected:
            return external
        stash = self.env.cr.cache.get(BUSY_STASH_KEY) or {}
        self.env["voltaic.google.busy"].flush_model(["consultant_id", "calendar", "start", "stop"])
        self.env.cr.execute("""
            SELECT consultant_id, calendar, start, stop
              FROM voltaic_google_busy
             WHERE consultant_id = ANY(%s)
               AND start < %s
               AND stop > %s
        """, [connected.ids, end.astimezone(UTC).replace(tzinfo=None), start.astimezone(UTC).replace(tzinfo=None)])
        busy = defaultdict(list)
        for consultant_id, calendar, busy_start, busy_stop in self.env.cr.fetchall():
            if calendar not in stash.get(consultant_id, {}):
                busy[consultant_id].append((busy_start.replace(tzinfo=UTC), busy_stop.replace(tzinfo=UTC)))
        for consultant_id in connected.ids:
            for intervals in stash.get(consultant_id, {}).values():
                busy[consultant_id].extend(
                    interval for interval in intervals if interval[0] < end and interval[1] > start)
        # the booking being moved is still in Google at its time (and at a time
        # proposed from Google): that busy time is its own
        for booking in (ignore_bookings or self.env["voltaic.booking"]).filtered(
                lambda b: b.consultant_id in connected and b.consultant_id.id in busy):
            own = [(booking.start.replace(tzinfo=UTC), booking.stop.replace(tzinfo=UTC))]
            if booking.google_proposed_start:
                own.append((booking.google_proposed_start.replace(tzinfo=UTC),
                            booking.google_proposed_stop.replace(tzinfo=UTC)))
            busy[booking.consultant_id.id] = slot_lib.subtract_intervals(busy[booking.consultant_id.id], own)
        for consultant_id, intervals in busy.items():
            external.setdefault(consultant_id, []).extend(intervals)
        return external
