"""Teams: "any available consultant" (issue 14).

A client books a team; the booking service picks, among the members free at that time, the one
the team's method says (round robin, least busy, priority), with deterministic tie-breaks, skips a
member whose time was taken meanwhile, and answers "no longer available" with the team's next
free times when nobody is left. The team's slots are the union of its members'.
"""

from collections import Counter
from datetime import timedelta
from unittest.mock import patch

from odoo import Command
from odoo.tests import freeze_time

from ..exceptions import BookingValidationError, SlotUnavailableError
from ..models.booking import VoltaicBooking
from ..models.team import VoltaicBookingTeam
from .common import BERLIN, NOW, VoltaicBookingCase, local


@freeze_time(NOW)
class TestTeams(VoltaicBookingCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.third_consultant = cls._make_consultant("VBT Carla Roth", "vbt_carla")
        cls.members = cls.consultant | cls.other_consultant | cls.third_consultant
        cls.booking_team = cls.env["voltaic.booking.team"].create({
            "name": "VBT Energy Team",
            "assignment_method": "round_robin",
            "member_ids": [Command.create({"consultant_id": consultant.id, "sequence": index})
                           for index, consultant in enumerate(cls.members)],
        })
        # Tuesday 2 March 2027, Berlin: everyone works 10-13 and 14-19
        cls.tuesday_10 = local("Europe/Berlin", 2027, 3, 2, 10, 0)

    def team_book(self, start, team=None, **values):
        client = values.pop("client", f"client{start:%m%d%H%M}")
        return self.env["voltaic.booking"]._book({
            **self._booking_values(start, **values),
            "consultant_id": False,
            "team_id": (team or self.booking_team).id,
            "email": f"{client}@vbt-client.example",
        })

    def hourly_starts(self, count, first=None):
        """``count`` one-hour starts on working hours from Tuesday 10:00 on (10, 11, 12, 14 ... 18)."""
        starts, day = [], (first or self.tuesday_10).astimezone(BERLIN).date()
        while len(starts) < count:
            for hour in (10, 11, 12, 14, 15, 16, 17, 18):
                starts.append(local("Europe/Berlin", day.year, day.month, day.day, hour, 0))
            day += timedelta(days=1)
            while day.weekday() >= 5:
                day += timedelta(days=1)
        return starts[:count]

    # ------------------------------------------------------------------
    # Slots
    # ------------------------------------------------------------------

    def test_team_slots_are_the_union_of_the_members_each_time_once(self):
        end = self.tuesday_10 + timedelta(days=1)
        self._busy_event(self.consultant, self.tuesday_10, self.tuesday_10 + timedelta(hours=1))
        slots = self.booking_team._get_slots(self.tuesday_10, end, 60, now=NOW)
        starts = [start for start, _end in slots]
        self.assertEqual(len(starts), len(set(starts)), "each time once")
        self.assertIn(self.tuesday_10, starts, "Bruno and Carla are free at 10:00")
        self.assertEqual(starts, sorted(starts))
        member_starts = set()
        for free in self.members._get_slots(self.tuesday_10, end, 60, now=NOW).values():
            member_starts |= {start for start, _end in free}
        self.assertEqual(set(starts), member_starts)
        # nobody free at 10:00: the time is gone from the team's slots
        for consultant in self.other_consultant | self.third_consultant:
            self._busy_event(consultant, self.tuesday_10, self.tuesday_10 + timedelta(hours=1))
        starts = [start for start, _end in self.booking_team._get_slots(self.tuesday_10, end, 60, now=NOW)]
        self.assertNotIn(self.tuesday_10, starts)

    def test_filters_narrow_the_members(self):
        solar = self.env["voltaic.consultant.expertise"].create({"name": "VBT Solar"})
        self.env["res.lang"]._activate_lang("de_DE")
        self.consultant.write({"expertise_ids": [Command.set(solar.ids)],
                               "language_ids": [Command.set(self.env.ref("base.lang_de").ids)],
                               "offers_in_person": False})
        team = self.booking_team
        self.assertEqual(team._members(expertise=solar.id), self.consultant)
        self.assertEqual(team._members(language="de"), self.consultant)
        self.assertEqual(team._members(meeting_type="in_person"), self.other_consultant | self.third_consultant)
        # the one matching member is busy at 10:00: the narrowed team has no 10:00
        self._busy_event(self.consultant, self.tuesday_10, self.tuesday_10 + timedelta(hours=1))
        slots = team._get_slots(self.tuesday_10, self.tuesday_10 + timedelta(hours=3), 60, now=NOW,
                                members=team._members(expertise=solar.id))
        self.assertNotIn(self.tuesday_10, [start for start, _end in slots])
        # and a booking asking for that expertise at 10:00 finds nobody
        with self.assertRaises(SlotUnavailableError):
            self.team_book(self.tuesday_10, team_expertise=solar.id)
        booking = self.team_book(self.tuesday_10 + timedelta(hours=1), team_expertise=solar.id)
        self.assertEqual(booking.consultant_id, self.consultant)

    def test_next_available_of_a_team_is_its_first_members(self):
        firsts = self.members._next_available(now=NOW)
        self.assertEqual(self.booking_team._next_available(now=NOW)[self.booking_team.id],
                         min(value for value in firsts.values() if value))

    # ------------------------------------------------------------------
    # Assignment
    # ------------------------------------------------------------------

    def test_round_robin_thirty_bookings_ten_each(self):
        bookings = [self.team_book(start) for start in self.hourly_starts(30)]
        counts = Counter(booking.consultant_id for booking in bookings)
        self.assertEqual(counts, dict.fromkeys(self.members, 10))
        self.assertEqual([b.consultant_id for b in bookings[:6]], list(self.members) * 2,
                         "least recently assigned first; never assigned members in the list's order")
        self.assertTrue(all(booking.team_id == self.booking_team for booking in bookings))

    def test_round_robin_skips_a_busy_member(self):
        first = self.team_book(self.tuesday_10)
        self.assertEqual(first.consultant_id, self.consultant)
        start = self.tuesday_10 + timedelta(hours=1)
        self._busy_event(self.other_consultant, start, start + timedelta(hours=1))
        self.assertEqual(self.team_book(start).consultant_id, self.third_consultant, "Bruno is busy: Carla")
        self.assertEqual(self.team_book(start + timedelta(hours=1)).consultant_id, self.other_consultant,
                         "Bruno is now the least recently assigned")

    def test_least_busy_evens_out_a_preloaded_member(self):
        self.booking_team.assignment_method = "least_busy"
        # Anja already has three hours this week (booked by name, not through the team)
        for start in self.hourly_starts(3, first=self.tuesday_10 + timedelta(days=1)):
            self._book(start, email=f"pre{start:%d%H}@vbt-client.example")
        starts = self.hourly_starts(9)
        assigned = [self.team_book(start).consultant_id for start in starts[:6]]
        self.assertNotIn(self.consultant, assigned, "the others catch up first")
        self.assertEqual(Counter(assigned), {self.other_consultant: 3, self.third_consultant: 3})
        assigned += [self.team_book(start).consultant_id for start in starts[6:]]
        self.assertEqual(Counter(assigned[6:]), dict.fromkeys(self.members, 1),
                         "even again: one each")

    def test_least_busy_counts_the_week_of_the_meeting_only(self):
        self.booking_team.assignment_method = "least_busy"
        next_week = self.tuesday_10 + timedelta(days=7)
        for start in self.hourly_starts(3, first=next_week):
            self._book(start, email=f"nw{start:%d%H}@vbt-client.example")
        self.assertEqual(self.team_book(self.tuesday_10).consultant_id, self.consultant,
                         "Anja's hours next week do not count for this week's meeting")
        hours = VoltaicBookingTeam._week_hours(self.booking_team, self.members, next_week)
        self.assertEqual(hours[self.consultant.id], 180)

    def test_priority_first_free_member_in_the_list_wins(self):
        team = self.booking_team
        team.assignment_method = "priority"
        # the list's order: Carla, Anja, Bruno
        lines = {line.consultant_id: line for line in team.member_ids}
        lines[self.third_consultant].sequence = -1
        self.assertEqual(self.team_book(self.tuesday_10).consultant_id, self.third_consultant)
        self.assertEqual(self.team_book(self.tuesday_10 + timedelta(hours=1)).consultant_id,
                         self.third_consultant, "priority, not rotation")
        self.assertEqual(self.team_book(self.tuesday_10, client="second").consultant_id, self.consultant,
                         "Carla is taken at 10:00: the next in the list")
        self.assertEqual(self.team_book(self.tuesday_10, client="third").consultant_id, self.other_consultant)

    def test_ties_are_broken_by_the_list_then_by_id(self):
        team = self.booking_team
        team.member_ids.write({"sequence": 5})  # the same place in the list for all
        order = team._assignment_order(self.members, self.tuesday_10)
        self.assertEqual(order.ids, sorted(self.members.ids), "equal in every respect: by id")
        for method in ("least_busy", "priority"):
            team.assignment_method = method
            self.assertEqual(team._assignment_order(self.members, self.tuesday_10).ids, sorted(self.members.ids))
        team.assignment_method = "round_robin"
        first = self.team_book(self.tuesday_10)
        self.assertEqual(first.consultant_id.id, min(self.members.ids))

    # ------------------------------------------------------------------
    # Conflicts
    # ------------------------------------------------------------------

    def test_member_taken_at_insert_is_skipped(self):
        """The first member looks free when the team checks, but the insert meets their booking (the
        exclusion constraint): the next member gets the booking, and the client no 409."""
        self._create_booking(self.tuesday_10, consultant=self.consultant)  # unseen by the checks below
        with patch.object(VoltaicBookingTeam, "_free_members", lambda team, members, start, duration: members), \
                patch.object(VoltaicBooking, "_check_slot", lambda *args, **kwargs: None):
            booking = self.team_book(self.tuesday_10)
        self.assertEqual(booking.consultant_id, self.other_consultant)
        self.assertEqual(self.env["voltaic.booking"].search_count([("consultant_id", "=", self.consultant.id)]), 1)
        self.assertEqual(booking.state, "confirmed")
        self.assertTrue(booking.event_id and booking.lead_id)

    def test_nobody_free_is_the_usual_refusal_with_team_alternatives(self):
        for consultant in self.members:
            self._busy_event(consultant, self.tuesday_10, self.tuesday_10 + timedelta(hours=1))
        partners = self.env["res.partner"].search_count([])
        with self.assertRaises(SlotUnavailableError) as caught:
            self.team_book(self.tuesday_10, client="nobody")
        alternatives = caught.exception.alternatives
        self.assertTrue(alternatives)
        self.assertNotIn(self.tuesday_10, [start for start, _end in alternatives])
        team_starts = [start for start, _end in self.booking_team._get_slots(
            self.tuesday_10 - timedelta(days=1), self.tuesday_10 + timedelta(days=7), 60)]
        self.assertTrue({start for start, _end in alternatives} <= set(team_starts))
        self.assertEqual(self.env["res.partner"].search_count([]), partners, "nothing kept")

    # ------------------------------------------------------------------
    # Validation, lead, reporting
    # ------------------------------------------------------------------

    def test_bad_team_input_is_refused_with_field_messages(self):
        with self.assertRaises(BookingValidationError) as caught:
            self.team_book(self.tuesday_10, team=self.env["voltaic.booking.team"].browse(999999), email="x")
        self.assertIn("team", caught.exception.fields)
        self.booking_team.member_ids.consultant_id.write({"offers_phone": False})
        with self.assertRaises(BookingValidationError) as caught:
            self.team_book(self.tuesday_10, meeting_type="phone", duration=45, first_name="")
        self.assertEqual(set(caught.exception.fields), {"meeting_type", "first_name"})
        self.assertIn("team", caught.exception.fields["meeting_type"])
        with self.assertRaises(BookingValidationError) as caught:
            self.team_book(self.tuesday_10, duration=45)
        self.assertEqual(set(caught.exception.fields), {"duration"})
        with self.assertRaises(BookingValidationError) as caught:
            self._book(self.tuesday_10, consultant=self._make_consultant("VBT Outsider", "vbt_outsider"),
                       team_id=self.booking_team.id)
        self.assertIn("team", caught.exception.fields)

    def test_details_any_able_member_requires_are_asked_whoever_is_assigned(self):
        # Carla (third in the list) wants the client's phone; round robin would give Anja the booking
        phone = self.env.ref("voltaic_booking.client_detail_phone")
        self.third_consultant.required_detail_ids = [Command.set(phone.ids)]
        with self.assertRaises(BookingValidationError) as caught:
            self.team_book(self.tuesday_10, phone="")
        self.assertEqual(set(caught.exception.fields), {"phone"})
        self.assertFalse(self.env["voltaic.booking"].search([("team_id", "=", self.booking_team.id)]))
        # Carla does not take phone meetings: for those she is not in the pool, and nothing is asked of her
        self.third_consultant.offers_phone = False
        booking = self.team_book(self.tuesday_10, phone="", meeting_type="phone")
        self.assertEqual(booking.consultant_id, self.consultant)
        # with the phone: booked, and Carla's rule holds for whoever gets the booking
        booking = self.team_book(self.tuesday_10 + timedelta(hours=1), client="withphone")
        self.assertEqual(booking.phone, "+91 22 1234 5678")
        # a direct booking of a member keeps that member's own rule
        direct = self._book(self.tuesday_10 + timedelta(hours=2), consultant=self.other_consultant, phone="",
                            email="direct@vbt-client.example")
        self.assertEqual(direct.consultant_id, self.other_consultant)

    def test_lead_salesperson_is_the_consultant_or_the_team_leader(self):
        booking = self.team_book(self.tuesday_10)
        self.assertEqual(booking.lead_id.user_id, booking.consultant_id.user_id)
        leader = self.manager
        sales = self.env["crm.team"].create({"name": "VBT Team Sales", "user_id": leader.id})
        self.booking_team.write({"crm_team_id": sales.id, "lead_user": "team_leader"})
        booking = self.team_book(self.tuesday_10 + timedelta(hours=1), client="leader")
        self.assertNotEqual(booking.consultant_id.user_id, leader)
        self.assertEqual(booking.lead_id.user_id, leader)
        self.assertEqual(booking.lead_id.team_id, sales)

    def test_reporting_groups_by_team(self):
        self.team_book(self.tuesday_10)
        self.team_book(self.tuesday_10 + timedelta(hours=1))
        self._book(self.tuesday_10 + timedelta(hours=2), email="byname@vbt-client.example")
        report = self.env["voltaic.booking.report"]
        groups = dict(report._read_group(
            [("consultant_id", "in", self.members.ids)], ["booking_team_id"], ["booking_count:sum"]))
        self.assertEqual(groups[self.booking_team], 2)
        self.assertEqual(groups[self.env["voltaic.booking.team"]], 1)
        self.assertEqual(self.booking_team.booking_count, 2)
