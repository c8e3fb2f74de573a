import logging
import re
import secrets
import threading
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone

import psycopg2.errors
from markupsafe import Markup, escape

from odoo import api, fields, models, sql_db, tools
from odoo.exceptions import UserError
from odoo.fields import Domain
from odoo.tools import consteq, email_normalize, plaintext2html
from odoo.tools.misc import babel_locale_parse

from ..exceptions import BookingValidationError, SlotUnavailableError
from ..lib import slots as slot_lib
from ..lib.client_form import is_valid_email, missing_required_details
from ..lib.ics import booking_description, build_ics
from .consultant import ACTIVE_STATES, MEETING_TYPE_SELECTION

UTC = timezone.utc

_logger = logging.getLogger(__name__)

REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
NAME_MAX = 100
TEXT_MAX = 5000
PHONE_RE = re.compile(r"^\+?[0-9 ()./-]{5,30}$")
WEBSITE_RE = re.compile(r"^(https?://)?[\w.-]+\.[a-z]{2,}(/\S*)?$", re.IGNORECASE)
CONSENT_SOURCES = ("website", "api")
# fields only the booking service changes (see ``VoltaicBooking.write``)
SERVICE_FIELDS = frozenset({"start", "stop", "duration", "consultant_id", "state"})
BOOKING_HORIZON_DAYS = 3660  # no booking service input is further than ~10 years from now
BOOKING_LOCK_NAMESPACE = 7402418  # first key of the per-consultant advisory lock of the booking service
EXTERNAL_MAX_MINUTES = 24 * 60
SOURCE_MEDIUMS = {
    "website": "utm.utm_medium_website",
    "direct": "utm.utm_medium_direct",
    "api": "voltaic_booking.utm_medium_booking_api",
    "backend": "voltaic_booking.utm_medium_booking_backend",
    "referral": "voltaic_booking.utm_medium_booking_referral",
    "social": "voltaic_booking.utm_medium_booking_social",
}

_quiet = threading.local()


# errors the service expects inside ``_expected_conflict``: a taken slot (answered
# "slot unavailable") and a concurrent update (Odoo retries the request)
_EXPECTED_ERRORS = (psycopg2.errors.ExclusionViolation, psycopg2.errors.SerializationFailure)


class _ExpectedConflictFilter(logging.Filter):
    """Drops Odoo's "bad query" log line for an error the service expects and handles; any other stays."""

    def filter(self, record):
        if not (getattr(_quiet, "depth", 0) and str(record.msg).startswith("bad query")):
            return True
        error = record.args[-1] if isinstance(record.args, tuple) and record.args else None
        return not isinstance(error, _EXPECTED_ERRORS)


logging.getLogger("odoo.sql_db").addFilter(_ExpectedConflictFilter())


@contextmanager
def _expected_conflict():
    _quiet.depth = getattr(_quiet, "depth", 0) + 1
    try:
        yield
    finally:
        _quiet.depth -= 1


