"""The cached working time (``voltaic.consultant._get_work_intervals``, blocks of ``WORK_BLOCK_DAYS``) follows
every change at once: weekly hours, time off, public holidays, the consultant's zone and working hours, even
within the transaction that makes the change; and the blocks join up exactly as Odoo computes the whole range."""

from datetime import date, timedelta

from odoo import Command

from ..lib.slots import local_day_bounds, merge_intervals
from ..models.consultant import WORK_BLOCK_DAYS, WORK_BLOCK_EPOCH
from .common import BERLIN, NOW, VoltaicBookingCase, local, make_calendar, utc

MONDAY = date(2027, 3, 8)


class TestWorkCache(VoltaicBookingCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.own_hours = cls._make_calendar("VBT Own Hours")
        cls.mia = cls._make_consultant("VBT Mia Sommer", "vbt_mia", calendar=cls.own_hours)

    def monday_starts(self, consultant=None, day=MONDAY):
        """Berlin start times ("10:00", ...) of one-hour slots on ``day`` (a Berlin day)."""
        consultant = consultant or self.mia
        start, end = local_day_bounds(day, day, BERLIN)
        slots = consultant._get_slots(start, end, 60, now=NOW)[consultant.id]
        return [slot_start.astimezone(BERLIN).strftime("%H:%M") for slot_start, _end in slots]

    def test_time_off_added_moved_and_removed(self):
        self.assertIn("10:00", self.monday_starts())  # computed once: the working time is cached now
        leave = self._leave(local("Europe/Berlin", 2027, 3, 8, 9, 0), local("Europe/Berlin", 2027, 3, 8, 12, 0),
                            consultant=self.mia)
        self.assertEqual(self.monday_starts()[:2], ["12:00", "14:00"])
        leave.write({"date_to": local("Europe/Berlin", 2027, 3, 8, 16, 0).replace(tzinfo=None)})
        self.assertEqual(self.monday_starts()[0], "16:00")
        leave.unlink()
        self.assertIn("10:00", self.monday_starts())
        self.assertIn("14:00", self.monday_starts())

    def test_public_holiday_of_the_company(self):
        self.assertTrue(self.monday_starts())
        start, end = local_day_bounds(MONDAY, MONDAY, BERLIN)
        self._leave(start, end, name="VBT Company Day")  # no consultant, no working hours: everyone
        self.assertEqual(self.monday_starts(), [])
        self.assertEqual(self.monday_starts(self.consultant), [])

    def test_weekly_hours_changed_added_and_removed(self):
        self.assertEqual(self.monday_starts()[-1], "18:00")
        afternoon = self.own_hours.attendance_ids.filtered(
            lambda line: line.dayofweek == "0" and line.day_period == "afternoon")
        afternoon.hour_to = 16
        self.assertEqual(self.monday_starts()[-1], "15:00")
        # through the consultant's form (the related one2many), as a consultant edits their own hours
        self.mia.write({"calendar_attendance_ids": [Command.unlink(afternoon.id)]})
        self.assertEqual(self.monday_starts()[-1], "12:00")
        saturday = MONDAY + timedelta(days=5)
        self.assertEqual(self.monday_starts(day=saturday), [])
        self.own_hours.write({"attendance_ids": [Command.create({
            "name": "Saturday", "dayofweek": "5", "hour_from": 9, "hour_to": 11, "day_period": "morning"})]})
        self.assertEqual(self.monday_starts(day=saturday), ["09:00", "09:30", "10:00"])
        # the other consultant's shared hours never moved
        self.assertEqual(self.monday_starts(self.consultant)[-1], "18:00")

    def test_zone_and_working_hours_of_the_consultant(self):
        self.assertEqual(self.monday_starts()[0], "10:00")
        self.mia.tz = "Europe/London"  # the same hours, now on London's clock: an hour later in Berlin
        self.assertEqual(self.monday_starts()[0], "11:00")
        early = make_calendar(self.env, "VBT Early Hours", "Europe/London", hours=(("morning", 7, 9),))
        self.mia.resource_calendar_id = early
        self.assertEqual(self.monday_starts(), ["08:00", "08:30", "09:00"])

    def test_blocks_join_up_as_odoo_computes_the_whole_range(self):
        # Auckland's working day (9:00-17:00, UTC+13 in March) runs over midnight UTC; a block ends at one of
        # those midnights: the day stays one interval, and 90 days read in blocks equal Odoo's own answer
        auckland = make_calendar(self.env, "VBT Auckland Hours", "Pacific/Auckland", hours=(("morning", 9, 17),))
        kiri = self._make_consultant("VBT Kiri Ngata", "vbt_kiri", tz="Pacific/Auckland", calendar=auckland)
        boundary = WORK_BLOCK_EPOCH + timedelta(
            days=((MONDAY - WORK_BLOCK_EPOCH).days // WORK_BLOCK_DAYS + 1) * WORK_BLOCK_DAYS)
        self.assertEqual(boundary, date(2027, 3, 22))
        start, end = utc(2027, 2, 20, 0, 0), utc(2027, 5, 21, 0, 0)
        work = kiri._get_work_intervals(start, end)[kiri.id]
        self.assertIn((utc(2027, 3, 21, 20, 0), utc(2027, 3, 22, 4, 0)), work)
        odoo_work = auckland._work_intervals_batch(start, end, resources=kiri.resource_id)[kiri.resource_id.id]
        self.assertEqual(work, merge_intervals([(s.astimezone(start.tzinfo), e.astimezone(start.tzinfo))
                                                for s, e, _records in odoo_work]))
        # a range that starts and ends inside working days is clipped to it, not to the blocks
        clipped = kiri._get_work_intervals(utc(2027, 3, 21, 22, 0), utc(2027, 3, 22, 1, 0))[kiri.id]
        self.assertEqual(clipped, [(utc(2027, 3, 21, 22, 0), utc(2027, 3, 22, 1, 0))])
