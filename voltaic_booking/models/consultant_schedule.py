from collections import defaultdict
from datetime import datetime, timedelta, timezone

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.fields import Domain

from ..lib import schedule_fit
from ..lib import slots as slot_lib

UTC = timezone.utc

PREVIEW_DAYS = 14
# fields stored on the consultant's resource or working hours: written with
# sudo once the user's right to edit the consultant is checked
RESOURCE_FIELDS = ("name", "tz", "resource_calendar_id", "leave_ids")
CALENDAR_FIELDS = ("calendar_attendance_ids",)
# who a consultant is and which working hours they follow is the managers' call
MANAGER_FIELDS = ("user_id", "partner_id", "team_id", "resource_calendar_id", "company_id", "active")
# what a consultant's upcoming bookings must fit: a change rechecks them (besides ``offers_<type>``)
SCHEDULE_FIELDS = frozenset({
    "resource_calendar_id", "tz", "calendar_attendance_ids", "leave_ids", "extra_hours_ids", "duration_ids",
    "buffer_before_minutes", "buffer_after_minutes", "is_accepting_bookings", "active",
})
# key of the consultants to recheck, gathered over a transaction (see ``_schedule_review``)
REVIEW_KEY = "voltaic_booking.schedule_review"


class VoltaicConsultant(models.Model):
    """The consultant form as schedule editor: own working hours, extra hours, time off, preview."""

    _inherit = "voltaic.consultant"

    is_manager = fields.Boolean(compute="_compute_is_manager", export_string_translation=False)
    has_own_calendar = fields.Boolean(
        string="Own Working Hours", compute="_compute_has_own_calendar",
        help="The working hours belong to this consultant alone and can be edited here.")
    calendar_attendance_ids = fields.One2many(
        related="resource_calendar_id.attendance_ids", readonly=False, string="Weekly Hours")
    leave_ids = fields.One2many(
        related="resource_id.voltaic_leave_ids", readonly=False, string="Holidays and Blackout Dates")
    extra_hours_ids = fields.One2many("voltaic.consultant.extra.hours", "consultant_id")
    public_holiday_ids = fields.Many2many(
        "resource.calendar.leaves", string="Public Holidays", compute="_compute_public_holiday_ids",
        help="Company-wide time off (without a resource) in the coming year.")
    slot_preview_html = fields.Html(
        string="Availability Preview", compute="_compute_slot_preview_html", sanitize=False)

    @api.depends_context("uid")
    def _compute_is_manager(self):
        self.is_manager = self.env.user.has_group("voltaic_booking.group_manager")

    @api.depends("resource_calendar_id.voltaic_consultant_id")
    def _compute_has_own_calendar(self):
        for consultant in self:
            # _origin: also right while the form is being edited (a new record then)
            consultant.has_own_calendar = bool(consultant._origin) and \
                consultant.resource_calendar_id.voltaic_consultant_id == consultant._origin

    @api.depends("resource_calendar_id", "company_id")
    def _compute_public_holiday_ids(self):
        now = fields.Datetime.now()
        leaves = self.env["resource.calendar.leaves"].sudo().search([
            ("resource_id", "=", False),
            ("date_to", ">=", now),
            ("date_from", "<=", now + timedelta(days=366)),
        ])
        for consultant in self:
            consultant.public_holiday_ids = leaves.filtered(
                lambda leave, c=consultant: (not leave.calendar_id or leave.calendar_id == c.resource_calendar_id)
                and leave.company_id == c.company_id)

    def _compute_slot_preview_html(self):
        now = datetime.now(UTC)
        for consultant in self:
            # the saved schedule (also while the form is edited): the preview follows once saved
            saved = consultant._origin
            values = saved._slot_preview_values(now) if saved else {"saved": False, "bookable": False, "days": []}
            consultant.slot_preview_html = self.env["ir.qweb"]._render(
                "voltaic_booking.consultant_slot_preview", values)

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    def _prepare_resource_values(self, vals, tz):
        # the resource carries the user, so the consultant owns their time off
        # (Odoo's time-off rules go by the resource's user)
        values = super()._prepare_resource_values(vals, tz)
        if vals.get("user_id"):
            values["user_id"] = vals["user_id"]
        return values

    def write(self, vals):
        if not self.env.su:
            self._check_schedule_write(vals)
            # Odoo only lets system administrators write resources and working
            # hours: once the right to edit the consultant is checked, the
            # fields kept there are written as superuser
            protected = {name: vals.pop(name) for name in RESOURCE_FIELDS + CALENDAR_FIELDS if name in vals}
            if protected:
                self.check_access("write")
                self.sudo().write(protected)
            if not vals:
                return True
        result = super().write(vals)
        if "user_id" in vals:
            self.resource_id.sudo().write({"user_id": vals["user_id"]})
        if SCHEDULE_FIELDS & vals.keys() or any(name.startswith("offers_") for name in vals):
            self._schedule_review()
        return result

    def _check_schedule_write(self, vals):
        """Consultants edit their profile, rules and own working hours; the rest is the managers' call."""
        if self.env.user.has_group("voltaic_booking.group_manager"):
            return
        if any(name in vals for name in MANAGER_FIELDS):
            raise AccessError(self.env._(
                "Only consultation managers can change the user, sales team, working hours or status of a consultant."))
        if any(name in vals for name in CALENDAR_FIELDS):
            shared = self.filtered(lambda c: not c.has_own_calendar)
            if shared:
                raise AccessError(self.env._(
                    "%s uses shared working hours. Use own working hours first to edit them.",
                    ", ".join(shared.mapped("name"))))

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_use_own_calendar(self):
        """Give the consultant a copy of their working hours that only they use (and may edit)."""
        self.ensure_one()
        self.check_access("write")
        if self.has_own_calendar:
            return True
        shared = self.resource_calendar_id.sudo()
        if not shared:
            raise UserError(self.env._("Choose working hours first."))
        own = shared.copy({
            "name": self.env._("Working hours of %s", self.name),
            "voltaic_consultant_id": self.id,
            "tz": self.tz or shared.tz,
        })
        # time off of the shared calendar (its own public holidays) keeps applying
        now = fields.Datetime.now()
        for leave in shared.leave_ids.filtered(lambda lv: not lv.resource_id and lv.date_to >= now):
            leave.copy({"calendar_id": own.id})
        self.sudo().write({"resource_calendar_id": own.id})
        return True

    # ------------------------------------------------------------------
    # Availability
    # ------------------------------------------------------------------

    def _get_work_intervals(self, start, end):
        """Weekly hours minus time off, plus the one-off extra hours."""
        work = super()._get_work_intervals(start, end)
        for consultant_id, extra in self._get_extra_intervals(start, end).items():
            work[consultant_id] = slot_lib.merge_intervals(list(work[consultant_id]) + extra)
        return work

    def _get_extra_intervals(self, start, end):
        """Extra hours per consultant inside ``[start, end)``, aware UTC tuples, in one query."""
        result = defaultdict(list)
        if not self:
            return result
        extras = self.env["voltaic.consultant.extra.hours"].sudo().search_fetch([
            ("consultant_id", "in", self.ids),
            ("start", "<", end.astimezone(UTC).replace(tzinfo=None)),
            ("stop", ">", start.astimezone(UTC).replace(tzinfo=None)),
        ], ["consultant_id", "start", "stop"])
        for extra in extras:
            extra_start = max(extra.start.replace(tzinfo=UTC), start)
            extra_stop = min(extra.stop.replace(tzinfo=UTC), end)
            if extra_start < extra_stop:
                result[extra.consultant_id.id].append((extra_start, extra_stop))
        return result

    def _slot_preview_values(self, now):
        """The next two weeks of slots per offered duration, exactly as the website computes them."""
        self.ensure_one()
        zone = self._zone()
        consultant = self.sudo()
        days = []
        if self._is_bookable():
            first_day = now.astimezone(zone).date()
            start, end = slot_lib.local_day_bounds(first_day, first_day + timedelta(days=PREVIEW_DAYS - 1), zone)
            by_day = defaultdict(dict)
            booking_model = self.env["voltaic.booking"]
            durations = self._allowed_durations()
            for duration in durations:
                for slot_start, _slot_end in consultant._get_slots(start, end, duration, now=now)[self.id]:
                    local = slot_start.astimezone(zone)
                    by_day[local.date()].setdefault(duration, []).append(
                        booking_model._time_text(slot_start, self.tz or "UTC"))
            for offset in range(PREVIEW_DAYS):
                day = first_day + timedelta(days=offset)
                days.append({
                    "date": day,
                    "label": booking_model._day_text(day),
                    "slots": [(duration, by_day[day].get(duration, [])) for duration in durations],
                })
        return {"saved": True, "bookable": self._is_bookable(), "days": days, "tz": self.tz or "UTC"}

    # ------------------------------------------------------------------
    # Bookings that no longer fit the schedule
    # ------------------------------------------------------------------

    def _schedule_review(self):
        """Recheck the upcoming bookings of these consultants once the transaction's changes are made.

        Working hours, time off and offered durations are saved line by line: the check runs once,
        on the final schedule, just before the commit (``precommit``, in the same transaction).
        """
        if not self:
            return
        precommit = self.env.cr.precommit
        if REVIEW_KEY not in precommit.data:
            precommit.data[REVIEW_KEY] = set()
            env = self.env

            def review():
                env["voltaic.consultant"].browse(precommit.data.pop(REVIEW_KEY, ()))._flag_bookings_out_of_schedule()

            precommit.add(review)
        precommit.data[REVIEW_KEY].update(self.ids)

    @api.model
    def _schedule_review_of(self, calendars=None, resources=None, companies=None):
        """The working time of the consultants on ``calendars``, of ``resources``, or of ``companies`` (company-wide
        time off) changed: forget the cached working time and recheck their upcoming bookings."""
        self._clear_work_cache()
        domains = []
        if calendars:
            domains.append(Domain("resource_calendar_id", "in", calendars.ids))
        if resources:
            domains.append(Domain("resource_id", "in", resources.ids))
        if companies is not None:
            domains.append(Domain("company_id", "in", companies.ids) if companies else Domain.TRUE)
        if domains:
            self.sudo().with_context(active_test=False).search(Domain.OR(domains))._schedule_review()

    def _flag_bookings_out_of_schedule(self):
        """Flag the upcoming confirmed bookings that no longer fit; none is moved or cancelled.

        A booking fits when its meeting lies in the consultant's working time (weekly hours minus
        time off, plus extra hours), keeps the buffers now set from the other bookings, and has a
        duration and meeting type still offered by a consultant who accepts bookings. One query for
        the bookings; without upcoming bookings nothing more is read.

        :return: the bookings newly flagged.
        """
        bookings = self.env["voltaic.booking"].sudo()
        now = fields.Datetime.now()
        upcoming = bookings.search([
            ("consultant_id", "in", self.ids), ("state", "=", "confirmed"), ("start", ">", now),
        ], order="start")
        if not upcoming:
            return bookings
        consultants = upcoming.consultant_id
        first, last = min(upcoming.mapped("start")), max(upcoming.mapped("stop"))
        with_hours = consultants.filtered("resource_calendar_id")
        work = with_hours._get_work_intervals(first.replace(tzinfo=UTC), last.replace(tzinfo=UTC)) if with_hours else {}
        margin = timedelta(minutes=max(c.buffer_before_minutes + c.buffer_after_minutes for c in consultants))
        neighbours = bookings.search(Domain.AND([bookings._blocking_domain(), [
            ("consultant_id", "in", consultants.ids), ("conflict", "=", False),
            ("stop", ">", first - margin), ("start", "<", last + margin),
        ]]))
        flagged = bookings
        for consultant in consultants:
            mine = upcoming.filtered(lambda b, c=consultant: b.consultant_id == c)
            outside = schedule_fit.outside_work(_meetings(mine), work.get(consultant.id, []))
            before = timedelta(minutes=consultant.buffer_before_minutes)
            after = timedelta(minutes=consultant.buffer_after_minutes)
            close = schedule_fit.too_close(
                _meetings(neighbours.filtered(lambda b, c=consultant: b.consultant_id == c)), before, after)
            durations, meeting_types = consultant._allowed_durations(), consultant._meeting_types()
            for booking in mine.filtered(lambda b: not b.needs_review):
                reasons = []
                if not (consultant.active and consultant.is_accepting_bookings):
                    reasons.append(("not_accepting", {}))
                if not consultant.resource_calendar_id:
                    reasons.append(("no_hours", {}))
                elif booking.id in outside:
                    reasons.append(("outside_hours", {}))
                if booking.id in close:
                    reasons.append(("too_close", {
                        "before": consultant.buffer_before_minutes, "after": consultant.buffer_after_minutes}))
                if booking.duration not in durations:
                    reasons.append(("duration", {}))
                if booking.meeting_type not in meeting_types:
                    reasons.append(("meeting_type", {}))
                if reasons:
                    flagged |= booking._flag_for_review(reasons)
        return flagged


def _meetings(bookings):
    """``(id, start, stop)`` of bookings, aware UTC, as ``schedule_fit`` takes them."""
    return [(booking.id, booking.start.replace(tzinfo=UTC), booking.stop.replace(tzinfo=UTC)) for booking in bookings]
