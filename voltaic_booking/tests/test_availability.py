"""Availability on real working hours: zones and DST, clients' zones, leaves, meetings, bookings and rules."""

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from .common import NOW, VoltaicBookingCase, local, utc

UTC = timezone.utc

HOURLY_BERLIN_DAY = ["10:00", "10:30", "11:00", "11:30", "12:00",
                     "14:00", "14:30", "15:00", "15:30", "16:00", "16:30", "17:00", "17:30", "18:00"]


class AvailabilityCase(VoltaicBookingCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the same hours every day of the week, to see the Sunday of a DST change itself
        cls.every_day = cls._make_calendar("VBT Every Day 10-19", weekdays=range(7))

    def wall(self, slots, tz_name="Europe/Berlin"):
        """Slot starts as local wall-clock ``HH:MM``."""
        zone = ZoneInfo(tz_name)
        return [start.astimezone(zone).strftime("%H:%M") for start, _end in slots]

    def by_day(self, slots, tz_name="Europe/Berlin"):
        zone = ZoneInfo(tz_name)
        days = {}
        for start, _end in slots:
            days.setdefault(start.astimezone(zone).date(), []).append(start.astimezone(zone).strftime("%H:%M"))
        return days


class TestTimeZones(AvailabilityCase):
    """Working hours are wall-clock hours of the consultant; slots are UTC and shown in the client's zone."""

    def test_a_working_day_in_berlin(self):
        slots = self._day(self.consultant, "Europe/Berlin", 2027, 3, 1)
        self.assertEqual(self.wall(slots), HOURLY_BERLIN_DAY)
        self.assertEqual(slots[0], (utc(2027, 3, 1, 9, 0), utc(2027, 3, 1, 10, 0)))
        self.assertTrue(all(start.tzinfo == UTC and end - start == timedelta(hours=1) for start, end in slots))
        # the weekend is closed
        self.assertFalse(self._day(self.consultant, "Europe/Berlin", 2027, 3, 6))
        self.assertFalse(self._day(self.consultant, "Europe/Berlin", 2027, 3, 7))

    def assert_dst_change(self, consultant, tz_name, before, after, first_utc_before, first_utc_after):
        """The day before and after a DST change both start at 10:00 local, an hour apart in UTC."""
        zone = ZoneInfo(tz_name)
        self.assertNotEqual(datetime(*before, 12, tzinfo=zone).utcoffset(),
                            datetime(*after, 12, tzinfo=zone).utcoffset(), "the clocks change between the two days")
        for day, first_utc in ((before, first_utc_before), (after, first_utc_after)):
            slots = self._day(consultant, tz_name, *day)
            self.assertEqual(self.wall(slots, tz_name), HOURLY_BERLIN_DAY, f"wall-clock hours on {day}")
            self.assertEqual(slots[0][0], first_utc, f"first slot of {day} in UTC")
            self.assertEqual(slots[-1][1] - slots[0][0], timedelta(hours=9), "10:00 to 19:00 is nine real hours")

    def test_berlin_spring_forward(self):
        # last Sunday of March 2027: the 28th; CET (UTC+1) -> CEST (UTC+2)
        self.assert_dst_change(self.consultant, "Europe/Berlin", (2027, 3, 26), (2027, 3, 29),
                               utc(2027, 3, 26, 9, 0), utc(2027, 3, 29, 8, 0))
        every_day = self._make_consultant("VBT Sunday Worker", "vbt_sunday", calendar=self.every_day)
        self.assert_dst_change(every_day, "Europe/Berlin", (2027, 3, 27), (2027, 3, 28),
                               utc(2027, 3, 27, 9, 0), utc(2027, 3, 28, 8, 0))
        self.assertEqual(self._local_starts(self._day(every_day, "Europe/Berlin", 2027, 3, 28))[0],
                         "2027-03-28T10:00:00+02:00")

    def test_berlin_fall_back(self):
        # last Sunday of October 2027: the 31st; CEST -> CET
        self.assert_dst_change(self.consultant, "Europe/Berlin", (2027, 10, 29), (2027, 11, 1),
                               utc(2027, 10, 29, 8, 0), utc(2027, 11, 1, 9, 0))
        every_day = self._make_consultant("VBT Sunday Worker", "vbt_sunday", calendar=self.every_day)
        self.assert_dst_change(every_day, "Europe/Berlin", (2027, 10, 30), (2027, 10, 31),
                               utc(2027, 10, 30, 8, 0), utc(2027, 10, 31, 9, 0))

    def test_new_york(self):
        # shares the Berlin-based calendar: hours are read on the consultant's own wall clock
        new_york = self._make_consultant("VBT Nora York", "vbt_nora", tz="America/New_York")
        sunday = self._make_consultant("VBT Sam York", "vbt_sam", tz="America/New_York", calendar=self.every_day)
        # second Sunday of March 2027: the 14th; EST (UTC-5) -> EDT (UTC-4)
        self.assert_dst_change(new_york, "America/New_York", (2027, 3, 12), (2027, 3, 15),
                               utc(2027, 3, 12, 15, 0), utc(2027, 3, 15, 14, 0))
        self.assert_dst_change(sunday, "America/New_York", (2027, 3, 13), (2027, 3, 14),
                               utc(2027, 3, 13, 15, 0), utc(2027, 3, 14, 14, 0))
        # first Sunday of November 2027: the 7th; EDT -> EST
        self.assert_dst_change(new_york, "America/New_York", (2027, 11, 5), (2027, 11, 8),
                               utc(2027, 11, 5, 14, 0), utc(2027, 11, 8, 15, 0))
        self.assert_dst_change(sunday, "America/New_York", (2027, 11, 6), (2027, 11, 7),
                               utc(2027, 11, 6, 14, 0), utc(2027, 11, 7, 15, 0))

    def test_sydney_southern_hemisphere(self):
        sydney = self._make_consultant("VBT Sophie Harbour", "vbt_sophie", tz="Australia/Sydney")
        # first Sunday of April 2027: the 4th; AEDT (UTC+11) -> AEST (UTC+10)
        self.assert_dst_change(sydney, "Australia/Sydney", (2027, 4, 2), (2027, 4, 5),
                               utc(2027, 4, 1, 23, 0), utc(2027, 4, 5, 0, 0))
        # first Sunday of October 2027: the 3rd; AEST -> AEDT
        self.assert_dst_change(sydney, "Australia/Sydney", (2027, 10, 1), (2027, 10, 4),
                               utc(2027, 10, 1, 0, 0), utc(2027, 10, 3, 23, 0))

    def test_clients_see_their_own_offset(self):
        monday = self._day(self.consultant, "Europe/Berlin", 2027, 3, 1)
        self.assertEqual(self._local_starts(monday, "Asia/Kolkata")[0], "2027-03-01T14:30:00+05:30")
        self.assertEqual(self._local_starts(monday, "Asia/Kolkata")[-1], "2027-03-01T22:30:00+05:30")
        # Auckland is on summer time (UTC+13) and already on the next day for the afternoon slots
        self.assertEqual(self._local_starts(monday, "Pacific/Auckland")[0], "2027-03-01T22:00:00+13:00")
        self.assertEqual(self._local_starts(monday, "Pacific/Auckland")[-1], "2027-03-02T06:00:00+13:00")
        # New Zealand leaves summer time on the first Sunday of April (4 April 2027): same Berlin hour,
        # different Auckland hour
        friday = self._day(self.consultant, "Europe/Berlin", 2027, 4, 2)
        monday_after = self._day(self.consultant, "Europe/Berlin", 2027, 4, 5)
        self.assertEqual(self._local_starts(friday, "Pacific/Auckland")[0], "2027-04-02T21:00:00+13:00")
        self.assertEqual(self._local_starts(monday_after, "Pacific/Auckland")[0], "2027-04-05T20:00:00+12:00")
        self.assertEqual(self._local_starts(monday_after, "Asia/Kolkata")[0], "2027-04-05T13:30:00+05:30")


class TestBlockedTime(AvailabilityCase):
    """Leaves, meetings and bookings take time away."""

    def week(self, consultant=None, duration=60):
        return self.by_day(self._slots(consultant or self.consultant, local("Europe/Berlin", 2027, 3, 1, 0, 0),
                                       local("Europe/Berlin", 2027, 3, 6, 0, 0), duration))

    def test_personal_leave(self):
        self._leave(local("Europe/Berlin", 2027, 3, 3, 0, 0), local("Europe/Berlin", 2027, 3, 3, 23, 59),
                    consultant=self.consultant, name="Dentist and day off")
        # an afternoon off on Thursday
        self._leave(local("Europe/Berlin", 2027, 3, 4, 14, 0), local("Europe/Berlin", 2027, 3, 4, 19, 0),
                    consultant=self.consultant)
        week = self.week()
        self.assertNotIn(datetime(2027, 3, 3).date(), week)
        self.assertEqual(week[datetime(2027, 3, 4).date()], HOURLY_BERLIN_DAY[:5])
        self.assertEqual(week[datetime(2027, 3, 2).date()], HOURLY_BERLIN_DAY)
        # the colleague is not on leave
        self.assertEqual(self.week(self.other_consultant)[datetime(2027, 3, 3).date()], HOURLY_BERLIN_DAY)

    def test_company_holidays(self):
        # a public holiday of these working hours (no resource), and one of every calendar of the company
        self._leave(local("Europe/Berlin", 2027, 3, 2, 0, 0), local("Europe/Berlin", 2027, 3, 3, 0, 0),
                    calendar=self.calendar, name="Founders' day")
        self._leave(local("Europe/Berlin", 2027, 3, 5, 0, 0), local("Europe/Berlin", 2027, 3, 6, 0, 0),
                    name="Company holiday", company_id=self.env.company.id)
        for consultant in (self.consultant, self.other_consultant):
            self.assertEqual(sorted(self.week(consultant)), [datetime(2027, 3, day).date() for day in (1, 3, 4)])

    def test_busy_meetings(self):
        self._busy_event(self.consultant, local("Europe/Berlin", 2027, 3, 1, 11, 0),
                         local("Europe/Berlin", 2027, 3, 1, 12, 0), name="Supplier call")
        self.assertEqual(self.week()[datetime(2027, 3, 1).date()], ["10:00", "12:00", *HOURLY_BERLIN_DAY[5:]])

    def test_all_day_meeting(self):
        self._busy_event(self.consultant, utc(2027, 3, 3, 8, 0), utc(2027, 3, 4, 18, 0), name="Trade fair", allday=True)
        week = self.week()
        self.assertEqual(sorted(week), [datetime(2027, 3, day).date() for day in (1, 2, 5)])

    def test_meetings_that_do_not_block(self):
        monday = (local("Europe/Berlin", 2027, 3, 1, 10, 0), local("Europe/Berlin", 2027, 3, 1, 19, 0))
        declined = self._busy_event(self.consultant, *monday, name="Declined workshop")
        declined.attendee_ids.filtered(lambda a: a.partner_id == self.consultant.partner_id).state = "declined"
        self._busy_event(self.consultant, *monday, name="Focus time", show_as="free")
        self._busy_event(self.consultant, *monday, name="Cancelled offsite", active=False)
        self._busy_event(self.other_consultant, *monday, name="Colleague's meeting")
        self.assertEqual(self.week()[datetime(2027, 3, 1).date()], HOURLY_BERLIN_DAY)
        # an invited attendee who did not decline is busy
        self.assertNotIn(datetime(2027, 3, 1).date(), self.week(self.other_consultant))

    def test_bookings_with_buffers(self):
        self.consultant.write({"buffer_before_minutes": 15, "buffer_after_minutes": 15, "slot_interval_minutes": 15})
        booking = self._create_booking(local("Europe/Berlin", 2027, 3, 2, 11, 0))
        self.assertEqual((booking.blocked_start, booking.blocked_stop),
                         (datetime(2027, 3, 2, 9, 45), datetime(2027, 3, 2, 11, 15)))
        tuesday = self.week(duration=30)[datetime(2027, 3, 2).date()]
        # buffers never overlap (the exclusion constraint compares blocked ranges): 10:00-10:30 plus its
        # 15 minutes after ends where the booking's buffer starts, 12:30 minus 15 starts where it ends
        self.assertEqual(tuesday[:3], ["10:00", "12:30", "14:00"])
        # a cancelled booking frees its time
        booking.state = "cancelled"
        self.assertEqual(self.week(duration=30)[datetime(2027, 3, 2).date()][:4], ["10:00", "10:15", "10:30", "10:45"])


class TestRules(AvailabilityCase):
    """Notice, advance, daily limit, interval and who can be booked at all."""

    def test_minimum_notice(self):
        self.consultant.min_notice_hours = 3
        now = local("Europe/Berlin", 2027, 3, 1, 8, 10)
        slots = self._slots(self.consultant, local("Europe/Berlin", 2027, 3, 1, 0, 0),
                            local("Europe/Berlin", 2027, 3, 2, 0, 0), now=now)
        self.assertEqual(self.wall(slots)[0], "11:30")
        self.consultant.min_notice_hours = 24
        slots = self._slots(self.consultant, local("Europe/Berlin", 2027, 3, 1, 0, 0),
                            local("Europe/Berlin", 2027, 3, 3, 0, 0), now=now)
        self.assertEqual(self._local_starts(slots)[0], "2027-03-02T10:00:00+01:00")

    def test_past_slots_are_never_offered(self):
        slots = self._slots(self.consultant, local("Europe/Berlin", 2027, 3, 1, 0, 0),
                            local("Europe/Berlin", 2027, 3, 2, 0, 0), now=local("Europe/Berlin", 2027, 3, 1, 15, 5))
        self.assertEqual(self.wall(slots)[0], "15:30")

    def test_maximum_advance(self):
        self.consultant.max_advance_days = 2
        slots = self._slots(self.consultant, local("Europe/Berlin", 2027, 3, 1, 0, 0),
                            local("Europe/Berlin", 2027, 3, 8, 0, 0))
        self.assertEqual(sorted(self.by_day(slots)), [datetime(2027, 3, day).date() for day in (1, 2)])
        # at most two days after now: Wednesday 08:00, before the first Wednesday slot
        self.assertLessEqual(slots[-1][0], NOW + timedelta(days=2))

    def test_daily_limit(self):
        self.consultant.daily_booking_limit = 2
        self._create_booking(local("Europe/Berlin", 2027, 3, 2, 10, 0))
        self._create_booking(local("Europe/Berlin", 2027, 3, 2, 15, 0))
        cancelled = self._create_booking(local("Europe/Berlin", 2027, 3, 3, 10, 0))
        self._create_booking(local("Europe/Berlin", 2027, 3, 3, 15, 0))
        cancelled.state = "cancelled"
        slots = self.by_day(self._slots(self.consultant, local("Europe/Berlin", 2027, 3, 1, 0, 0),
                                        local("Europe/Berlin", 2027, 3, 4, 0, 0)))
        self.assertEqual(sorted(slots), [datetime(2027, 3, 1).date(), datetime(2027, 3, 3).date()],
                         "Tuesday is full; Wednesday has one active booking, the cancelled one does not count")
        self.assertNotIn("15:00", slots[datetime(2027, 3, 3).date()])

    def test_slot_interval(self):
        day = (local("Europe/Berlin", 2027, 3, 1, 0, 0), local("Europe/Berlin", 2027, 3, 2, 0, 0))
        self.consultant.slot_interval_minutes = 60
        self.assertEqual(self.wall(self._slots(self.consultant, *day)),
                         ["10:00", "11:00", "12:00", "14:00", "15:00", "16:00", "17:00", "18:00"])
        self.consultant.slot_interval_minutes = 15
        quarter = self.wall(self._slots(self.consultant, *day, duration=30))
        self.assertEqual(quarter[:5], ["10:00", "10:15", "10:30", "10:45", "11:00"])
        self.assertEqual(quarter[-1], "18:30")
        self.assertEqual(len(quarter), 11 + 19)

    def test_who_cannot_be_booked(self):
        day = (local("Europe/Berlin", 2027, 3, 1, 0, 0), local("Europe/Berlin", 2027, 3, 2, 0, 0))
        self.assertFalse(self._slots(self.consultant, *day, duration=90), "90 minutes are not offered")
        self.assertEqual(self.consultant._get_slots(day[1], day[0], 60, now=NOW), {self.consultant.id: []})
        self.consultant.is_accepting_bookings = False
        self.other_consultant.active = False
        both = self.consultant | self.other_consultant
        self.assertEqual(both._get_slots(*day, 60, now=NOW), {self.consultant.id: [], self.other_consultant.id: []})
        self.assertEqual(both._next_available(now=NOW), {self.consultant.id: None, self.other_consultant.id: None})

    def test_next_available(self):
        self.assertEqual(self.consultant._next_available(now=NOW), {self.consultant.id: utc(2027, 3, 1, 9, 0)})
        # on holiday for three weeks: the first slot after it, beyond the first search window
        self._leave(local("Europe/Berlin", 2027, 3, 1, 0, 0), local("Europe/Berlin", 2027, 3, 22, 12, 0),
                    consultant=self.consultant)
        self.assertEqual(self.consultant._next_available(duration=60, now=NOW),
                         {self.consultant.id: local("Europe/Berlin", 2027, 3, 22, 12, 0)})
        # a duration the consultant does not offer falls back to one they offer
        self.assertEqual(self.consultant._next_available(duration=90, now=NOW),
                         {self.consultant.id: local("Europe/Berlin", 2027, 3, 22, 12, 0)})
        # on leave until after the maximum advance: none
        self.consultant.max_advance_days = 10
        self.assertEqual(self.consultant._next_available(now=NOW), {self.consultant.id: None})


class TestBatchedQueries(AvailabilityCase):
    """The slots of many consultants cost the same number of queries as those of one.

    Counted with ``assertQueryCount`` after one warm-up call (Odoo's own caches:
    settings, access rights), from a cold record cache and with the pending
    precommit checks of the fixtures already run. The pinned numbers are what
    one consultant costs; six cost exactly as much.
    """

    SLOTS_QUERIES = 12           # _get_slots over two months: rules, durations, hours, leaves, bookings, meetings
    NEXT_AVAILABLE_QUERIES = 12  # _next_available: the same, for its first window

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        zones = ["Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Sydney"]
        cls.six = cls.consultant | cls.other_consultant
        for index, zone in enumerate(zones[1:] + zones[:1]):
            cls.six |= cls._make_consultant(f"VBT Team {index}", f"vbt_team{index}", tz=zone)
        for hours, consultant in enumerate(cls.six):
            cls._create_booking(local("Europe/Berlin", 2027, 3, 2, 10, 0) + timedelta(hours=hours),
                                consultant=consultant)
            cls._busy_event(consultant, local("Europe/Berlin", 2027, 3, 3, 10, 0),
                            local("Europe/Berlin", 2027, 3, 3, 11, 0))
            cls._leave(local("Europe/Berlin", 2027, 3, 4, 0, 0), local("Europe/Berlin", 2027, 3, 5, 0, 0),
                       consultant=consultant)

    def cold_record_cache(self):
        self.env.cr.flush()  # pending writes and precommit checks (needs_review) first: they are not counted
        self.env.invalidate_all()

    def assert_slot_queries(self, consultants):
        start, end = local("Europe/Berlin", 2027, 3, 1, 0, 0), local("Europe/Berlin", 2027, 4, 30, 0, 0)
        consultants._get_slots(start, end, 30, now=NOW)  # warm-up
        self.cold_record_cache()
        with self.assertQueryCount(self.SLOTS_QUERIES):
            result = consultants._get_slots(start, end, 30, now=NOW)
        self.assertTrue(all(result[consultant.id] for consultant in consultants))

    def assert_next_available_queries(self, consultants):
        consultants._next_available(now=NOW)  # warm-up
        self.cold_record_cache()
        with self.assertQueryCount(self.NEXT_AVAILABLE_QUERIES):
            result = consultants._next_available(now=NOW)
        self.assertTrue(all(result[consultant.id] for consultant in consultants))

    def test_constant_number_of_queries(self):
        self.assertEqual(len(self.six), 6)
        self.assert_slot_queries(self.consultant)
        self.assert_slot_queries(self.six)

    def test_next_available_of_many_consultants_in_one_batch(self):
        """The consultants list of the API and the booking page ask all consultants at once."""
        self.assert_next_available_queries(self.consultant)
        self.assert_next_available_queries(self.six)
