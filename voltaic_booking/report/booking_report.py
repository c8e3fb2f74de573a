from odoo import fields, models
from odoo.tools import SQL

WEEKDAYS = [
    ("0", "Monday"),
    ("1", "Tuesday"),
    ("2", "Wednesday"),
    ("3", "Thursday"),
    ("4", "Friday"),
    ("5", "Saturday"),
    ("6", "Sunday"),
]
HOURS = [(str(hour), f"{hour:02d}:00") for hour in range(24)]


class VoltaicBookingReport(models.Model):
    """One row per booking (moved-away ``rescheduled`` rows left out), for pivot and graph analysis.

    Rates are averages of 100/0 per booking over the bookings they concern
    (NULL elsewhere, which averages ignore), so they stay exact at every
    grouping level:

    * completion, no-show and cancellation rates: over closed bookings
      (completed, no-show or cancelled); together they make 100 %;
    * conversion: over bookings with an opportunity, 100 when it is won;
    * won revenue: the expected revenue of a won opportunity, counted once,
      on its first booking.
    """

    _name = "voltaic.booking.report"
    _description = "Consultation Analysis"
    _auto = False
    _rec_name = "reference"
    _order = "start desc"

    booking_id = fields.Many2one("voltaic.booking", readonly=True)
    reference = fields.Char(readonly=True)
    consultant_id = fields.Many2one("voltaic.consultant", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Client", readonly=True)
    lead_id = fields.Many2one("crm.lead", string="Opportunity", readonly=True)
    team_id = fields.Many2one("crm.team", string="Sales Team", readonly=True)
    client_company = fields.Char(readonly=True)
    state = fields.Selection(
        [("confirmed", "Confirmed"), ("cancelled", "Cancelled"), ("completed", "Completed"),
         ("no_show", "No Show")], readonly=True)
    source = fields.Selection(selection="_selection_source", readonly=True)
    meeting_type = fields.Selection(selection="_selection_meeting_type", readonly=True)
    duration = fields.Integer(string="Duration (minutes)", readonly=True, aggregator=None)
    start = fields.Datetime(string="Meeting Time", readonly=True)
    booked_on = fields.Datetime(readonly=True)
    weekday = fields.Selection(WEEKDAYS, string="Day of Week", readonly=True,
                               help="Day of the meeting in the consultant's time zone.")
    hour_of_day = fields.Selection(HOURS, string="Hour of Day", readonly=True,
                                   help="Hour of the meeting start in the consultant's time zone.")

    booking_count = fields.Integer(string="Bookings", readonly=True)
    upcoming_count = fields.Integer(string="Upcoming", readonly=True)
    completed_count = fields.Integer(string="Completed", readonly=True)
    no_show_count = fields.Integer(string="No-Shows", readonly=True)
    cancelled_count = fields.Integer(string="Cancelled", readonly=True)
    booked_hours = fields.Float(readonly=True, help="Meeting time, cancelled bookings left out.")
    completion_rate = fields.Float(string="Completion Rate (%)", aggregator="avg", readonly=True)
    no_show_rate = fields.Float(string="No-Show Rate (%)", aggregator="avg", readonly=True)
    cancellation_rate = fields.Float(string="Cancellation Rate (%)", aggregator="avg", readonly=True)
    rating = fields.Float(string="Average Rating", aggregator="avg", readonly=True)
    conversion_rate = fields.Float(string="Conversion (%)", aggregator="avg", readonly=True,
                                   help="Share of bookings whose opportunity is won.")
    won_revenue = fields.Float(readonly=True,
                               help="Expected revenue of won opportunities, counted once per opportunity.")
    lead_time_days = fields.Float(string="Lead Time (days)", aggregator="avg", readonly=True,
                                  help="Days between the booking and the meeting.")

    @property
    def _table_query(self):
        return SQL("""
            WITH bookings AS (
                SELECT b.*,
                       COALESCE(r.tz, 'UTC') AS consultant_tz,
                       ROW_NUMBER() OVER (PARTITION BY b.lead_id ORDER BY b.start, b.id) AS lead_rank
                  FROM voltaic_booking b
                  JOIN voltaic_consultant c ON c.id = b.consultant_id
                  LEFT JOIN resource_resource r ON r.id = c.resource_id
                 WHERE %(condition)s
            )
            SELECT b.id,
                   b.id AS booking_id,
                   b.reference,
                   b.consultant_id,
                   b.company_id,
                   b.partner_id,
                   b.lead_id,
                   l.team_id,
                   COALESCE(NULLIF(b.company, ''), NULLIF(p.commercial_company_name, ''), p.name) AS client_company,
                   b.state,
                   b.source,
                   b.meeting_type,
                   b.duration,
                   b.start,
                   b.create_date AS booked_on,
                   (EXTRACT(ISODOW FROM (b.start AT TIME ZONE 'UTC') AT TIME ZONE b.consultant_tz)::int - 1)::varchar
                       AS weekday,
                   EXTRACT(HOUR FROM (b.start AT TIME ZONE 'UTC') AT TIME ZONE b.consultant_tz)::int::varchar
                       AS hour_of_day,
                   1 AS booking_count,
                   CASE WHEN b.state = 'confirmed' AND b.start >= %(now)s THEN 1 ELSE 0 END AS upcoming_count,
                   CASE WHEN b.state = 'completed' THEN 1 ELSE 0 END AS completed_count,
                   CASE WHEN b.state = 'no_show' THEN 1 ELSE 0 END AS no_show_count,
                   CASE WHEN %(cancelled)s THEN 1 ELSE 0 END AS cancelled_count,
                   CASE WHEN %(cancelled)s THEN 0 ELSE b.duration / 60.0 END AS booked_hours,
                   %(completion_rate)s AS completion_rate,
                   %(no_show_rate)s AS no_show_rate,
                   %(cancellation_rate)s AS cancellation_rate,
                   %(rating)s AS rating,
                   CASE WHEN l.id IS NULL THEN NULL WHEN l.won_status = 'won' THEN 100.0 ELSE 0.0 END
                       AS conversion_rate,
                   CASE WHEN l.won_status = 'won' AND b.lead_rank = 1 THEN COALESCE(l.expected_revenue, 0) ELSE 0 END
                       AS won_revenue,
                   EXTRACT(EPOCH FROM (b.start - b.create_date)) / 86400.0 AS lead_time_days
                   %(extra_columns)s
              FROM bookings b
              LEFT JOIN crm_lead l ON l.id = b.lead_id
              LEFT JOIN res_partner p ON p.id = b.partner_id
            """,
            now=fields.Datetime.now(),
            cancelled=self._cancelled_condition_sql(),
            completion_rate=self._closed_rate_sql(SQL("b.state = 'completed'")),
            no_show_rate=self._closed_rate_sql(SQL("b.state = 'no_show'")),
            cancellation_rate=self._closed_rate_sql(self._cancelled_condition_sql()),
            rating=self._rating_sql(),
            condition=self._booking_condition_sql(),
            extra_columns=self._extra_columns_sql(),
        )

    def _booking_condition_sql(self):
        """Which bookings (alias ``b``) the analysis counts; an extension leaves out what never was a meeting."""
        return SQL("b.state != 'rescheduled'")

    def _cancelled_condition_sql(self):
        """Bookings (alias ``b``) that count as cancelled meetings; an extension adds the states a
        cancelled booking may move on to."""
        return SQL("b.state = 'cancelled'")

    def _closed_rate_sql(self, condition):
        """100 when a closed booking (completed, no-show, cancelled) meets ``condition``, 0 when not,
        NULL while it is open."""
        return SQL("CASE WHEN b.state IN ('completed', 'no_show') OR %s THEN CASE WHEN %s THEN 100.0 ELSE 0.0 END END",
                   self._cancelled_condition_sql(), condition)

    def _extra_columns_sql(self):
        """Extra columns (``, expression AS field``) an extension adds to the analysis (alias ``b``: bookings)."""
        return SQL()

    def _rating_sql(self):
        """The client's rating (1-5) when given; NULL otherwise, so averages only count rated bookings."""
        return SQL("CASE WHEN b.rating > 0 THEN b.rating::float END")

    def _selection_source(self):
        return self.env["voltaic.booking"]._fields["source"]._description_selection(self.env)

    def _selection_meeting_type(self):
        return self.env["voltaic.booking"]._fields["meeting_type"]._description_selection(self.env)