class VoltaicBooking(models.Model):
    _name = "voltaic.booking"
    _description = "Consultation Booking"
    _inherit = ["portal.mixin", "mail.thread", "mail.activity.mixin"]
    _order = "start desc, id desc"
    _rec_name = "reference"

    reference = fields.Char(
        required=True, readonly=True, copy=False, index=True, default=lambda self: self._new_reference())
    consultant_id = fields.Many2one(
        "voltaic.consultant", required=True, index=True, ondelete="restrict", tracking=True)
    consultant_user_id = fields.Many2one(
        related="consultant_id.user_id", string="Consultant User", store=True, index=True)
    company_id = fields.Many2one(related="consultant_id.company_id", store=True)
    partner_id = fields.Many2one("res.partner", string="Client", index=True, ondelete="restrict", tracking=True)
    start = fields.Datetime(required=True, tracking=True)
    stop = fields.Datetime(required=True)
    duration = fields.Integer(string="Duration (minutes)", required=True)
    blocked_start = fields.Datetime(
        compute="_compute_blocked_range", store=True, precompute=True,
        help="Start of the time this booking blocks, buffer included.")
    blocked_stop = fields.Datetime(
        compute="_compute_blocked_range", store=True, precompute=True,
        help="End of the time this booking blocks, buffer included.")
    client_tz = fields.Char(string="Client Time Zone", default="UTC")
    meeting_type = fields.Selection(MEETING_TYPE_SELECTION, required=True, default="video")
    location = fields.Char(string="Location or Link")
    first_name = fields.Char(required=True)
    last_name = fields.Char(required=True)
    client_name = fields.Char(compute="_compute_client_name", store=True)
    email = fields.Char(required=True)
    phone = fields.Char()
    company = fields.Char(string="Client Company")
    website = fields.Char()
    position = fields.Char()
    subject = fields.Char()
    message = fields.Text()
    language = fields.Selection(
        selection="_lang_selection", default="en", required=True,
        help="The client's language, one of the installed languages: their e-mails and pages use it.")
    terms_accepted = fields.Boolean()
    privacy_accepted = fields.Boolean()
    marketing_consent = fields.Boolean()
    state = fields.Selection(
        [
            ("confirmed", "Confirmed"),
            ("cancelled", "Cancelled"),
            ("completed", "Completed"),
            ("no_show", "No Show"),
            ("rescheduled", "Rescheduled"),
        ],
        default="confirmed", required=True, index=True, tracking=True)
    source = fields.Selection(
        [
            ("website", "Website"),
            ("api", "API"),
            ("backend", "Backend"),
            ("referral", "Referral"),
            ("direct", "Direct"),
            ("social", "Social"),
        ],
        default="backend", required=True, index=True)
    lead_id = fields.Many2one("crm.lead", string="Opportunity", index=True, ondelete="set null")
    event_id = fields.Many2one("calendar.event", string="Meeting", index=True, ondelete="set null", copy=False)
    cancelled_at = fields.Datetime(readonly=True, copy=False)
    cancellation_reason = fields.Text(copy=False)
    ics_sequence = fields.Integer(
        string="Calendar Revision", default=0, copy=False,
        help="Raised on every change the client's calendar must follow (ICS SEQUENCE).")
    conflict = fields.Boolean(
        copy=False, index=True, tracking=True,
        help="The meeting was agreed elsewhere (an external scheduler) over another booking of the consultant. "
             "It is recorded anyway, still counts as busy time, and waits for a manager to settle it.")

    blocks_time = fields.Boolean(
        compute="_compute_blocks_time", store=True, precompute=True, index=True,
        help="The booking holds the consultant's time: no other booking may overlap it (exclusion constraint) "
             "and the availability leaves it out.")
    meeting_started = fields.Boolean(
        compute="_compute_meeting_started", help="The meeting has begun: it can be marked completed or no-show.")
    confirmed_at = fields.Datetime(
        readonly=True, copy=False, help="When the booking was confirmed; a booking ever confirmed cannot be deleted.")

    _reference_uniq = models.Constraint("UNIQUE(reference)", "A booking with this reference already exists.")
    # a conflicting booking (agreed in an external scheduler over another one) is kept out of the
    # constraint so it can be recorded; it still counts as busy time (availability reads blocks_time).
    # Which states block time is ``_compute_blocks_time``: extensions add theirs there, never here.
    _no_overlap = models.Constraint(
        "EXCLUDE USING GIST (int4range(consultant_id, consultant_id, '[]') WITH =, "
        "tsrange(blocked_start, blocked_stop, '[)') WITH &&) "
        "WHERE (blocks_time AND conflict IS NOT TRUE)",
        "This slot is no longer available.")
    _stop_after_start = models.Constraint("CHECK(stop > start)", "A booking must end after it starts.")

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------

    @api.depends("start", "stop", "consultant_id")
    def _compute_blocked_range(self):
        for booking in self:
            if not (booking.start and booking.stop):
                booking.blocked_start = booking.blocked_stop = False
                continue
            consultant = booking.consultant_id
            booking.blocked_start = booking.start - timedelta(minutes=consultant.buffer_before_minutes)
            booking.blocked_stop = booking.stop + timedelta(minutes=consultant.buffer_after_minutes)

    def _compute_meeting_started(self):
        now = fields.Datetime.now()
        for booking in self:
            booking.meeting_started = bool(booking.start and booking.start <= now)

    @api.depends("state")
    def _compute_blocks_time(self):
        blocking = self._time_blocking_states()
        for booking in self:
            booking.blocks_time = booking.state in blocking

    @api.model
    def _time_blocking_states(self):
        """States whose bookings hold the consultant's time; an extension adds its own (e.g. a held slot)."""
        return set(ACTIVE_STATES)

    @api.model
    def _blocking_domain(self):
        """Bookings that take a consultant's time right now (availability, daily limit).

        ``blocks_time`` plus what only the clock decides: an extension whose blocking bookings
        lapse (a hold that expires) narrows this domain.
        """
        return Domain("blocks_time", "=", True)

    @api.depends("first_name", "last_name")
    def _compute_client_name(self):
        for booking in self:
            booking.client_name = " ".join(filter(None, [booking.first_name, booking.last_name]))

    def _compute_access_url(self):
        res = super()._compute_access_url()
        for booking in self:
            booking.access_url = f"/book-consultation/manage/{booking.reference}"
        return res

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.context.get("voltaic_booking_service"):
            raise UserError(self.env._(
                "Consultations are booked with “Book Consultation” on an opportunity, on the website or "
                "through the booking API, so that the time is checked and the client is told."))
        for vals in vals_list:
            vals.setdefault("access_token", self._new_access_token())
        return super().create(vals_list)

    def write(self, vals):
        """Times, consultant and state change only through the booking service.

        A plain write of them (a drag in a calendar view, the list, RPC) goes through the service
        instead: new times are a reschedule (availability, working hours, notice and daily limit
        checked, client and consultant told, meeting and Google event moved), a new state is the
        matching action (cancel, complete, no-show). What has no such path is refused.
        """
        if self.env.context.get("voltaic_booking_service") or not SERVICE_FIELDS & vals.keys():
            return super().write(vals)
        return self._write_through_service(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_confirmed(self):
        for booking in self:
            if booking.confirmed_at or booking.state in ACTIVE_STATES:
                raise UserError(self.env._(
                    "Consultation %s was confirmed and cannot be deleted: cancel it instead.", booking.reference))

    def _service_write(self, vals):
        """The booking service's own write of times, consultant and state (state transitions checked)."""
        if "state" in vals:
            self._check_transition(vals["state"])
        return self.with_context(voltaic_booking_service=True).write(vals)

    @api.model
    def _state_transitions(self):
        """Every state change a booking may make (``{from: {to, ...}}``); extensions add theirs."""
        return {
            "confirmed": {"cancelled", "completed", "no_show", "rescheduled"},
            "completed": {"no_show", "confirmed"},
            "no_show": {"confirmed", "completed"},
            "cancelled": set(),
            "rescheduled": set(),
        }

    def _check_transition(self, new_state):
        transitions = self._state_transitions()
        for booking in self:
            if booking.state != new_state and new_state not in transitions.get(booking.state, ()):
                labels = dict(self._fields["state"]._description_selection(self.env))
                raise UserError(self.env._(
                    "%(reference)s cannot go from “%(old)s” to “%(new)s”.", reference=booking.reference,
                    old=labels.get(booking.state), new=labels.get(new_state)))

    def _write_through_service(self, vals):
        """A plain write of service fields, done the service's way (see ``write``)."""
        self.check_access("write")  # the service works as superuser: only those who may edit the booking get there
        vals = dict(vals)
        if "consultant_id" in vals and any(b.consultant_id.id != vals["consultant_id"] for b in self):
            raise UserError(self.env._(
                "A consultation cannot be handed to another consultant: cancel it and book a new one "
                "with the other consultant."))
        vals.pop("consultant_id", None)
        new_state = vals.pop("state", None)
        times = {name: vals.pop(name) for name in ("start", "stop", "duration") if name in vals}
        if vals:
            self.write(vals)  # no service field left: a plain write
        if times:
            for booking in self:
                booking._reschedule_from_write(times)
        if new_state:
            actions = {"cancelled": "action_cancel", "completed": "action_complete", "no_show": "action_mark_no_show"}
            for booking in self.filtered(lambda b: b.state != new_state):
                if new_state not in actions:
                    labels = dict(self._fields["state"]._description_selection(self.env))
                    raise UserError(self.env._(
                        "The state of %(reference)s cannot be set to “%(state)s” by hand: use the buttons of the "
                        "booking (Reschedule, Cancel, Mark Completed, No-Show).",
                        reference=booking.reference, state=labels.get(new_state, new_state)))
                getattr(booking, actions[new_state])()
        return True

    def _reschedule_from_write(self, times):
        """New ``start``/``stop``/``duration`` written by hand (e.g. dragged in a calendar): a reschedule."""
        self.ensure_one()
        to_datetime = fields.Datetime.to_datetime
        start = to_datetime(times["start"]) if times.get("start") else self.start
        if times.get("stop"):
            minutes = round((to_datetime(times["stop"]) - start).total_seconds() / 60)
        elif times.get("duration"):
            minutes = int(times["duration"])
        else:
            minutes = self.duration
        if start == self.start and minutes == self.duration:
            return
        if minutes <= 0:
            raise UserError(self.env._("A consultation must end after it starts."))
        try:
            self._reschedule(start, minutes)
        except SlotUnavailableError as error:
            raise UserError(self._unavailable_message(start, error.alternatives)) from None
        except BookingValidationError as error:
            raise UserError("\n".join(error.fields.values())) from None

    def _unavailable_message(self, start, alternatives):
        """Why a hand-made move was refused, with the nearest free times in the user's time zone."""
        self.ensure_one()
        tz_name = self.env.user.tz or self.consultant_id.tz or "UTC"
        message = self.env._(
            "%(consultant)s cannot meet at %(time)s: outside working hours, on time off, too close to now or to "
            "another meeting, or the day is fully booked. Choose a free time with “Reschedule”.",
            consultant=self.consultant_id.name,
            time=self._datetime_text(start, tz_name))
        if alternatives:
            free = ", ".join(self._datetime_text(slot_start, tz_name) for slot_start, _slot_end in alternatives)
            message += " " + self.env._("Free times nearby: %s.", free)
        return message

    def _check_meeting_started(self):
        self.ensure_one()
        if self.start > fields.Datetime.now():
            raise UserError(self.env._(
                "%s has not started yet: it can be marked completed or no-show once the meeting has begun.",
                self.reference))

    @api.model
    def _new_reference(self):
        """``VLT-YYYYMMDD-XXXX``: the day of booking and four random characters."""
        suffix = "".join(secrets.choice(REFERENCE_ALPHABET) for _index in range(4))
        return f"VLT-{fields.Date.context_today(self):%Y%m%d}-{suffix}"

    @api.model
    def _new_access_token(self):
        """256 random bits, URL-safe."""
        return secrets.token_urlsafe(32)

    def _portal_ensure_token(self):
        if not self.access_token:
            self.sudo().write({"access_token": self._new_access_token()})
        return self.access_token

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_cancel(self, reason=None):
        """Cancel the bookings, their meetings, and log it on the leads."""
        for booking in self:
            if booking.state != "confirmed":
                raise UserError(self.env._("Only confirmed bookings can be cancelled (%s).", booking.reference))
        for booking in self:
            booking._service_write({
                "state": "cancelled",
                "cancelled_at": fields.Datetime.now(),
                "cancellation_reason": reason or False,
                "ics_sequence": booking.ics_sequence + 1,
            })
        for booking in self.sudo():
            if booking.event_id:
                booking.event_id.with_context(no_mail_to_attendees=True, voltaic_booking_service=True).action_archive()
            if booking.lead_id:
                body = self.env._("Consultation %(reference)s on %(date)s was cancelled.",
                                  reference=booking.reference, date=booking._format_start_for_log())
                if reason:
                    body += " " + self.env._("Reason: %s", reason)
                booking.lead_id.message_post(body=body)
        self._notify_cancelled()
        self._update_lead("cancelled")
        return True

    def action_complete(self):
        """The meeting took place (only once it has started)."""
        for booking in self:
            if booking.state != "confirmed":
                raise UserError(self.env._("Only confirmed bookings can be completed (%s).", booking.reference))
            booking._check_meeting_started()
        self._service_write({"state": "completed"})
        self._notify_completed()
        self._update_lead("completed")
        return True

    def action_mark_no_show(self):
        """The client did not come."""
        for booking in self:
            if booking.state not in ("confirmed", "completed"):
                raise UserError(self.env._("Only confirmed or completed bookings can be marked as no-show (%s).",
                                           booking.reference))
            booking._check_meeting_started()
        self._service_write({"state": "no_show"})
        self._notify_no_show()
        self._update_lead("no_show")
        return True

    def _reschedule(self, new_start, duration=None):
        """Move a confirmed booking to another free slot, in one transaction.

        The new time is checked against live availability (this booking's
        own time counts as free) and written in a single UPDATE, so the new
        slot is taken before the old one is freed; if it is gone, nothing
        changes and ``SlotUnavailableError`` is raised. History stays on
        this record; the meeting and the lead follow.

        With the context key ``allow_conflict`` (the meeting was moved in
        an external scheduler, it exists already) the new time is taken
        whatever the availability and the length, and an overlap with
        another booking flags the booking ``conflict`` instead of failing.
        """
        self.ensure_one()
        if self.state != "confirmed":
            raise UserError(self.env._("Only confirmed bookings can be rescheduled (%s).", self.reference))
        booking = self.sudo()
        allow_conflict = bool(self.env.context.get("allow_conflict"))
        duration = duration or booking.duration
        if duration not in booking.consultant_id._allowed_durations() and not allow_conflict:
            raise BookingValidationError({"duration": self.env._(
                "This consultant does not offer %s-minute meetings.", duration)})
        if new_start.tzinfo is None:
            new_start = new_start.replace(tzinfo=UTC)
        new_start = new_start.astimezone(UTC)
        if abs(new_start - datetime.now(UTC)) > timedelta(days=BOOKING_HORIZON_DAYS):
            # as in _validate_booking_values: keeps the slot arithmetic clear of the calendar's limits
            raise BookingValidationError({"start": self.env._("Choose a time within the next few years.")})
        old_start = booking.start
        conflict = False
        if allow_conflict:
            conflict = bool(booking._overlapping_bookings(
                booking.consultant_id, new_start, new_start + timedelta(minutes=duration), ignore_bookings=booking))
        else:
            booking._check_slot(booking.consultant_id, new_start, duration, ignore_bookings=booking)
        try:
            booking._move(new_start, duration, conflict, check_limit=not allow_conflict)
        except psycopg2.errors.ExclusionViolation:
            if not allow_conflict:
                raise SlotUnavailableError(
                    self.env._("This slot is no longer available."),
                    alternatives=booking._alternatives(booking.consultant_id, new_start, duration, booking),
                ) from None
            # another booking took the time meanwhile: record the move all the same, flagged
            conflict = True
            booking._move(new_start, duration, conflict, check_limit=False)
        if conflict:
            booking._notify_conflict()
        if booking.lead_id:
            booking.lead_id.message_post(body=self.env._(
                "Consultation %(reference)s moved from %(old)s to %(new)s.",
                reference=booking.reference, old=self._format_for_log(old_start, booking.consultant_id),
                new=self._format_for_log(new_start, booking.consultant_id)))
        booking._notify_rescheduled(old_start)
        return booking

    def _move(self, new_start, duration, conflict, check_limit=True):
        """Write the new time on the booking and its meeting, in a savepoint (see ``_reschedule``)."""
        self._lock_consultant(self.consultant_id)
        with _expected_conflict(), self.env.cr.savepoint():
            self._service_write({
                "start": new_start.replace(tzinfo=None),
                "stop": (new_start + timedelta(minutes=duration)).replace(tzinfo=None),
                "duration": duration,
                "ics_sequence": self.ics_sequence + 1,
                "conflict": conflict,
            })
            if self.event_id:
                self.event_id.with_context(
                    no_mail_to_attendees=True, skip_attendee_notification=True, voltaic_booking_service=True,
                ).write({"start": self.start, "stop": self.stop})
            self.env.flush_all()
            if check_limit:
                self._check_daily_limit()

    # ------------------------------------------------------------------
    # The booking service
    # ------------------------------------------------------------------

    @api.model
    def _book(self, values):
        """Book a consultation: the one entry point of every channel.

        In one transaction: validate ``values``, check the slot against live
        availability, find or create the client's partner, create or reuse
        the client's open opportunity, create the calendar event and the
        booking. The exclusion constraint settles races.

        :param dict values: ``consultant_id``, ``start`` (aware or naive UTC
            datetime), ``duration`` (minutes), ``meeting_type``, ``client_tz``,
            ``first_name``, ``last_name``, ``email``, optional ``phone``,
            ``company``, ``website``, ``position``, ``subject``, ``message``,
            ``language`` (en/de), ``terms_accepted``, ``privacy_accepted``,
            ``marketing_consent``, ``source``, ``lead_id`` (book for this lead),
            ``location`` (address or link replacing the consultant's default),
            ``allow_conflict``: the meeting was already agreed elsewhere
            (an external scheduler): record it whatever the availability, notice,
            working hours, daily limit, length or meeting type; an overlap
            with another booking flags it ``conflict`` instead of failing;
            ``team_id`` instead of ``consultant_id``: any available member of that team, assigned by
            the team's method (``_book_team``, booking_team.py).
        :raise BookingValidationError: with per-field messages.
        :raise SlotUnavailableError: with alternative slots.
        :return: the booking (sudo).
        """
        if values.get("team_id") and not values.get("consultant_id"):
            # "any available consultant" of a team: the service picks the consultant (booking_team.py)
            return self._book_team(values)
        # what Odoo still sends of its own about the booking (a message to the followers of a reused
        # opportunity) goes through the mail queue like ours, instead of to the SMTP server right after
        # the commit, inside the request
        booking_model = self.sudo().with_context(mail_notify_force_send=False)
        last_mail_id = booking_model.env["mail.mail"].search([], order="id desc", limit=1).id or 0
        clean = booking_model._validate_booking_values(values)
        consultant = clean["consultant"]
        start, stop = clean["start"], clean["stop"]
        conflict = False
        if clean["allow_conflict"]:
            conflict = bool(booking_model._overlapping_bookings(consultant, start, stop))
        else:
            booking_model._check_slot(consultant, start, clean["duration"])
        try:
            booking = booking_model._create_booking(clean, conflict)
        except psycopg2.errors.ExclusionViolation:
            if not clean["allow_conflict"]:
                raise SlotUnavailableError(
                    self.env._("This slot is no longer available."),
                    alternatives=booking_model._alternatives(consultant, start, clean["duration"]),
                ) from None
            # another booking took the time meanwhile: the meeting exists all the same
            conflict = True
            booking = booking_model._create_booking(clean, conflict)
        booking._apply_marketing_consent()
        if conflict:
            booking._notify_conflict()
        if booking.state == "confirmed":  # an extension may hold the slot first (and confirm later)
            booking._confirm()
        # our own e-mails wake their job themselves; the mail queue is woken up here only for what Odoo
        # queued of its own (each wake-up is a connection of its own after the commit)
        if booking_model.env["mail.mail"].search_count([("id", ">", last_mail_id)], limit=1):
            self.env.ref("mail.ir_cron_mail_scheduler_action").sudo()._trigger_once()
        return booking.with_env(self.sudo().env)

    def _confirm(self):
        """Confirm bookings: the one confirmation path of every channel and extension.

        Marks them confirmed (``confirmed_at``), creates their meetings, announces them (mails,
        Google) and moves their leads to "scheduled". A booking the service just created in
        ``confirmed`` comes here at once; an extension that held a slot first calls it
        once the hold turns into a booking.
        """
        now = fields.Datetime.now()
        for booking in self.sudo():
            values = {"confirmed_at": now}
            if booking.state != "confirmed":
                values["state"] = "confirmed"
            booking._service_write(values)
            if not booking.event_id:
                booking.event_id = booking._create_event()
        self._notify_booked()
        self._update_lead("scheduled")
        return True

    @api.model
    def _lock_consultant(self, consultant):
        """Let one transaction at a time write bookings of ``consultant``, until it ends.

        Without it, two requests booking overlapping times deadlock: the
        second one's INSERT waits for the first transaction (exclusion check),
        and the first one, writing its new booking again (its meeting,
        computed fields), waits for the second one's row (the same check).
        PostgreSQL aborts one after ``deadlock_timeout`` and Odoo retries the
        whole request. With the lock the second one waits, then meets the
        committed booking: a clean exclusion violation, i.e. a 409.

        The lock is taken late: the request's REPEATABLE READ snapshot was
        taken at its first query, and waiting for the lock does not renew it.
        So nothing done under the lock may rely on that snapshot seeing the
        previous holder's work, or UPDATE a row the previous holder may have
        changed (a serialization failure, and Odoo redoes the whole request):

        - the booking's own INSERT/UPDATE is checked by the exclusion
          constraint, which sees committed rows (a clean violation, a 409);
        - the daily limit counts on a fresh transaction whose snapshot is
          taken under the lock, and writes nothing (``_check_daily_limit``);
        - expired holds are released by the hook in a transaction of its own
          (``_fresh_transaction``) that commits before the booking is written,
          so that its exclusion check sees the time free.
        """
        self.env.cr.execute("SELECT pg_advisory_xact_lock(%s, %s)", [BOOKING_LOCK_NAMESPACE, consultant.id])
        # time held for a client that lapsed (an extension's holds) is free again before anyone takes it
        self._release_expired_holds(consultant)

    @contextmanager
    def _fresh_transaction(self):
        """This environment (user, context) on a transaction of its own, committed on exit.

        Its snapshot is taken at its first statement, i.e. now: it sees all
        that is committed, which the request's older snapshot may not. It runs
        READ COMMITTED, so a write meeting a concurrent writer of the same row
        waits and then works on the new row version instead of failing
        serialization; ``lock_timeout`` bounds such a wait. What it writes is
        committed whatever the request does next: use it only for work that
        stands on its own (idempotent). In Odoo's test mode the registry hands
        out the test's own transaction (a savepoint of it).
        """
        self.env.flush_all()  # in test mode the fresh cursor shares the transaction: let it see our writes
        with self.env.registry.cursor() as cr:
            own = isinstance(cr, sql_db.Cursor)
            if own:
                cr.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
                cr.execute("SET LOCAL lock_timeout = '5s'")
            yield self.env(cr=cr)
        if not own:
            self.env.invalidate_all()  # the same transaction changed under our cache

    @api.model
    def _release_expired_holds(self, consultants=None):
        """Hook: free the time of bookings whose hold lapsed (under the consultant's lock, and by cron).

        The core holds nothing; an extension that holds slots (e.g. while the client pays) releases
        its expired holds here and returns them.
        """
        return self.browse()

    @api.model
    def _create_booking(self, clean, conflict=False):
        """Partner, lead, booking and meeting from validated values, in a savepoint (see ``_book``)."""
        self._lock_consultant(clean["consultant"])
        with _expected_conflict(), self.env.cr.savepoint():
            partner = self._find_or_create_partner(clean)
            lead = self._find_or_create_lead(clean, partner)
            booking = self.with_context(voltaic_booking_service=True).create(
                {**self._prepare_booking_values(clean, partner, lead), "conflict": conflict},
            ).with_env(self.env)  # the caller's later writes are guarded again
            self.env.flush_all()
            if not clean["allow_conflict"]:
                booking._check_daily_limit()
        return booking

    @api.model
    def _validate_booking_values(self, values):
        """Check and normalise service input; raise ``BookingValidationError`` listing every problem."""
        errors = {}
        allow_conflict = values.get("allow_conflict") is True
        clean = {"source": values.get("source") or "backend", "allow_conflict": allow_conflict}
        consultant = self.env["voltaic.consultant"]
        consultant_id = values.get("consultant_id")
        if consultant_id:
            consultant = self.env["voltaic.consultant"].browse(int(consultant_id)).exists()
        if not consultant or not (allow_conflict or consultant._is_bookable()):
            errors["consultant"] = self.env._("This consultant cannot be booked.")
        clean["consultant"] = consultant

        duration = values.get("duration")
        if not isinstance(duration, int) or isinstance(duration, bool):
            errors["duration"] = self.env._("Choose a duration.")
        elif allow_conflict:
            if not 0 < duration <= EXTERNAL_MAX_MINUTES:
                errors["duration"] = self.env._("Choose a duration.")
        elif consultant and duration not in consultant._allowed_durations():
            errors["duration"] = self.env._("This consultant does not offer %s-minute meetings.", duration)
        clean["duration"] = duration

        meeting_type = values.get("meeting_type") or (consultant._meeting_types()[0] if consultant else None)
        if meeting_type not in dict(MEETING_TYPE_SELECTION) or (
                consultant and not allow_conflict and meeting_type not in consultant._meeting_types()):
            errors["meeting_type"] = self.env._("This meeting type is not offered.")
        clean["meeting_type"] = meeting_type
        clean["location"] = (values.get("location") or "").strip()[:1000]

        start = values.get("start")
        if not isinstance(start, datetime):
            errors["start"] = self.env._("Choose a time.")
        else:
            start = start.replace(tzinfo=UTC) if start.tzinfo is None else start.astimezone(UTC)
            clean["start"] = start
            if abs(start - datetime.now(UTC)) > timedelta(days=BOOKING_HORIZON_DAYS):
                # also keeps the slot arithmetic clear of the calendar's limits (year 1 / 9999)
                errors["start"] = self.env._("Choose a time within the next few years.")
            elif "duration" not in errors:
                clean["stop"] = start + timedelta(minutes=duration)

        client_tz = values.get("client_tz") or "UTC"
        if not slot_lib.is_valid_timezone(client_tz):
            errors["tz"] = self.env._("Unknown time zone.")
        clean["client_tz"] = client_tz

        for field_name, label in (("first_name", self.env._("First name")), ("last_name", self.env._("Last name"))):
            value = (values.get(field_name) or "").strip()
            if not value:
                errors[field_name] = self.env._("%s is required.", label)
            elif len(value) > NAME_MAX:
                errors[field_name] = self.env._("%(label)s is too long (at most %(max)s characters).",
                                                label=label, max=NAME_MAX)
            clean[field_name] = value

        raw_email = (values.get("email") or "").strip()
        email = email_normalize(raw_email, strict=True) if is_valid_email(raw_email) else False
        if not email or len(email) > 254:
            errors["email"] = self.env._("Enter a valid email address.")
        clean["email"] = email

        phone = (values.get("phone") or "").strip()
        if phone and not PHONE_RE.match(phone):
            errors["phone"] = self.env._("Enter a valid phone number.")
        clean["phone"] = phone

        website = (values.get("website") or "").strip()
        if website and (len(website) > 255 or not WEBSITE_RE.match(website)):
            errors["website"] = self.env._("Enter a valid website address.")
        clean["website"] = website

        for field_name, limit in (("company", 200), ("position", 200), ("subject", 200), ("message", TEXT_MAX)):
            value = (values.get(field_name) or "").strip()
            if len(value) > limit:
                errors[field_name] = self.env._("This text is too long (at most %s characters).", limit)
            clean[field_name] = value

        language = values.get("language") or "en"
        if language not in self._installed_langs():
            errors["language"] = self.env._(
                "Choose one of: %s.", ", ".join(name for _code, name in self._lang_selection()))
        clean["language"] = language

        for consent in ("terms_accepted", "privacy_accepted", "marketing_consent"):
            clean[consent] = values.get(consent) is True
        if clean["source"] in CONSENT_SOURCES:
            if not clean["terms_accepted"]:
                errors["terms_accepted"] = self.env._("Please accept the terms and conditions.")
            if not clean["privacy_accepted"]:
                errors["privacy_accepted"] = self.env._("Please accept the privacy policy.")

        clean["answers"] = self._validate_answers(values, clean, errors)  # intake questions (booking_intake.py)
        if clean["source"] in CONSENT_SOURCES and consultant:
            errors.update(self._missing_detail_errors(consultant, values, errors))

        clean["lead"] = self.env["crm.lead"]
        if values.get("lead_id"):
            clean["lead"] = self.env["crm.lead"].browse(int(values["lead_id"])).exists()
        if errors:
            raise BookingValidationError(errors)
        return clean

    @api.model
    def _missing_detail_errors(self, consultant, values, errors):
        """``{field: message}`` for the details ``consultant`` requires (``required_detail_ids``) that the
        client left empty; a field that already has a message keeps it."""
        return self._details_missing(consultant.sudo().required_detail_ids, values, errors)

    @api.model
    def _details_missing(self, details, values, errors):
        """``{field: message}`` for the ``voltaic.client.detail`` records ``details`` left empty in ``values``."""
        labels = {detail.code: detail.name for detail in details}
        return {
            name: self.env._("%s is required.", labels[name])
            for name in missing_required_details(values, set(labels)) if name not in errors
        }

    @api.model
    def _check_slot(self, consultant, start, duration, ignore_bookings=None):
        """Raise ``SlotUnavailableError`` unless ``start`` is a free slot of ``consultant``."""
        day_start = start - timedelta(days=1)
        free = consultant._get_slots(day_start, start + timedelta(days=1), duration,
                                     ignore_bookings=ignore_bookings)[consultant.id]
        if not any(slot_start == start for slot_start, _slot_end in free):
            raise SlotUnavailableError(
                self.env._("This slot is no longer available."),
                alternatives=self._alternatives(consultant, start, duration, ignore_bookings),
            )

    @api.model
    def _overlapping_bookings(self, consultant, start, stop, ignore_bookings=None):
        """Active bookings of ``consultant`` whose blocked time (buffers included) meets ``start``-``stop``."""
        blocked_start = start - timedelta(minutes=consultant.buffer_before_minutes)
        blocked_stop = stop + timedelta(minutes=consultant.buffer_after_minutes)
        return self.search(Domain.AND([self._blocking_domain(), [
            ("consultant_id", "=", consultant.id),
            ("id", "not in", ignore_bookings.ids if ignore_bookings else []),
            ("blocked_start", "<", blocked_stop.astimezone(UTC).replace(tzinfo=None)),
            ("blocked_stop", ">", blocked_start.astimezone(UTC).replace(tzinfo=None)),
        ]]))

    @api.model
    def _alternatives(self, consultant, start, duration, ignore_bookings=None, count=3):
        """The next free slots around ``start`` (the same week first, then up to a month).

        Empty under the context key ``voltaic_booking_no_alternatives`` (a team's member tried in turn:
        the team answers with its own).
        """
        if self.env.context.get("voltaic_booking_no_alternatives"):
            return []
        now = datetime.now(UTC)
        for days in (7, 31):
            window_start = max(now, start - timedelta(days=1))
            free = consultant._get_slots(window_start, window_start + timedelta(days=days), duration,
                                         ignore_bookings=ignore_bookings)[consultant.id]
            found = slot_lib.alternatives(free, start, count)
            if found:
                return found
        return []

    @api.model
    def _find_or_create_partner(self, clean):
        """The client's partner: the one with this email, or a new one."""
        partner_model = self.env["res.partner"].sudo()
        partner = partner_model.search([("email_normalized", "=", clean["email"])], order="id", limit=1)
        if partner:
            if clean["phone"] and not partner.phone:
                partner.phone = clean["phone"]
            return partner
        # no "Contact created" note: the booking and the opportunity tell where the contact came from
        return partner_model.with_context(mail_create_nolog=True).create({
            "name": f"{clean['first_name']} {clean['last_name']}",
            "email": clean["email"],
            "phone": clean["phone"] or False,
            "company_name": clean["company"] or False,
            "website": clean["website"] or False,
            "function": clean["position"] or False,
            "lang": self._lang_code(clean["language"]),
            "tz": clean["client_tz"] if clean["client_tz"] in self._tz_names() else False,
        })

    @api.model
    def _find_or_create_lead(self, clean, partner):
        """The lead given by the caller, the client's open opportunity, or a new opportunity."""
        lead_model = self.env["crm.lead"].sudo()
        consultant = clean["consultant"]
        lead = clean["lead"]
        if not lead:
            lead = lead_model.search([
                ("partner_id", "=", partner.id),
                ("active", "=", True),
                ("won_status", "=", "pending"),
            ], order="create_date desc, id desc", limit=1)
        answers_html = self._answers_html(clean.get("answers", []))
        if lead:
            lead.message_post(body=escape(self.env._(
                "New consultation with %(consultant)s on %(date)s.",
                consultant=consultant.name, date=self._format_for_log(clean["start"], consultant))) + answers_html)
            return lead
        medium = self.env.ref(self._source_medium_xmlid(clean["source"]), raise_if_not_found=False)
        name = f"{clean['first_name']} {clean['last_name']}"
        lead_vals = {
            "name": self.env._("Consultation: %s", clean["subject"] or name),
            "type": "opportunity",
            "partner_id": partner.id,
            "contact_name": name,
            "email_from": clean["email"],
            "phone": clean["phone"] or partner.phone or False,
            "partner_name": clean["company"] or False,
            "website": clean["website"] or False,
            "function": clean["position"] or False,
            "user_id": consultant.user_id.id,
            "source_id": self.env.ref("voltaic_booking.utm_source_consultation_booking").id,
            "medium_id": medium.id if medium else False,
            "description": ((plaintext2html(clean["message"]) if clean["message"] else Markup()) + answers_html)
            or False,
        }
        lang = self.env["res.lang"]._lang_get(self._lang_code(clean["language"]))
        if lang:
            lead_vals["lang_id"] = lang.id
        if consultant.team_id:
            lead_vals["team_id"] = consultant.team_id.id
        lead_vals.update(self._new_lead_values(clean))
        # the consultant hears of the booking from our own notice (``consultant_confirmation``, with the
        # client, the time and the calendar file), not a second time from Odoo as "assigned to you"
        return lead_model.with_context(mail_create_nosubscribe=True, mail_auto_subscribe_no_notify=True).create(
            lead_vals)

    @api.model
    def _new_lead_values(self, clean):
        """Hook: values of a new opportunity (salesperson, sales team) that replace the consultant's."""
        return {}

    @api.model
    def _source_medium_xmlid(self, source):
        """The UTM medium of a new opportunity booked through ``source``; extensions add their sources."""
        return SOURCE_MEDIUMS.get(source, "utm.utm_medium_direct")

    @api.model
    def _prepare_booking_values(self, clean, partner, lead):
        consultant = clean["consultant"]
        return {
            "consultant_id": consultant.id,
            "partner_id": partner.id,
            "lead_id": lead.id,
            "start": clean["start"].replace(tzinfo=None),
            "stop": clean["stop"].replace(tzinfo=None),
            "duration": clean["duration"],
            "client_tz": clean["client_tz"],
            "meeting_type": clean["meeting_type"],
            "location": clean.get("location") or consultant._meeting_location(clean["meeting_type"]),
            "first_name": clean["first_name"],
            "last_name": clean["last_name"],
            "email": clean["email"],
            "phone": clean["phone"] or False,
            "company": clean["company"] or False,
            "website": clean["website"] or False,
            "position": clean["position"] or False,
            "subject": clean["subject"] or False,
            "message": clean["message"] or False,
            "language": clean["language"],
            "terms_accepted": clean["terms_accepted"],
            "privacy_accepted": clean["privacy_accepted"],
            "marketing_consent": clean["marketing_consent"],
            "source": clean["source"],
        }

    def _create_event(self):
        """The booking's meeting: consultant and client attend, linked to the lead, no Odoo invitation mails."""
        self.ensure_one()
        consultant = self.consultant_id
        event = self.env["calendar.event"].sudo().with_context(
            no_mail_to_attendees=True,
            mail_create_nolog=True,
            mail_create_nosubscribe=True,
            # the meeting's activity on the opportunity is the consultant's to-do: no "assigned to you"
            # mail on top of our own notice of the booking
            mail_activity_quick_update=True,
            default_opportunity_id=False,
            # a booking's meeting, for the hooks of Odoo's calendar syncs (calendar_event.py)
            voltaic_booking_meeting=True,
        ).create({
            "name": self.env._("Consultation: %(client)s with %(consultant)s",
                               client=self.client_name, consultant=consultant.name),
            "start": self.start,
            "stop": self.stop,
            "user_id": consultant.user_id.id,
            "partner_ids": [(6, 0, [consultant.partner_id.id, self.partner_id.id])],
            "opportunity_id": self.lead_id.id,
            "res_model_id": self.env["ir.model"]._get_id("crm.lead") if self.lead_id else False,
            "res_id": self.lead_id.id or False,
            "location": self.location if self.meeting_type != "video" else False,
            "videocall_location": self.location if self.meeting_type == "video" and self.location else False,
            "description": self._event_description(),
            "show_as": "busy",
        })
        if self.meeting_type == "video" and not self.location:
            event._set_discuss_videocall_location()
            self.location = event.videocall_location
        return event

    def _event_description(self):
        self.ensure_one()
        lines = [
            self.env._("Reference: %s", self.reference),
            self.env._("Client: %(name)s <%(email)s>", name=self.client_name, email=self.email),
        ]
        if self.company:
            lines.append(self.env._("Company: %s", self.company))
        if self.phone:
            lines.append(self.env._("Phone: %s", self.phone))
        if self.subject:
            lines.append(self.env._("Subject: %s", self.subject))
        if self.message:
            lines.append(self.message)
        lines += [f"{question}: {answer}" for question, answer in self._mail_answer_rows()]
        return plaintext2html("\n".join(lines))

    def _check_daily_limit(self):
        """Enforce the consultant's daily limit, exact under concurrency; writes nothing.

        Runs under the consultant's lock (``_lock_consultant``), once this
        booking is written and flushed. This transaction's snapshot predates
        the lock and may miss bookings the previous holders of the lock
        committed; a fresh transaction, whose snapshot is taken now, sees them.
        The day's count is what this transaction sees (its own new or moved
        bookings included) plus the blocking bookings committed since its
        snapshot that it does not see on that day at all. A booking changed by
        another transaction since our snapshot counts as we see it: at worst a
        booking is refused for a place that was freed a moment ago.
        """
        self.ensure_one()
        consultant = self.consultant_id
        if not consultant.daily_booking_limit:
            return
        zone = consultant._zone()
        local_day = self.start.replace(tzinfo=UTC).astimezone(zone).date()
        day_start, day_end = slot_lib.local_day_bounds(local_day, local_day, zone)
        same_day = Domain.AND([
            Domain("consultant_id", "=", consultant.id),
            Domain("start", ">=", day_start.replace(tzinfo=None)),
            Domain("start", "<", day_end.replace(tzinfo=None)),
        ])
        blocking = Domain.AND([self._blocking_domain(), same_day])
        seen = self.search(same_day)
        count = len(seen.filtered_domain(blocking))
        # while modules load (install, update: one transaction, whose tables a fresh one may not even
        # see yet) no other booking runs: what this transaction sees is all there is
        if count <= consultant.daily_booking_limit and self.env.registry.ready:
            with self._fresh_transaction() as env:
                committed = self.with_env(env).search(blocking)
                count += len(set(committed.ids) - set(seen.ids))
        if count > consultant.daily_booking_limit:
            raise SlotUnavailableError(
                self.env._("This consultant is fully booked on that day."),
                alternatives=self._alternatives(consultant, self.start.replace(tzinfo=UTC), self.duration),
            )

    # ------------------------------------------------------------------
    # Notification hooks (confirmation, cancellation mails)
    # ------------------------------------------------------------------

    def _notify_booked(self):
        """Hook called once a booking is created, inside its transaction.

        Confirmation mails go through the mail queue (sent after commit).
        """

    def _notify_cancelled(self):
        """Hook called once bookings are cancelled, inside the transaction."""

    def _notify_rescheduled(self, old_start):
        """Hook called once a booking moved from ``old_start`` (naive UTC), inside the transaction."""

    def _notify_completed(self):
        """Hook called once bookings are marked completed (follow-up mails)."""

    def _notify_no_show(self):
        """Hook called once bookings are marked no-show (no-show follow-up mails)."""

    def _update_lead(self, outcome):
        """Hook for the lead to follow the booking (``completed``, ``no_show``, ``cancelled``)."""

    def _notify_conflict(self):
        """Hook called when a meeting agreed elsewhere was recorded over another booking (``conflict``)."""

    def _skip_client_confirmation(self):
        """True when our mails to the client about this booking (confirmation, changes) must not go out."""
        self.ensure_one()
        return False

    def _external_reschedule_url(self):
        """The address where the client moves this booking, when it is moved elsewhere than here; else False.

        A meeting booked through an external scheduler that cannot be moved from Odoo: the manage page
        sends the client there instead of offering our own slot picker.
        """
        self.ensure_one()
        return False

    def action_open_lead(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "crm.lead",
            "res_id": self.lead_id.id,
            "view_mode": "form",
        }

    def action_open_event(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "calendar.event",
            "res_id": self.event_id.id,
            "view_mode": "form",
        }

    @api.model
    def _create_demo_data(self):
        """Demo: a holiday for Anna and a few bookings on the next working days, through the service."""
        anna = self.env.ref("voltaic_booking.consultant_anna", raise_if_not_found=False)
        if not anna:
            return
        today = datetime.now(UTC).date()
        self.env["resource.calendar.leaves"].create({
            "name": self.env._("Winter holiday"),
            "calendar_id": anna.resource_calendar_id.id,
            "resource_id": anna.resource_id.id,
            "date_from": datetime.combine(today + timedelta(days=10), datetime.min.time()),
            "date_to": datetime.combine(today + timedelta(days=14), datetime.max.time().replace(microsecond=0)),
            "time_type": "leave",
        })
        clients = [
            ("Lena", "Fischer", "lena.fischer@example.com", "Stadtwerke Nord", "de", "Europe/Berlin"),
            ("Tom", "Baker", "tom.baker@example.com", "Baker Logistics", "en", "Europe/London"),
            ("Priya", "Sharma", "priya.sharma@example.com", "Sharma Solar", "en", "Asia/Kolkata"),
        ]
        consultants = [
            anna,
            self.env.ref("voltaic_booking.consultant_james"),
            self.env.ref("voltaic_booking.consultant_maria"),
        ]
        now = datetime.now(UTC)
        for (first, last, email, company, language, client_tz), consultant in zip(clients, consultants):
            duration = consultant._allowed_durations()[-1 if consultant == anna else 0]
            free = consultant._get_slots(now, now + timedelta(days=7), duration)[consultant.id]
            if not free:
                continue
            start = free[len(free) // 3][0]
            self._book({
                "consultant_id": consultant.id, "start": start, "duration": duration,
                "meeting_type": consultant._meeting_types()[0], "client_tz": client_tz,
                "first_name": first, "last_name": last, "email": email, "company": company,
                "subject": self.env._("First consultation"), "language": language,
                "terms_accepted": True, "privacy_accepted": True, "source": "website",
            })

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    @api.model
    def _lang_code(self, language):
        """The installed language (``res.lang`` code) of a short code: ``de`` -> ``de_DE``; else ``en_US``."""
        return self._installed_langs().get(language) or "en_US"

    @api.model
    def _lang_short_code(self, lang):
        """What a client chooses for a ``res.lang`` (or its cached data): ``en``, ``de``, ``fr``, ``pt`` for pt_BR."""
        return (lang.iso_code or lang.code).split("_")[0]

    @api.model
    def _installed_langs(self):
        """``{short code: res.lang code}`` of the active languages; a language's main variant
        (``fr_FR``, whose ISO code is ``fr``) wins a short code it shares with a regional one (``fr_BE``)."""
        result = {}
        for lang in self.env["res.lang"]._get_active_by("code").values():
            short = self._lang_short_code(lang)
            if short not in result or lang.iso_code == short:
                result[short] = lang.code
        return result

    @api.model
    def _lang_selection(self):
        """``[(short code, name)]`` of the installed languages, named in the current language, by name."""
        names = babel_locale_parse(self.env.lang or "en_US").languages
        langs = self.env["res.lang"]._get_active_by("code")
        selection = []
        for short, code in self._installed_langs().items():
            name = names.get(short) or langs[code].name
            selection.append((short, name[:1].upper() + name[1:]))
        return sorted(selection, key=lambda item: item[1])

    @api.model
    def _tz_names(self):
        return set(self.env["res.partner"]._fields["tz"].get_values(self.env))

    @api.model
    def _format_for_log(self, value, consultant):
        """A time in a chatter message: in the consultant's zone and the language of the message."""
        return self._datetime_text(value, consultant.tz or "UTC", with_zone=True)

    def _format_start_for_log(self):
        self.ensure_one()
        return self._format_for_log(self.start, self.consultant_id)

    def _join_url(self):
        """The one link both sides join a video meeting with; False for other meetings or without a link.

        It is the booking's ``location``: the consultant's own video link or Odoo's Discuss room,
        replaced by the Google Meet link once Google returns one (``booking_meet.py``). Every place the
        client sees the link (pages, e-mails, ICS) reads it from there.
        """
        self.ensure_one()
        location = self.location or ""
        return location if self.meeting_type == "video" and location.startswith(("https://", "http://")) else False

    def _ics_content(self, publish=False):
        """The booking as an ICS document (bytes), with a stable UID, in the client's language.

        :param publish: the file a client downloads (``METHOD:PUBLISH``, no attendee); otherwise the
            invitation attached to e-mails (``METHOD:REQUEST``, ``CANCEL`` once cancelled).
        """
        self.ensure_one()
        booking = self.with_context(lang=self._mail_lang())
        consultant = booking.consultant_id
        return build_ics(
            uid=f"{booking.reference}@voltaic-booking",
            start=booking.start,
            end=booking.stop,
            summary=booking.env._("Consultation with %s", consultant.name),
            description=booking._calendar_description(),
            location=booking.location or "",
            url=booking._join_url() or "",
            sequence=booking.ics_sequence,
            organizer_email=consultant.partner_id.email or "",
            organizer_name=consultant.name,
            attendee_email=booking.email,
            attendee_name=booking.client_name,
            cancelled=booking.state == "cancelled",
            method="PUBLISH" if publish else None,
        )

    def _calendar_description(self):
        """What a calendar entry of the booking says: subject, reference, join link, manage link."""
        self.ensure_one()
        join_url = self._join_url() or ""
        return booking_description(
            self.reference, join_url, self._manage_url(), extra=self.subject or "",
            labels={"reference": self.env._("Reference"), "join": self.env._("Join the video call"),
                    "manage": self.env._("Manage your booking")})

    def _mail_summary_rows(self):
        """Extra ``(label, value)`` rows of the confirmation e-mail's summary table; extensions add theirs."""
        self.ensure_one()
        return []

    def _client_redirect_path(self, token):
        """Where a client who just booked (or opens the confirmation) must go instead of the confirmation
        page, e.g. an extension's step that comes first; ``False`` for the confirmation itself."""
        self.ensure_one()
        return False

    def _api_extra_values(self):
        """Additional keys of the API's answer about a new booking (an extension's own)."""
        self.ensure_one()
        return {}

    @api.model
    def _from_token(self, reference, token):
        """The booking (sudo) of ``reference`` if ``token`` is its access token, else an empty recordset.

        The one check of every public route (API, website, manage page, extensions' pages): compared in
        constant time, and a wrong token says nothing about the booking.
        """
        booking = self.sudo().search([("reference", "=", reference or "")], limit=1)
        if not booking or not token or not booking.access_token or not consteq(booking.access_token, str(token)):
            return self.sudo().browse()
        return booking

    @api.model
    def _client_website_for(self, company):
        """The website the clients of ``company`` use: its first website with a domain, else its first."""
        return self.env["website"].sudo().browse(self._client_website_id((company or self.env.company).id))

    @api.model
    @tools.ormcache("company_id")
    def _client_website_id(self, company_id):
        # cached: links are built many times per request (a list of consultants, every e-mail); writing a
        # website clears Odoo's caches
        websites = self.env["website"].sudo().search([("company_id", "=", company_id)], order="sequence, id")
        return (websites.filtered("domain")[:1] or websites[:1]).id

    def _client_website(self):
        self.ensure_one()
        return self._client_website_for(self.company_id or self.env.company)

    @api.model
    def _client_base_url_for(self, company):
        """The base URL (``https://book.example.com``, no trailing slash) of every link a client gets.

        The domain of the company's website (see ``_client_website_for``); ``web.base.url`` only when no
        website has one. Not ``get_base_url()`` alone: ``web.base.url`` follows the host an administrator
        last logged in from, and a client's links must not.
        """
        domain = self._client_website_for(company).domain
        return (domain or self.env["ir.config_parameter"].sudo().get_param("web.base.url") or "").rstrip("/")

    def _client_base_url(self):
        """The base URL of this booking's client links: pages, e-mails, ICS, API answers."""
        self.ensure_one()
        return self._client_base_url_for(self.company_id or self.env.company)

    def _public_urls(self):
        """``manage_url`` (in the booking's language, see ``_manage_url``) and ``ics_url`` with the access
        token, absolute (on the website's domain, see ``_client_base_url``)."""
        self.ensure_one()
        base = self._client_base_url()
        token = self._portal_ensure_token()
        return {
            "manage_url": self._manage_url(),
            "ics_url": f"{base}/api/consultations/{self.reference}/ics?token={token}",
        }
