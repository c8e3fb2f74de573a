from collections import defaultdict
from datetime import datetime, time, timedelta, timezone

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.fields import Domain

from ..lib import slots as slot_lib
from .consultant import MEETING_TYPES

UTC = timezone.utc

ASSIGNMENT_METHODS = [
    ("round_robin", "Round Robin"),
    ("least_busy", "Least Busy"),
    ("priority", "Priority"),
]


class VoltaicBookingTeam(models.Model):
    """Consultants booked together: "any available consultant", assigned when the client books."""

    _name = "voltaic.booking.team"
    _description = "Consultation Team"
    _order = "sequence, name, id"

    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    sequence = fields.Integer(default=10)
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    member_ids = fields.One2many(
        "voltaic.booking.team.member", "team_id", string="Members", copy=True,
        help="The consultants of the team; for the priority method, the order of the list is the order of "
             "preference.")
    consultant_ids = fields.Many2many(
        "voltaic.consultant", string="Consultants", compute="_compute_consultant_ids",
        search="_search_consultant_ids")
    member_count = fields.Integer(compute="_compute_consultant_ids")
    assignment_method = fields.Selection(
        ASSIGNMENT_METHODS, required=True, default="round_robin",
        help="Who gets a booking among the members free at that time. Round robin: the one assigned least "
             "recently. Least busy: the one with the fewest booked hours in the week of the meeting. "
             "Priority: the first in the list.")
    website_published = fields.Boolean(
        string="Published on the Website", default=True,
        help="Offer a \"First available\" choice for this team on the booking page and in the API.")
    crm_team_id = fields.Many2one(
        "crm.team", string="Sales Team",
        help="Sales team of the opportunities booked through this team; the consultant's when empty.")
    lead_user = fields.Selection(
        [("consultant", "Assigned consultant"), ("team_leader", "Sales team leader")],
        string="Salesperson of the Opportunity", required=True, default="consultant",
        help="Who becomes the salesperson of a new opportunity booked through this team: the consultant "
             "who got the booking, or the leader of the team's sales team.")
    booking_ids = fields.One2many("voltaic.booking", "team_id", string="Bookings")
    booking_count = fields.Integer(compute="_compute_booking_count")

    @api.depends("member_ids.consultant_id", "member_ids.sequence")
    def _compute_consultant_ids(self):
        for team in self:
            team.consultant_ids = team._ordered_members()
            team.member_count = len(team.member_ids)

    def _search_consultant_ids(self, operator, value):
        return [("member_ids.consultant_id", operator, value)]

    def _compute_booking_count(self):
        counts = dict(self.env["voltaic.booking"]._read_group(
            [("team_id", "in", self.ids)], ["team_id"], ["__count"]))
        for team in self:
            team.booking_count = counts.get(team, 0)

    @api.constrains("lead_user", "crm_team_id")
    def _check_lead_user(self):
        for team in self:
            if team.lead_user == "team_leader" and not team.crm_team_id.user_id:
                raise ValidationError(self.env._(
                    "Choose a sales team with a team leader to make the leader the salesperson."))

    def action_view_bookings(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("voltaic_booking.voltaic_booking_action")
        action["domain"] = [("team_id", "=", self.id)]
        action["context"] = {"default_team_id": self.id}
        return action

    # ------------------------------------------------------------------
    # Members and availability
    # ------------------------------------------------------------------

    def _ordered_members(self):
        """The consultants of the team in the order of its list (sequence, then line)."""
        self.ensure_one()
        lines = self.member_ids.sorted(lambda line: (line.sequence, line.id))
        return lines.consultant_id

    def _members(self, duration=None, meeting_type=None, expertise=None, language=None):
        """The bookable members, in the team's order, narrowed by what the client asked for.

        :param duration: minutes the member must offer.
        :param meeting_type: a meeting type the member must offer.
        :param expertise: an expertise tag id the member must have.
        :param language: a short language code (``de``) the member must speak.
        """
        self.ensure_one()
        members = self._ordered_members().filtered(lambda consultant: consultant._is_bookable())
        if duration:
            members = members.filtered(lambda consultant: duration in consultant._allowed_durations())
        if meeting_type:
            members = members.filtered(lambda consultant: meeting_type in consultant._meeting_types())
        if expertise:
            members = members.filtered(lambda consultant: int(expertise) in consultant.expertise_ids.ids)
        if language:
            members = members.filtered(lambda consultant: language in consultant._language_codes())
        return members

    def _durations(self, members=None):
        """The meeting lengths some member offers, shortest first."""
        members = self._members() if members is None else members
        return sorted({minutes for consultant in members for minutes in consultant._allowed_durations()})

    def _meeting_types(self, members=None):
        members = self._members() if members is None else members
        offered = {value for consultant in members for value in consultant._meeting_types()}
        return [value for value, _label, _icon in MEETING_TYPES if value in offered]

    def _get_slots(self, start, end, duration, now=None, members=None):
        """The union of the members' free slots: each start once, with its end, in time order.

        One batched availability computation for all members (``voltaic.consultant._get_slots``).
        """
        self.ensure_one()
        members = self._members(duration=duration) if members is None else members
        union = {}
        for free in members._get_slots(start, end, duration, now=now).values():
            for slot_start, slot_end in free:
                union.setdefault(slot_start, slot_end)
        return sorted(union.items())

    def _next_available(self, now=None):
        """First free slot start of each team (``{id: datetime or None}``), from its members'."""
        members = self.env["voltaic.consultant"]
        for team in self:
            members |= team._members()
        firsts = members._next_available(now=now)
        result = {}
        for team in self:
            starts = [firsts.get(consultant.id) for consultant in team._members()]
            starts = [start for start in starts if start]
            result[team.id] = min(starts) if starts else None
        return result

    def _free_members(self, members, start, duration):
        """The members for whom ``start`` is a free slot right now (one batched availability query)."""
        free = members._get_slots(start - timedelta(days=1), start + timedelta(days=1), duration)
        return members.filtered(lambda consultant: any(slot[0] == start for slot in free[consultant.id]))

    def _alternatives(self, members, start, duration, count=3):
        """The team's next free slots around ``start`` (the same week first, then up to a month)."""
        now = datetime.now(UTC)
        for days in (7, 31):
            window_start = max(now, start - timedelta(days=1))
            free = self._get_slots(window_start, window_start + timedelta(days=days), duration, members=members)
            found = slot_lib.alternatives(free, start, count)
            if found:
                return found
        return []

    # ------------------------------------------------------------------
    # Assignment
    # ------------------------------------------------------------------

    def _assignment_order(self, candidates, start):
        """``candidates`` (members free at ``start``) in the order they are offered the booking.

        Ties are broken by the order of the team's list, then by the consultant's id, so the
        order never depends on the database's whims.
        """
        self.ensure_one()
        order = {consultant.id: index for index, consultant in enumerate(self._ordered_members())}

        def list_position(consultant):
            return (order.get(consultant.id, len(order)), consultant.id)

        if self.assignment_method == "priority":
            return candidates.sorted(list_position)
        last_assigned = self._last_assigned(candidates)

        def least_recent(consultant):
            return (last_assigned.get(consultant.id, 0), *list_position(consultant))

        if self.assignment_method == "least_busy":
            hours = self._week_hours(candidates, start)
            return candidates.sorted(lambda consultant: (hours.get(consultant.id, 0), *least_recent(consultant)))
        return candidates.sorted(least_recent)

    def _last_assigned(self, consultants):
        """``{consultant id: id of their latest booking through this team}``: later bookings have higher ids."""
        self.ensure_one()
        groups = self.env["voltaic.booking"].sudo()._read_group(
            [("team_id", "=", self.id), ("consultant_id", "in", consultants.ids)], ["consultant_id"], ["id:max"])
        return {consultant.id: last_id for consultant, last_id in groups}

    @api.model
    def _week_hours(self, consultants, start):
        """``{consultant id: booked minutes}`` in the ISO week (Monday to Sunday, the consultant's zone) of
        ``start``: every booking that holds their time, whatever team or channel it came from."""
        booking_model = self.env["voltaic.booking"].sudo()
        by_zone = defaultdict(consultants.browse)
        for consultant in consultants:
            by_zone[consultant.tz or "UTC"] |= consultant
        minutes = {}
        for group in by_zone.values():
            zone = group[:1]._zone()
            local_day = start.astimezone(zone).date()
            monday = local_day - timedelta(days=local_day.weekday())
            week_start = datetime.combine(monday, time.min, tzinfo=zone).astimezone(UTC).replace(tzinfo=None)
            week_end = datetime.combine(monday + timedelta(days=7), time.min, tzinfo=zone).astimezone(UTC)
            domain = Domain.AND([booking_model._blocking_domain(), [
                ("consultant_id", "in", group.ids),
                ("start", ">=", week_start),
                ("start", "<", week_end.replace(tzinfo=None)),
            ]])
            for consultant, total in booking_model._read_group(domain, ["consultant_id"], ["duration:sum"]):
                minutes[consultant.id] = total
        return minutes

    def _lead_values(self):
        """What a team booking sets on its new opportunity besides the service's own values."""
        self.ensure_one()
        values = {}
        if self.crm_team_id:
            values["team_id"] = self.crm_team_id.id
        if self.lead_user == "team_leader" and self.crm_team_id.user_id:
            values["user_id"] = self.crm_team_id.user_id.id
        return values

    # ------------------------------------------------------------------
    # Website and API
    # ------------------------------------------------------------------

    @api.model
    def _published(self):
        """Published teams with at least one bookable member (sudo)."""
        teams = self.sudo().search([("website_published", "=", True)])
        return teams.filtered(lambda team: team._members())

    @api.model
    def _published_team(self, value):
        """The published team (sudo) of the id ``value`` (as a request gives it), else an empty recordset."""
        try:
            team_id = int(value)
        except (TypeError, ValueError):
            team_id = 0
        return self._published().filtered(lambda team: team.id == team_id)


class VoltaicBookingTeamMember(models.Model):
    _name = "voltaic.booking.team.member"
    _description = "Consultation Team Member"
    _order = "team_id, sequence, id"

    team_id = fields.Many2one("voltaic.booking.team", required=True, index=True, ondelete="cascade")
    sequence = fields.Integer(default=10)
    consultant_id = fields.Many2one("voltaic.consultant", required=True, index=True, ondelete="cascade")
    job_title = fields.Char(related="consultant_id.job_title")
    is_accepting_bookings = fields.Boolean(related="consultant_id.is_accepting_bookings")

    _consultant_uniq = models.Constraint(
        "UNIQUE(team_id, consultant_id)", "This consultant is already a member of the team.")
