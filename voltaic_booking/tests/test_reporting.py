"""Reporting figures checked against values computed by hand on fixed data."""

from datetime import date, timedelta

from lxml import etree

from odoo.tests import TransactionCase, freeze_time
from odoo.tools.safe_eval import safe_eval

from .back_office_common import naive
from .common import OFFICE_HOURS, make_calendar, make_consultant


@freeze_time("2026-04-15 06:00:00")
class TestReporting(TransactionCase):
    """Anna and Ben (Europe/Berlin) work Monday-Friday 9-17 with a lunch hour, and Sundays 1:00-4:00.

    Berlin switches to summer time on Sunday 29 March 2026 at 2:00, so that
    Sunday's 1:00-4:00 lasts two hours instead of three.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True, mail_create_nolog=True))
        cls.calendar = make_calendar(cls.env, "Report hours", hours=OFFICE_HOURS, extra=[(6, "morning", 1, 4)])
        cls.anna = make_consultant(cls.env, "Anna", "vb_report_anna", calendar=cls.calendar,
                                   groups="voltaic_booking.group_user", sequence=1)
        cls.ben = make_consultant(cls.env, "Ben", "vb_report_ben", calendar=cls.calendar,
                                  groups="voltaic_booking.group_user", sequence=2)

        Lead = cls.env["crm.lead"]
        cls.lead_won = Lead.create({"name": "L1", "type": "opportunity", "expected_revenue": 1000})
        cls.lead_open = Lead.create({"name": "L2", "type": "opportunity", "expected_revenue": 500})
        cls.lead_won_2 = Lead.create({"name": "L3", "type": "opportunity", "expected_revenue": 2000})
        cls.lead_lost = Lead.create({"name": "L4", "type": "opportunity", "expected_revenue": 700})
        cls.lead_new = Lead.create({"name": "L5", "type": "opportunity", "expected_revenue": 900})
        (cls.lead_won | cls.lead_won_2).action_set_won()
        cls.lead_lost.action_set_lost()
        solo = cls.env["res.partner"].create({"name": "Solo Sam", "email": "sam@solo.example"})

        def booking(consultant, start, duration, state, created, lead=None, rating=0, source="website",
                    meeting_type="video", company=False, partner=None):
            record = cls.env["voltaic.booking"].with_context(voltaic_booking_service=True).create({
                "consultant_id": consultant.id, "start": start,
                "stop": start + timedelta(minutes=duration),
                "duration": duration, "state": state, "lead_id": lead.id if lead else False, "rating": rating,
                "source": source, "meeting_type": meeting_type, "company": company,
                "partner_id": (partner or solo).id, "first_name": "C", "last_name": "Lient",
                "email": "client@example.com",
            })
            cls.env.cr.execute("UPDATE voltaic_booking SET create_date = %s WHERE id = %s", [created, record.id])
            return record

        # week of Monday 9 March (Berlin = UTC+1)
        cls.a1 = booking(cls.anna, naive(2026, 3, 9, 8), 60, "completed", naive(2026, 3, 2, 8), cls.lead_won, 5,
                         company="Acme")
        cls.a2 = booking(cls.anna, naive(2026, 3, 10, 13), 60, "completed", naive(2026, 3, 9, 13), cls.lead_won, 3,
                         meeting_type="phone", company="Acme")
        cls.a3 = booking(cls.anna, naive(2026, 3, 11, 9), 30, "no_show", naive(2026, 3, 10, 9), cls.lead_open,
                         source="backend", company="Beta")
        cls.a4 = booking(cls.anna, naive(2026, 3, 12, 9), 60, "cancelled", naive(2026, 3, 5, 9), cls.lead_open,
                         source="api", company="Beta")
        # week of Monday 16 March: public holiday on Wednesday, extra hours on Saturday
        cls.a5 = booking(cls.anna, naive(2026, 3, 16, 8), 120, "completed", naive(2026, 3, 13, 8), cls.lead_won_2, 4,
                         meeting_type="in_person", company="Gamma")
        cls.a6 = booking(cls.anna, naive(2026, 3, 21, 9), 90, "completed", naive(2026, 3, 20, 9), cls.lead_won_2,
                         source="backend", company="Gamma")
        # week of Monday 23 March: Anna off on Friday, summer time starts on Sunday
        cls.a7 = booking(cls.anna, naive(2026, 3, 24, 12), 120, "completed", naive(2026, 3, 23, 12),
                         source="direct")
        cls.a8 = booking(cls.anna, naive(2026, 3, 29, 0), 60, "completed", naive(2026, 3, 28, 0), source="direct")
        cls.b1 = booking(cls.ben, naive(2026, 3, 9, 8), 60, "completed", naive(2026, 3, 8, 8), cls.lead_lost, 2,
                         source="referral", company="Delta")
        cls.b2 = booking(cls.ben, naive(2026, 4, 20, 8), 30, "confirmed", naive(2026, 4, 14, 8), cls.lead_new,
                         source="social", company="Echo")
        cls.b3 = booking(cls.ben, naive(2026, 3, 10, 8), 60, "rescheduled", naive(2026, 3, 1, 8), cls.lead_new)
        cls.env["voltaic.booking"].invalidate_model(["create_date"])

        Leave = cls.env["resource.calendar.leaves"]
        Leave.create({"name": "Public holiday", "calendar_id": False, "resource_id": False,
                      "date_from": naive(2026, 3, 17, 23), "date_to": naive(2026, 3, 18, 23)})
        Leave.create({"name": "Anna off", "resource_id": cls.anna.resource_id.id,
                      "date_from": naive(2026, 3, 26, 23), "date_to": naive(2026, 3, 27, 23)})
        # the totals cover every active consultant: keep only ours (demo data may hold others)
        (cls.env["voltaic.consultant"].search([]) - cls.anna - cls.ben).action_archive()
        cls.env["voltaic.consultant.extra.hours"].create({
            "consultant_id": cls.anna.id, "date": date(2026, 3, 21), "hour_from": 10, "hour_to": 14})

    def test_booking_figures_per_consultant(self):
        aggregates = ["booking_count:sum", "completion_rate:avg", "no_show_rate:avg", "cancellation_rate:avg",
                      "rating:avg", "conversion_rate:avg", "won_revenue:sum", "lead_time_days:avg",
                      "booked_hours:sum", "upcoming_count:sum"]
        rows = {consultant: values for consultant, *values in self.env["voltaic.booking.report"]._read_group(
            [("consultant_id", "in", (self.anna | self.ben).ids)], ["consultant_id"], aggregates)}
        anna, ben = rows[self.anna], rows[self.ben]
        # Anna: 8 bookings, all closed: 6 completed, 1 no-show, 1 cancelled
        self.assertEqual(anna[0], 8)
        self.assertAlmostEqual(anna[1], 75.0)
        self.assertAlmostEqual(anna[2], 12.5)
        self.assertAlmostEqual(anna[3], 12.5)
        self.assertAlmostEqual(anna[4], 4.0)            # (5 + 3 + 4) / 3 rated bookings
        self.assertAlmostEqual(anna[5], 400 / 6)        # 4 of 6 bookings with a lead: lead won
        self.assertAlmostEqual(anna[6], 3000)           # L1 and L3 counted once each
        self.assertAlmostEqual(anna[7], 22 / 8)         # (7 + 1 + 1 + 7 + 3 + 1 + 1 + 1) / 8 days
        self.assertAlmostEqual(anna[8], 9.0)            # cancelled time is not booked time
        self.assertEqual(anna[9], 0)
        # Ben: the rescheduled row is left out; one completed meeting and one ahead
        self.assertEqual(ben[0], 2)
        self.assertAlmostEqual(ben[1], 100.0)
        self.assertAlmostEqual(ben[2], 0.0)
        self.assertAlmostEqual(ben[4], 2.0)
        self.assertAlmostEqual(ben[5], 0.0)
        self.assertAlmostEqual(ben[6], 0.0)
        self.assertAlmostEqual(ben[7], 3.5)
        self.assertEqual(ben[9], 1)
        [[total_count, total_completion, total_rating, total_conversion, total_revenue]] = \
            self.env["voltaic.booking.report"]._read_group(
                [("consultant_id", "in", (self.anna | self.ben).ids)], [],
                ["booking_count:sum", "completion_rate:avg", "rating:avg", "conversion_rate:avg", "won_revenue:sum"])
        self.assertEqual(total_count, 10)
        self.assertAlmostEqual(total_completion, 700 / 9)
        self.assertAlmostEqual(total_rating, 3.5)
        self.assertAlmostEqual(total_conversion, 50.0)
        self.assertAlmostEqual(total_revenue, 3000)

    def test_popular_slots_in_the_consultants_zone(self):
        Report = self.env["voltaic.booking.report"]
        domain = [("consultant_id", "in", (self.anna | self.ben).ids)]
        slots = {(weekday, hour): count for weekday, hour, count in Report._read_group(
            domain, ["weekday", "hour_of_day"], ["__count"])}
        self.assertEqual(slots[("0", "9")], 3)    # a1, b1 at 9:00 CET, a5 at 9:00 CET
        self.assertEqual(slots[("0", "10")], 1)   # b2: 8:00 UTC is 10:00 in summer time
        self.assertEqual(slots[("6", "1")], 1)    # a8: Sunday 1:00 CET, just before the clocks change
        self.assertEqual(slots[("5", "10")], 1)   # a6: the Saturday extra hours
        self.assertEqual(sum(slots.values()), 10)
        by_source = dict(Report._read_group(domain, ["source"], ["__count"]))
        self.assertEqual(by_source, {"website": 3, "backend": 2, "api": 1, "direct": 2, "referral": 1, "social": 1})
        by_company = dict(Report._read_group(domain, ["client_company"], ["__count"]))
        self.assertEqual(by_company, {"Acme": 2, "Beta": 2, "Gamma": 2, "Solo Sam": 2, "Delta": 1, "Echo": 1})
        by_type = dict(Report._read_group([("consultant_id", "=", self.anna.id)], ["meeting_type"], ["__count"]))
        self.assertEqual(by_type, {"video": 6, "phone": 1, "in_person": 1})
        by_duration = dict(Report._read_group([("consultant_id", "=", self.anna.id)], ["duration"], ["__count"]))
        self.assertEqual(by_duration, {30: 1, 60: 4, 90: 1, 120: 2})
        by_month = dict(Report._read_group(domain, ["start:month"], ["__count"]))
        self.assertEqual(sorted(by_month.values()), [1, 9])

    def test_key_figures(self):
        Kpi = self.env["voltaic.booking.kpi"]
        figures = {(kpi.period, kpi.consultant_id): kpi for kpi in Kpi.search([
            "|", ("consultant_id", "in", (self.anna | self.ben).ids), ("is_total", "=", True)])}
        anna_30 = figures["30", self.anna]
        # since 16 March 06:00: a5-a8, all completed; 4 in the 30 days before (a1-a4)
        self.assertRecordValues(anna_30, [{
            "booking_count": 4, "completed_count": 4, "cancelled_count": 0, "no_show_count": 0,
            "completion_rate": 100.0, "no_show_rate": 0.0, "average_rating": 4.0, "rating_count": 1,
            "conversion_rate": 100.0, "won_revenue": 2000.0, "previous_booking_count": 4, "booking_trend": 0.0,
            "upcoming_count": 0,
        }])
        ben_all = figures["all", self.ben]
        self.assertRecordValues(ben_all, [{
            "booking_count": 1, "completed_count": 1, "upcoming_count": 1, "average_rating": 2.0,
            "conversion_rate": 0.0,
        }])
        totals = {period: kpi for (period, consultant), kpi in figures.items() if not consultant}
        self.assertEqual(set(totals), {"30", "90", "365", "all"})
        self.assertTrue(all(kpi.is_total for kpi in totals.values()))
        self.assertRecordValues(totals["all"], [{
            "booking_count": 9, "completed_count": 7, "cancelled_count": 1, "no_show_count": 1,
            "upcoming_count": 1, "average_rating": 3.5, "conversion_rate": 50.0, "won_revenue": 3000.0,
        }])
        self.assertAlmostEqual(totals["all"].no_show_rate, 100 / 9)
        self.assertRecordValues(totals["30"], [{"booking_count": 4, "previous_booking_count": 5,
                                                "booking_trend": -20.0}])

    def test_trends_action_of_a_card(self):
        kpi = self.env["voltaic.booking.kpi"].search([("consultant_id", "=", self.anna.id), ("period", "=", "30")])
        action = kpi.action_open_trends()
        self.assertEqual(action["res_model"], "voltaic.booking.report")
        found = self.env["voltaic.booking.report"].search(action["domain"])
        self.assertEqual(found.booking_id, self.a5 | self.a6 | self.a7 | self.a8)

    def test_utilization_across_a_holiday_extra_hours_and_summer_time(self):
        Utilization = self.env["voltaic.consultant.utilization"]
        rows = Utilization._refresh(date(2026, 3, 9), date(2026, 3, 27), self.anna | self.ben)
        figures = {(row.consultant_id, row.week_start): (row.available_hours, row.booked_hours, row.utilization)
                   for row in rows}
        # 5 days x 7 h + Sunday 1:00-4:00 (3 h) = 38 h; booked: a1, a2 and the missed a3 (not the cancelled a4)
        self.assertEqual(figures[self.anna, date(2026, 3, 9)], (38.0, 2.5, 6.6))
        # public holiday on Wednesday (-7 h), four extra hours on Saturday: 35 h
        self.assertEqual(figures[self.anna, date(2026, 3, 16)], (35.0, 3.5, 10.0))
        # Friday off (-7 h) and the Sunday of the clock change lasts 2 hours: 30 h
        self.assertEqual(figures[self.anna, date(2026, 3, 23)], (30.0, 3.0, 10.0))
        self.assertEqual(figures[self.ben, date(2026, 3, 9)], (38.0, 1.0, 2.6))
        self.assertEqual(figures[self.ben, date(2026, 3, 16)], (31.0, 0.0, 0.0))
        self.assertEqual(figures[self.ben, date(2026, 3, 23)], (37.0, 0.0, 0.0))
        # groups are the ratio of the summed hours, not the mean of the weekly ratios
        [[anna_utilization]] = Utilization._read_group(
            [("consultant_id", "=", self.anna.id)], [], ["utilization:avg"])
        self.assertAlmostEqual(anna_utilization, 100 * 9 / 103)
        [[all_utilization]] = Utilization._read_group(
            [("consultant_id", "in", (self.anna | self.ben).ids)], [], ["utilization:avg"])
        self.assertAlmostEqual(all_utilization, 100 * 10 / 209)
        # a refresh replaces the weeks instead of adding rows
        Utilization._refresh(date(2026, 3, 9), date(2026, 3, 27), self.anna)
        self.assertEqual(Utilization.search_count([("consultant_id", "=", self.anna.id)]), 3)

    def test_utilization_report_refreshes_when_opened(self):
        action = self.env["voltaic.consultant.utilization"].action_open_report()
        self.assertEqual(action["res_model"], "voltaic.consultant.utilization")
        rows = self.env["voltaic.consultant.utilization"].search([("consultant_id", "=", self.anna.id)])
        self.assertEqual(len(rows), 26 + 8 + 1)
        self.assertIn(date(2026, 3, 23), rows.mapped("week_start"))

    def test_cancellations_count_on_the_day_they_happened(self):
        """The Overview counts a cancellation in the period it was made, whenever the meeting was to be;
        completions and no-shows on the meeting's day. (A cancellation without its time, recorded before
        that was kept, counts on the meeting's day: a4.)"""
        Booking = self.env["voltaic.booking"].with_context(voltaic_booking_service=True)
        solo = self.a1.partner_id

        def cancelled(consultant, start, cancelled_at):
            return Booking.create({
                "consultant_id": consultant.id, "start": start, "stop": start + timedelta(hours=1), "duration": 60,
                "state": "cancelled", "cancelled_at": cancelled_at, "partner_id": solo.id,
                "first_name": "C", "last_name": "Lient", "email": "client@example.com",
            })

        cancelled(self.ben, naive(2026, 5, 4, 8), naive(2026, 4, 10, 10))    # a meeting ahead, cancelled last week
        cancelled(self.anna, naive(2026, 4, 1, 8), naive(2026, 1, 20, 10))   # cancelled long before its day
        self.env.flush_all()
        figures = {(kpi.period, kpi.consultant_id): kpi for kpi in self.env["voltaic.booking.kpi"].search([
            ("consultant_id", "in", (self.anna | self.ben).ids)])}
        # Ben, last 30 days (since 16 March): no meeting; one cancellation made on 10 April
        self.assertRecordValues(figures["30", self.ben], [{
            "booking_count": 0, "cancelled_count": 1, "completed_count": 0, "cancellation_rate": 100.0,
        }])
        # Anna, last 30 days: a5-a8 completed; the 1 April meeting was cancelled in January
        self.assertRecordValues(figures["30", self.anna], [{
            "booking_count": 5, "completed_count": 4, "cancelled_count": 0, "completion_rate": 100.0,
            "cancellation_rate": 0.0,
        }])
        # Anna, last 90 days (since 15 January): 6 completed, 1 no-show, a4 (12 March) and the January cancellation
        anna_90 = figures["90", self.anna]
        self.assertRecordValues(anna_90, [{"completed_count": 6, "no_show_count": 1, "cancelled_count": 2}])
        self.assertAlmostEqual(anna_90.cancellation_rate, 200 / 9)
        self.assertAlmostEqual(anna_90.completion_rate, 600 / 9)

    def test_reports_open_where_a_manager_looks_first(self):
        """The analysis opens as weekly bars stacked per consultant over the last three months and the coming
        one; utilization on the weeks around today."""
        analysis = self.env["ir.actions.act_window"]._for_xml_id("voltaic_booking.voltaic_booking_report_action")
        context = safe_eval(analysis["context"])
        self.assertEqual((context["graph_mode"], context["graph_groupbys"], context["graph_stacked"]),
                         ("bar", ["start:week", "consultant_id"], True))
        self.assertEqual(context["search_default_recent"], 1)
        self.assertEqual(analysis["view_mode"].split(",")[0], "graph")
        utilization = self.env["ir.actions.act_window"]._for_xml_id(
            "voltaic_booking.voltaic_consultant_utilization_action")
        self.assertEqual(safe_eval(utilization["context"]), {"search_default_current_weeks": 1})
        self.env["voltaic.consultant.utilization"].action_open_report()
        search = self.env.ref("voltaic_booking.voltaic_consultant_utilization_view_search")
        current = etree.fromstring(search.arch).xpath("//filter[@name='current_weeks']")[0]
        domain = current.get("domain")
        self.assertIn("today -35d", domain)
        self.assertIn("today +28d", domain)
