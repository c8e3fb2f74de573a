from collections import defaultdict
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from odoo import api, fields, models, tools
from odoo.exceptions import ValidationError
from odoo.fields import Command, Domain
from odoo.tools import SQL

from ..lib import slots as slot_lib

UTC = timezone.utc

# the meeting types, defined once: value and label (the booking's selection), icon on the website;
# a consultant offers a type with its boolean ``offers_<value>``
MEETING_TYPES = (
    ("video", "Video call", "fa-video-camera"),
    ("phone", "Phone call", "fa-phone"),
    ("in_person", "In person", "fa-handshake-o"),
)
MEETING_TYPE_SELECTION = [(value, label) for value, label, _icon in MEETING_TYPES]
MEETING_TYPE_ICONS = {value: icon for value, _label, icon in MEETING_TYPES}
# a new consultant's offer until they change it
DEFAULT_DURATIONS = (30, 60)
ACTIVE_STATES = ("confirmed", "completed", "no_show")
# working time is expanded and cached in blocks of this many UTC days from this Monday on
WORK_BLOCK_DAYS = 28
WORK_BLOCK_EPOCH = date(2024, 1, 1)


# what a consultant's busy meetings are read from (calendar.attendee's copy of its meeting's time and state)
BUSY_ATTENDEE_FIELDS = [
    "partner_id", "event_id", "state", "voltaic_event_start", "voltaic_event_stop", "voltaic_event_allday",
    "voltaic_event_active", "voltaic_event_show_as",
]


