from collections import defaultdict
from datetime import timedelta, timezone

from odoo import api, fields, models
from odoo.tools import SQL

from ..lib import slots as slot_lib
from ..models.consultant import ACTIVE_STATES

UTC = timezone.utc

WEEKS_BACK = 26
WEEKS_AHEAD = 8


class VoltaicConsultantUtilization(models.Model):
    """Booked hours against available hours per consultant and week.

    Available hours come from ``voltaic.consultant._get_work_intervals``, the
    schedule availability is cut from (weekly hours minus holidays and
    public holidays, plus extra hours); weeks run Monday to Monday on the
    consultant's wall clock. Rows are a snapshot, refreshed when the report
    is opened (``_refresh``).
    """

    _name = "voltaic.consultant.utilization"
    _description = "Consultant Utilization"
    _order = "week_start desc, consultant_id"
    _rec_name = "week_start"

    consultant_id = fields.Many2one("voltaic.consultant", required=True, index=True, ondelete="cascade",
                                    readonly=True)
    company_id = fields.Many2one(related="consultant_id.company_id", store=True)
    week_start = fields.Date(string="Week", required=True, readonly=True,
                             help="Monday of the week, in the consultant's time zone.")
    available_hours = fields.Float(readonly=True, digits=(16, 2))
    booked_hours = fields.Float(readonly=True, digits=(16, 2))
    booking_count = fields.Integer(string="Bookings", readonly=True)
    utilization = fields.Float(
        string="Utilization (%)", aggregator="avg", readonly=True, digits=(16, 1),
        help="Booked hours / available hours. Totals are the ratio of the summed hours.")

    _consultant_week_uniq = models.UniqueIndex("(consultant_id, week_start)")

    def _read_group_select(self, aggregate_spec, query):
        # the utilization of a group is the ratio of its sums, not the mean of weekly ratios
        if aggregate_spec == "utilization:avg":
            return SQL(
                "100.0 * SUM(%s) / NULLIF(SUM(%s), 0)",
                self._field_to_sql(self._table, "booked_hours", query),
                self._field_to_sql(self._table, "available_hours", query),
            )
        return super()._read_group_select(aggregate_spec, query)

    @api.model
    def action_open_report(self):
        """Refresh the recent and coming weeks, then show the report."""
        today = fields.Date.context_today(self)
        self._refresh(today - timedelta(weeks=WEEKS_BACK), today + timedelta(weeks=WEEKS_AHEAD))
        return self.env["ir.actions.act_window"]._for_xml_id("voltaic_booking.voltaic_consultant_utilization_action")

    @api.model
    def _refresh(self, date_from, date_to, consultants=None):
        """Recompute the weeks touching ``date_from`` .. ``date_to`` for ``consultants`` (all active by default)."""
        consultants = (consultants or self.env["voltaic.consultant"].search(
            [("resource_calendar_id", "!=", False)])).sudo().filtered("resource_calendar_id")
        first_monday = date_from - timedelta(days=date_from.weekday())
        mondays = [first_monday + timedelta(weeks=index)
                   for index in range((date_to - first_monday).days // 7 + 1)]
        if not consultants or not mondays:
            return self.browse()
        weeks = {consultant.id: self._weeks_of(consultant, mondays) for consultant in consultants}
        span_start = min(bounds[0][1] for bounds in weeks.values())
        span_end = max(bounds[-1][2] for bounds in weeks.values())
        work = consultants._get_work_intervals(span_start, span_end)
        booked = self._booked_minutes(consultants, span_start, span_end)
        rows = []
        for consultant in consultants:
            intervals = slot_lib.merge_intervals(work[consultant.id])
            for monday, week_start, week_end in weeks[consultant.id]:
                available = sum(
                    (min(end, week_end) - max(start, week_start)).total_seconds()
                    for start, end in intervals if start < week_end and end > week_start) / 3600.0
                minutes, count = 0, 0
                for start, duration in booked[consultant.id]:
                    if week_start <= start < week_end:
                        minutes += duration
                        count += 1
                rows.append({
                    "consultant_id": consultant.id,
                    "week_start": monday,
                    "available_hours": round(available, 2),
                    "booked_hours": round(minutes / 60.0, 2),
                    "booking_count": count,
                    "utilization": round(100.0 * minutes / 60.0 / available, 1) if available else 0.0,
                })
        existing = self.sudo().search([
            ("consultant_id", "in", consultants.ids),
            ("week_start", ">=", mondays[0]),
            ("week_start", "<=", mondays[-1]),
        ])
        existing.unlink()
        return self.sudo().create(rows)

    @api.model
    def _weeks_of(self, consultant, mondays):
        """``[(monday, start, end)]``: weeks from Monday 00:00 to the next Monday 00:00, consultant's clock."""
        zone = consultant._zone()
        return [(monday, *slot_lib.local_day_bounds(monday, monday + timedelta(days=6), zone)) for monday in mondays]

    @api.model
    def _booked_minutes(self, consultants, start, end):
        """``{consultant_id: [(start_utc, minutes)]}`` of active bookings starting in ``[start, end)``."""
        self.env["voltaic.booking"].flush_model(["consultant_id", "state", "start", "duration"])
        self.env.cr.execute("""
            SELECT consultant_id, start, duration
              FROM voltaic_booking
             WHERE consultant_id = ANY(%s) AND state IN %s AND start >= %s AND start < %s
        """, [consultants.ids, ACTIVE_STATES, start.astimezone(UTC).replace(tzinfo=None),
              end.astimezone(UTC).replace(tzinfo=None)])
        result = defaultdict(list)
        for consultant_id, booking_start, duration in self.env.cr.fetchall():
            result[consultant_id].append((booking_start.replace(tzinfo=UTC), duration))
        return result
