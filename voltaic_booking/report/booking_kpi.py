from datetime import timedelta

from odoo import api, fields, models
from odoo.fields import Domain
from odoo.tools import SQL

PERIODS = [
    ("30", "Last 30 Days"),
    ("90", "Last 90 Days"),
    ("365", "Last 12 Months"),
    ("all", "All Time"),
]


class VoltaicBookingKpi(models.Model):
    """Headline figures per consultant and for everyone, over a few look-back periods.

    Meetings in a period are those that started within it (up to now);
    ``upcoming_count`` is the confirmed meetings ahead, whatever the period.
    Completions and no-shows count on the meeting's day, cancellations on the
    day they happened (``cancelled_at``). Rates are over the period's closings
    (completed, no-show, cancelled), the conversion over the distinct
    opportunities of the period's meetings. Only what the analysis counts as
    bookings is counted (``voltaic.booking.report._booking_condition_sql``: an
    extension leaves out what never was a meeting, e.g. unpaid holds).
    """

    _name = "voltaic.booking.kpi"
    _description = "Consultation Key Figures"
    _auto = False
    _order = "is_total desc, sequence, consultant_id, period"

    period = fields.Selection(PERIODS, readonly=True)
    consultant_id = fields.Many2one("voltaic.consultant", readonly=True)
    is_total = fields.Boolean(string="All Consultants", readonly=True)
    sequence = fields.Integer(readonly=True)
    upcoming_count = fields.Integer(string="Upcoming", readonly=True)
    booking_count = fields.Integer(string="Meetings", readonly=True)
    previous_booking_count = fields.Integer(string="Meetings in the Previous Period", readonly=True)
    booking_trend = fields.Float(
        string="Trend (%)", readonly=True,
        help="Change of the number of meetings against the previous period of the same length.")
    completed_count = fields.Integer(string="Completed", readonly=True)
    cancelled_count = fields.Integer(string="Cancelled", readonly=True)
    no_show_count = fields.Integer(string="No-Shows", readonly=True)
    completion_rate = fields.Float(string="Completion Rate (%)", readonly=True, aggregator="avg")
    no_show_rate = fields.Float(string="No-Show Rate (%)", readonly=True, aggregator="avg")
    cancellation_rate = fields.Float(string="Cancellation Rate (%)", readonly=True, aggregator="avg")
    average_rating = fields.Float(readonly=True, aggregator="avg")
    rating_count = fields.Integer(string="Ratings", readonly=True)
    conversion_rate = fields.Float(string="Conversion (%)", readonly=True, aggregator="avg",
                                   help="Share of the period's opportunities that are won.")
    won_revenue = fields.Float(readonly=True)
    legal_warning = fields.Char(compute="_compute_legal_warning",
                                help="Shown on the totals while the example legal pages are still in use.")

    @api.depends("consultant_id")
    def _compute_display_name(self):
        for kpi in self:
            kpi.display_name = kpi.consultant_id.name if kpi.consultant_id else self.env._("All Consultants")

    def _compute_legal_warning(self):
        warning = self.env["voltaic.booking.legal.pages"]._warning()
        for kpi in self:
            kpi.legal_warning = (warning or False) if kpi.is_total else False

    def action_open_trends(self):
        """Meetings per week and state, for this card's consultant (or everyone)."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("voltaic_booking.voltaic_booking_report_action")
        domain = Domain("consultant_id", "=", self.consultant_id.id) if self.consultant_id else Domain.TRUE
        if self.period != "all":
            since = fields.Datetime.now() - timedelta(days=int(self.period))
            domain &= Domain("start", ">=", fields.Datetime.to_string(since))
        action["domain"] = list(domain)
        action["context"] = {"graph_groupbys": ["start:week", "state"], "graph_mode": "line"}
        if self.consultant_id:
            action["display_name"] = self.env._("Trends: %s", self.consultant_id.name)
        return action

    @property
    def _table_query(self):
        report = self.env["voltaic.booking.report"]
        return SQL(
            """
            WITH periods (period, days, seq) AS (
                VALUES ('30', 30, 1), ('90', 90, 2), ('365', 365, 3), ('all', NULL::integer, 4)
            ),
            scoped AS (
                SELECT pr.period, pr.seq, c.id AS consultant_id, c.sequence, b.state, b.lead_id, %(rating)s AS rating,
                       (b.id IS NOT NULL AND b.start < %(now)s
                        AND (pr.days IS NULL OR b.start >= %(now)s - pr.days * INTERVAL '1 day')) AS in_period,
                       (b.id IS NOT NULL AND %(cancelled)s
                        AND COALESCE(b.cancelled_at, b.start) < %(now)s
                        AND (pr.days IS NULL
                             OR COALESCE(b.cancelled_at, b.start) >= %(now)s - pr.days * INTERVAL '1 day'))
                           AS cancelled_in_period,
                       (b.id IS NOT NULL AND pr.days IS NOT NULL
                        AND b.start < %(now)s - pr.days * INTERVAL '1 day'
                        AND b.start >= %(now)s - 2 * pr.days * INTERVAL '1 day') AS in_previous,
                       (b.state = 'confirmed' AND b.start >= %(now)s) AS is_upcoming,
                       (l.won_status = 'won') AS is_won
                  FROM periods pr
                 CROSS JOIN voltaic_consultant c
                  LEFT JOIN voltaic_booking b ON b.consultant_id = c.id AND %(condition)s
                  LEFT JOIN crm_lead l ON l.id = b.lead_id
                 WHERE c.active
            ),
            figures AS (
                SELECT r.seq, r.period,
                       r.consultant_id,
                       GROUPING(r.consultant_id) = 1 AS is_total,
                       MIN(r.sequence) AS sequence,
                       COUNT(*) FILTER (WHERE r.is_upcoming) AS upcoming_count,
                       COUNT(*) FILTER (WHERE r.in_period) AS booking_count,
                       COUNT(*) FILTER (WHERE r.in_previous) AS previous_booking_count,
                       COUNT(*) FILTER (WHERE r.in_period AND r.state = 'completed') AS completed_count,
                       COUNT(*) FILTER (WHERE r.cancelled_in_period) AS cancelled_count,
                       COUNT(*) FILTER (WHERE r.in_period AND r.state = 'no_show') AS no_show_count,
                       COUNT(*) FILTER (WHERE (r.in_period AND r.state IN ('completed', 'no_show'))
                                           OR r.cancelled_in_period) AS closed_count,
                       AVG(r.rating) FILTER (WHERE r.in_period) AS average_rating,
                       COUNT(r.rating) FILTER (WHERE r.in_period) AS rating_count,
                       COUNT(DISTINCT r.lead_id) FILTER (WHERE r.in_period) AS lead_count,
                       COUNT(DISTINCT r.lead_id) FILTER (WHERE r.in_period AND r.is_won) AS won_count,
                       ARRAY_AGG(DISTINCT r.lead_id) FILTER (WHERE r.in_period AND r.is_won) AS won_lead_ids
                  FROM scoped r
                 GROUP BY GROUPING SETS ((r.seq, r.period, r.consultant_id), (r.seq, r.period))
            )
            SELECT f.seq * 100000000 + COALESCE(f.consultant_id, 0) AS id,
                   f.period, f.consultant_id, f.is_total,
                   CASE WHEN f.is_total THEN 0 ELSE f.sequence END AS sequence,
                   f.upcoming_count, f.booking_count, f.previous_booking_count,
                   100.0 * (f.booking_count - f.previous_booking_count) / NULLIF(f.previous_booking_count, 0)
                       AS booking_trend,
                   f.completed_count, f.cancelled_count, f.no_show_count,
                   100.0 * f.completed_count / NULLIF(f.closed_count, 0) AS completion_rate,
                   100.0 * f.no_show_count / NULLIF(f.closed_count, 0) AS no_show_rate,
                   100.0 * f.cancelled_count / NULLIF(f.closed_count, 0) AS cancellation_rate,
                   f.average_rating, f.rating_count,
                   100.0 * f.won_count / NULLIF(f.lead_count, 0) AS conversion_rate,
                   COALESCE((SELECT SUM(won.expected_revenue) FROM crm_lead won
                              WHERE won.id = ANY(f.won_lead_ids)), 0) AS won_revenue
              FROM figures f
            """,
            now=fields.Datetime.now(),
            condition=report._booking_condition_sql(),
            cancelled=report._cancelled_condition_sql(),
            rating=report._rating_sql(),
        )