class VoltaicConsultant(models.Model):
    _name = "voltaic.consultant"
    _description = "Consultant"
    _inherit = ["mail.thread", "resource.mixin", "image.mixin"]
    _order = "sequence, name"

    name = fields.Char(related="resource_id.name", store=True, readonly=False, required=True, tracking=True)
    active = fields.Boolean(default=True)
    sequence = fields.Integer(default=10)
    user_id = fields.Many2one(
        "res.users", required=True, tracking=True, index=True,
        domain="[('share', '=', False)]",
        help="Internal user of the consultant: salesperson on the leads and organizer of the meetings.")
    partner_id = fields.Many2one(
        "res.partner", string="Contact", compute="_compute_partner_id", store=True, readonly=False,
        help="Contact used as the consultant's attendee on calendar events.")
    team_id = fields.Many2one(
        "crm.team", string="Sales Team",
        help="Sales team of the opportunities created by bookings; the user's team when empty.")
    job_title = fields.Char(translate=True)
    bio = fields.Html(string="Biography", translate=True, sanitize_attributes=True)
    expertise_ids = fields.Many2many("voltaic.consultant.expertise")
    language_ids = fields.Many2many(
        "res.lang", string="Languages", context={"active_test": False},
        domain="[('active', '=', True)]")
    linkedin_url = fields.Char(string="LinkedIn")
    is_accepting_bookings = fields.Boolean(string="Accepting Bookings", default=True, tracking=True)

    duration_ids = fields.One2many(
        "voltaic.consultant.duration", "consultant_id", string="Durations", context={"active_test": False},
        default=lambda self: [Command.create({"duration": minutes}) for minutes in DEFAULT_DURATIONS],
        help="The meeting lengths offered to clients; archive a line to stop offering it for a while.")
    # the active lines' minutes, stored on the consultant's row: availability reads them with the
    # consultant, without a query of its own per request
    offered_durations = fields.Json(compute="_compute_offered_durations", store=True,
                                    export_string_translation=False)

    offers_video = fields.Boolean(string="Video Call", default=True)
    offers_phone = fields.Boolean(string="Phone Call")
    offers_in_person = fields.Boolean(string="In Person")
    video_url = fields.Char(
        string="Video Link", help="Default video meeting link; Odoo's own video call is used when empty.")
    phone_info = fields.Char(string="Phone Instructions", translate=True)
    location = fields.Char(string="Meeting Address")

    min_notice_hours = fields.Integer(string="Minimum Notice (hours)", default=12)
    max_advance_days = fields.Integer(string="Maximum Advance (days)", default=60)
    buffer_before_minutes = fields.Integer(string="Buffer Before (minutes)", default=0)
    buffer_after_minutes = fields.Integer(string="Buffer After (minutes)", default=15)
    daily_booking_limit = fields.Integer(default=0, help="0 means no limit.")
    slot_interval_minutes = fields.Integer(string="Slot Interval (minutes)", default=30)
    edit_deadline_hours = fields.Integer(
        string="Online Changes Until (hours before)", default=24,
        help="Clients can reschedule or cancel on their booking page until this many hours before the start; "
             "after that the page tells them how to reach the consultant. 0 allows changes until the start.")
    required_detail_ids = fields.Many2many(
        "voltaic.client.detail", string="Required Details",
        help="Details the client must give when booking online besides name and e-mail; the others are optional, "
             "behind \"Add details\" on the booking page.")

    booking_ids = fields.One2many("voltaic.booking", "consultant_id", string="Bookings")
    booking_count = fields.Integer(compute="_compute_booking_count")

    _user_uniq = models.Constraint("UNIQUE(user_id)", "This user is already a consultant.")
    _min_notice_positive = models.Constraint(
        "CHECK(min_notice_hours >= 0 AND max_advance_days >= 0 AND buffer_before_minutes >= 0 "
        "AND buffer_after_minutes >= 0 AND daily_booking_limit >= 0)",
        "Notice, advance, buffers and daily limit cannot be negative.")
    _slot_interval_positive = models.Constraint(
        "CHECK(slot_interval_minutes >= 5)", "The slot interval must be at least 5 minutes.")
    _edit_deadline_positive = models.Constraint(
        "CHECK(edit_deadline_hours >= 0)", "The deadline for online changes cannot be negative.")

    @api.depends("user_id")
    def _compute_partner_id(self):
        for consultant in self:
            if consultant.user_id and not consultant.partner_id:
                consultant.partner_id = consultant.user_id.partner_id

    def _compute_booking_count(self):
        counts = dict(self.env["voltaic.booking"]._read_group(
            [("consultant_id", "in", self.ids)], ["consultant_id"], ["__count"]))
        for consultant in self:
            consultant.booking_count = counts.get(consultant, 0)

    @api.constrains("duration_ids", *(f"offers_{value}" for value, _label, _icon in MEETING_TYPES))
    def _check_offer(self):
        for consultant in self:
            if not consultant._allowed_durations():
                raise ValidationError(self.env._("Allow at least one meeting duration."))
            if not consultant._meeting_types():
                raise ValidationError(self.env._("Offer at least one meeting type."))

    @api.onchange("user_id")
    def _onchange_user_id(self):
        if self.user_id:
            self.partner_id = self.user_id.partner_id
            if not self.name:
                self.name = self.user_id.name
            if self.user_id.tz:
                self.tz = self.user_id.tz

    def write(self, vals):
        if "duration_ids" in vals:
            # the lines of the form are saved one by one (deletions first): ``_check_offer``
            # judges the offer once all of them are saved, not each line on its way
            return super(VoltaicConsultant, self.with_context(voltaic_consultant_offer_check=True)).write(vals)
        return super().write(vals)

    # ------------------------------------------------------------------
    # Public profile helpers
    # ------------------------------------------------------------------

    @api.depends("duration_ids.duration", "duration_ids.active")
    def _compute_offered_durations(self):
        for consultant in self:
            consultant.offered_durations = sorted(
                {line.duration for line in consultant.duration_ids if line.active})

    def _allowed_durations(self):
        """The offered meeting lengths in minutes (active duration lines), shortest first."""
        self.ensure_one()
        return list(self.offered_durations or [])

    def _meeting_types(self):
        self.ensure_one()
        return [value for value, _label, _icon in MEETING_TYPES if self[f"offers_{value}"]]

    def _language_codes(self):
        """Short codes (``en``, ``de``) of the consultant's languages, as clients choose them."""
        self.ensure_one()
        short_code = self.env["voltaic.booking"]._lang_short_code
        return sorted({short_code(lang) for lang in self.language_ids.with_context(active_test=False)})

    def _zone(self):
        self.ensure_one()
        return ZoneInfo(self.tz or "UTC")

    def _is_bookable(self):
        self.ensure_one()
        return self.active and self.is_accepting_bookings and bool(self.resource_calendar_id)

    def _external_schedule_url(self):
        """The page where clients book this consultant through an external scheduler, if any; else False.

        The consultant's card and profile then offer a "Schedule" button to it; an extension that gives
        one also keeps the consultant out of our own wizard and API (``_is_bookable``): only the external
        scheduler knows all their busy times.
        """
        self.ensure_one()
        return False

    def _meeting_location(self, meeting_type):
        """Location shown to the client for a meeting type (address, phone instructions or video link)."""
        self.ensure_one()
        if meeting_type == "in_person":
            return self.location or ""
        if meeting_type == "phone":
            return self.phone_info or ""
        return self.video_url or ""

    # ------------------------------------------------------------------
    # Availability
    # ------------------------------------------------------------------

    def _get_slots(self, start, end, duration, now=None, ignore_bookings=None):
        """Bookable slots of each consultant in ``self``.

        :param start, end: aware datetimes bounding the slot starts.
        :param duration: meeting length in minutes.
        :param now: the current time (aware), for minimum notice and maximum advance.
        :param ignore_bookings: bookings whose time counts as free (a reschedule).
        :return: ``{consultant_id: [(start_utc, end_utc), ...]}``; an empty
            list for consultants who are not bookable or do not offer ``duration``.
        """
        now = now or datetime.now(UTC)
        result = {consultant.id: [] for consultant in self}
        bookable = self.filtered(lambda c: c._is_bookable() and duration in c._allowed_durations())
        if not bookable or start >= end:
            return result
        bookable._refresh_external_busy()
        work = bookable._get_work_intervals(start, end + timedelta(minutes=duration))
        margin = timedelta(days=1, minutes=duration)
        busy, day_counts = bookable._get_busy_intervals(start - margin, end + margin, ignore_bookings)
        length = timedelta(minutes=duration)
        for consultant in bookable:
            result[consultant.id] = slot_lib.compute_slots(
                work[consultant.id],
                busy[consultant.id],
                duration=length,
                step=timedelta(minutes=consultant.slot_interval_minutes or 30),
                tz=consultant._zone(),
                buffer_before=timedelta(minutes=consultant.buffer_before_minutes),
                buffer_after=timedelta(minutes=consultant.buffer_after_minutes),
                not_before=max(start, now + timedelta(hours=consultant.min_notice_hours)),
                not_after=min(end, now + timedelta(days=consultant.max_advance_days)),
                daily_limit=consultant.daily_booking_limit,
                day_counts=day_counts[consultant.id],
            )
            result[consultant.id] = [slot for slot in result[consultant.id] if slot[0] < end]
        return result

    def _get_work_intervals(self, start, end):
        """Working time (hours minus leaves) per consultant, as aware UTC ``(start, end)`` tuples.

        Odoo's working intervals (``resource.calendar._work_intervals_batch``) are expanded in blocks of
        ``WORK_BLOCK_DAYS`` UTC days kept in the process's cache (``_work_block``), so a slot request
        reads the weekly hours and time off only when they changed: every change of working hours,
        their attendances, time off or a resource's zone or hours clears it (``resource_calendar*.py``).
        """
        work = defaultdict(list)
        start, end = start.astimezone(UTC), end.astimezone(UTC)
        if start >= end:
            return work
        first_block = (start.date() - WORK_BLOCK_EPOCH).days // WORK_BLOCK_DAYS
        last_block = ((end - timedelta(microseconds=1)).date() - WORK_BLOCK_EPOCH).days // WORK_BLOCK_DAYS
        for consultant in self:
            calendar_id, resource_id = consultant.resource_calendar_id.id, consultant.resource_id.id
            if not calendar_id:
                continue
            intervals = []
            for block in range(first_block, last_block + 1):
                intervals.extend(self._work_block(calendar_id, resource_id, block))
            # blocks meet at UTC midnight: a working stretch over it is one interval again
            work[consultant.id] = [
                (max(interval_start, start), min(interval_end, end))
                for interval_start, interval_end in slot_lib.merge_intervals(intervals)
                if interval_end > start and interval_start < end
            ]
        return work

    @api.model
    @tools.ormcache("calendar_id", "resource_id", "block")
    def _work_block(self, calendar_id, resource_id, block):
        """Working time of a resource on working hours in the ``block``-th block of ``WORK_BLOCK_DAYS`` UTC
        days, as a tuple of aware UTC ``(start, end)`` (cached: see ``_get_work_intervals``)."""
        block_start = datetime.combine(
            WORK_BLOCK_EPOCH + timedelta(days=block * WORK_BLOCK_DAYS), time.min, tzinfo=UTC)
        block_end = block_start + timedelta(days=WORK_BLOCK_DAYS)
        calendar = self.env["resource.calendar"].sudo().browse(calendar_id)
        resource = self.env["resource.resource"].sudo().browse(resource_id)
        intervals = calendar._work_intervals_batch(block_start, block_end, resources=resource)[resource_id]
        return tuple(
            (interval_start.astimezone(UTC), interval_end.astimezone(UTC))
            for interval_start, interval_end, _records in intervals
        )

    @api.model
    def _clear_work_cache(self):
        """Working hours, their time off or a resource's zone changed: forget the cached working time."""
        self.env.registry.clear_cache()

    def _get_busy_intervals(self, start, end, ignore_bookings=None):
        """Busy time per consultant and active bookings per local day, in two queries.

        Busy time is the blocked range (buffers included) of every active
        booking and every busy ``calendar.event`` the consultant attends
        (including events imported by Odoo's Google Calendar and Outlook syncs: docs/outlook.md),
        as ``(start, end)`` in whole seconds since the epoch (``lib/slots.to_seconds``: what
        ``compute_slots`` counts in; thousands of meetings need no datetime each).
        """
        busy = defaultdict(list)
        day_counts = defaultdict(lambda: defaultdict(int))
        zones = {consultant.id: consultant._zone() for consultant in self}
        ignored_ids = tuple(ignore_bookings.ids) if ignore_bookings else (0,)
        self.env["calendar.attendee"].flush_model(BUSY_ATTENDEE_FIELDS)
        naive_start = start.astimezone(UTC).replace(tzinfo=None)
        naive_end = end.astimezone(UTC).replace(tzinfo=None)
        bookings = self.env["voltaic.booking"].sudo()
        query = bookings._search(Domain.AND([
            bookings._blocking_domain(),
            [("consultant_id", "in", self.ids),
             ("id", "not in", list(ignored_ids)),
             ("blocked_start", "<", naive_end),
             ("blocked_stop", ">", naive_start)],
        ]))
        # execute_query flushes what the domain and the columns read (pending writes of this transaction)
        rows = self.env.execute_query(query.select(*(
            bookings._field_to_sql(query.table, name, query)
            for name in ("consultant_id", "blocked_start", "blocked_stop", "start"))))
        to_seconds = slot_lib.to_seconds
        for consultant_id, blocked_start, blocked_stop, booking_start in rows:
            busy[consultant_id].append((
                to_seconds(blocked_start.replace(tzinfo=UTC)), to_seconds(blocked_stop.replace(tzinfo=UTC), ceil=True)))
            local_day = booking_start.replace(tzinfo=UTC).astimezone(zones[consultant_id]).date()
            day_counts[consultant_id][local_day] += 1

        consultant_by_partner = defaultdict(list)
        for consultant in self:
            consultant_by_partner[consultant.partner_id.id].append(consultant.id)
        # the busy meetings of all these people from one range scan of the attendance index per person
        # (calendar_attendee._vb_busy_idx, read from the index alone): the cost follows their meetings in
        # the range, not the size of the calendar table; PostgreSQL merges each person's overlapping
        # meetings (range_agg), so fewer rows come back to Python
        blocking = SQL("""
                   attendee.partner_id = ANY(%(partners)s)
               AND attendee.voltaic_event_active
               AND attendee.voltaic_event_show_as = 'busy'
               AND attendee.state != 'declined'
               AND attendee.voltaic_event_stop > %(start)s
               AND attendee.voltaic_event_start < %(end)s
               AND attendee.event_id NOT IN (SELECT event_id FROM voltaic_booking WHERE id IN %(ignored)s
                                                                                AND event_id IS NOT NULL)
        """, partners=list(consultant_by_partner), end=naive_end, start=naive_start - timedelta(days=1),
            ignored=ignored_ids)
        # one scan of the index for both kinds: all-day meetings come with their dates (they block the whole
        # local days of each consultant), the others merged and as whole seconds since the epoch (integers:
        # cheaper for the driver than timestamps; date_part's float is exact to the microsecond here, and
        # cheaper than extract's numeric)
        self.env.cr.execute(SQL("""
            WITH attendance AS (
                SELECT attendee.partner_id,
                       range_agg(tsrange(attendee.voltaic_event_start,
                                         GREATEST(attendee.voltaic_event_start, attendee.voltaic_event_stop)))
                           FILTER (WHERE attendee.voltaic_event_allday IS NOT TRUE) AS busy,
                       array_agg(attendee.event_id) FILTER (WHERE attendee.voltaic_event_allday) AS allday_ids
                  FROM calendar_attendee attendee
                 WHERE %(blocking)s
                 GROUP BY attendee.partner_id
            )
            SELECT attendance.partner_id, floor(date_part('epoch', lower(merged.busy)))::bigint,
                   ceil(date_part('epoch', upper(merged.busy)))::bigint, FALSE, NULL::date, NULL::date
              FROM attendance, unnest(attendance.busy) AS merged(busy)
             UNION ALL
            SELECT attendance.partner_id, floor(date_part('epoch', event.start))::bigint,
                   ceil(date_part('epoch', event.stop))::bigint, TRUE, event.start_date, event.stop_date
              FROM attendance, unnest(attendance.allday_ids) AS allday(event_id)
              JOIN calendar_event event ON event.id = allday.event_id
        """, blocking=blocking))
        for partner_id, event_start, event_stop, allday, start_date, stop_date in self.env.cr.fetchall():
            if not allday:
                interval = (event_start, event_stop)
                for consultant_id in consultant_by_partner[partner_id]:
                    busy[consultant_id].append(interval)
                continue
            for consultant_id in consultant_by_partner[partner_id]:
                if start_date and stop_date:
                    zone = zones[consultant_id]
                    interval = (
                        to_seconds(datetime.combine(start_date, time.min, tzinfo=zone)),
                        to_seconds(datetime.combine(stop_date + timedelta(days=1), time.min, tzinfo=zone)),
                    )
                else:
                    interval = (event_start, event_stop)
                busy[consultant_id].append(interval)
        for consultant_id, intervals in self._get_external_busy_intervals(start, end, ignore_bookings).items():
            busy[consultant_id].extend(
                (to_seconds(interval_start), to_seconds(interval_end, ceil=True))
                for interval_start, interval_end in intervals)
        return busy, day_counts

    def _refresh_external_busy(self):
        """Hook: bring busy times kept outside Odoo (Google Calendar) up to date before slots are cut."""

    def _get_external_busy_intervals(self, start, end, ignore_bookings=None):
        """Hook: busy time kept outside Odoo (Google Calendar), ``{consultant_id: [(start, end), ...]}``."""
        return {}

    def _next_available(self, duration=None, now=None, horizon_days=14):
        """First free slot start of each consultant (``{id: datetime or None}``).

        Looks ``horizon_days`` ahead at a time, up to each consultant's
        maximum advance, with one batched availability query per window.
        """
        now = now or datetime.now(UTC)
        result = dict.fromkeys(self.ids)
        pending = self.filtered(lambda c: c._is_bookable())
        window_start = now
        longest = max(pending.mapped("max_advance_days") or [0])
        while pending and window_start < now + timedelta(days=longest + 1):
            window_end = window_start + timedelta(days=horizon_days)
            by_duration = defaultdict(self.browse)
            for consultant in pending:
                allowed = consultant._allowed_durations()
                by_duration[duration if duration in allowed else allowed[0]] |= consultant
            found = self.browse()
            for minutes, consultants in by_duration.items():
                for consultant_id, free in consultants._get_slots(window_start, window_end, minutes, now=now).items():
                    if free:
                        result[consultant_id] = free[0][0]
                        found |= self.browse(consultant_id)
            pending -= found
            window_start = window_end
        return result
