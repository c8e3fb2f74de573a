"""Team slots computed in one batch are exactly the union of each member's own slots (issue 14, speed).

The team's slots come from one batched computation for all members (one working-hours computation per
calendar, one query for everyone's busy meetings, merged in PostgreSQL). Whatever the batching, they
must be what each member computed alone offers: here on a tricky team (zones with and without DST,
both DST changes of March 2027 inside the range, slot steps of 15, 20 and 30 minutes, buffers, notice,
a daily limit, all-day, declined, free and archived meetings, a meeting of two members, a member
without the duration). The busy meetings are read from the attendances' copy of their time: it must
follow every change made through the ORM, within the same transaction.
"""

from datetime import timedelta

from odoo import Command
from odoo.tests import freeze_time

from .common import AROUND_THE_CLOCK, NOW, OFFICE_HOURS, VoltaicBookingCase, local, make_calendar, naive, utc


@freeze_time(NOW)
class TestTeamSlotsUnion(VoltaicBookingCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        new_york = make_calendar(cls.env, "VBT New York Office", "America/New_York", hours=OFFICE_HOURS)
        kolkata = make_calendar(cls.env, "VBT Kolkata Office", "Asia/Kolkata", hours=OFFICE_HOURS)
        sydney = make_calendar(cls.env, "VBT Sydney Desk", "Australia/Sydney", hours=AROUND_THE_CLOCK,
                               weekdays=(0, 2, 4))
        # Berlin (DST on 28 March), 30-minute steps, buffers
        cls.consultant.write({"buffer_before_minutes": 10, "buffer_after_minutes": 15})
        # New York (DST on 14 March), 15-minute steps, a day's notice, two bookings a day at most
        cls.ny = cls._make_consultant(
            "VBT Nora York", "vbt_nora", tz="America/New_York", calendar=new_york, slot_interval_minutes=15,
            min_notice_hours=24, daily_booking_limit=2,
            duration_ids=[Command.create({"duration": 30}), Command.create({"duration": 60}),
                          Command.create({"duration": 45})])
        # Kolkata (+05:30, no DST), 20-minute steps
        cls.kolkata = cls._make_consultant(
            "VBT Kiran Rao", "vbt_kiran", tz="Asia/Kolkata", calendar=kolkata, slot_interval_minutes=20,
            buffer_after_minutes=5)
        # Sydney (DST ends on 4 April), around the clock on three days, 45 minutes only
        cls.sydney = cls._make_consultant(
            "VBT Sam Reid", "vbt_sam", tz="Australia/Sydney", calendar=sydney, slot_interval_minutes=30,
            duration_ids=[Command.create({"duration": 45})])
        cls.members = cls.consultant | cls.other_consultant | cls.ny | cls.kolkata | cls.sydney
        cls.booking_team = cls.env["voltaic.booking.team"].create({
            "name": "VBT Worldwide Team",
            "member_ids": [Command.create({"consultant_id": consultant.id, "sequence": index})
                           for index, consultant in enumerate(cls.members)],
        })
        cls.start = utc(2027, 3, 8, 0, 0)
        cls.end = utc(2027, 4, 6, 0, 0)
        busy = cls._busy_event
        # Anja: meetings across the European DST change, one overlapping the next, an all-day one
        busy(cls.consultant, local("Europe/Berlin", 2027, 3, 26, 10, 0), local("Europe/Berlin", 2027, 3, 26, 11, 0))
        busy(cls.consultant, local("Europe/Berlin", 2027, 3, 26, 10, 30), local("Europe/Berlin", 2027, 3, 26, 12, 0))
        busy(cls.consultant, local("Europe/Berlin", 2027, 3, 29, 10, 0), local("Europe/Berlin", 2027, 3, 29, 10, 20))
        cls.env["calendar.event"].with_context(no_mail_to_attendees=True).create({
            "name": "VBT Trade fair", "allday": True, "start_date": "2027-03-30", "stop_date": "2027-03-30",
            "user_id": cls.consultant.user_id.id, "partner_ids": [Command.set(cls.consultant.partner_id.ids)],
        })
        # Bruno: a meeting shown as free, an archived one, one he declined (none of them blocks)
        busy(cls.other_consultant, local("Europe/Berlin", 2027, 3, 9, 10, 0), local("Europe/Berlin", 2027, 3, 9, 13, 0),
             show_as="free")
        busy(cls.other_consultant, local("Europe/Berlin", 2027, 3, 10, 10, 0),
             local("Europe/Berlin", 2027, 3, 10, 13, 0)).action_archive()
        declined = busy(cls.other_consultant, local("Europe/Berlin", 2027, 3, 11, 10, 0),
                        local("Europe/Berlin", 2027, 3, 11, 13, 0))
        declined.attendee_ids.filtered(lambda a: a.partner_id == cls.other_consultant.partner_id).do_decline()
        # Bruno and Nora in the same meeting, around the US DST change
        cls.env["calendar.event"].with_context(no_mail_to_attendees=True).create({
            "name": "VBT Joint call", "start": naive(local("America/New_York", 2027, 3, 15, 9, 0)),
            "stop": naive(local("America/New_York", 2027, 3, 15, 10, 30)),
            "user_id": cls.ny.user_id.id,
            "partner_ids": [Command.set((cls.ny.partner_id | cls.other_consultant.partner_id).ids)],
        })
        # Nora: a booking (her daily limit is 2) and a meeting on the Sunday of the change
        cls._book(local("America/New_York", 2027, 3, 16, 9, 0), consultant=cls.ny, duration=30)
        busy(cls.ny, local("America/New_York", 2027, 3, 14, 1, 0), local("America/New_York", 2027, 3, 14, 4, 0))
        # Sam: busy across Sydney's DST end
        busy(cls.sydney, local("Australia/Sydney", 2027, 4, 4, 1, 0), local("Australia/Sydney", 2027, 4, 4, 2, 30))

    def own_union(self, minutes):
        """The union of each member's slots, each member computed alone."""
        union = {}
        for consultant in self.members:
            for slot_start, slot_end in consultant._get_slots(self.start, self.end, minutes, now=NOW)[consultant.id]:
                union.setdefault(slot_start, slot_end)
        return sorted(union.items())

    def test_team_slots_are_the_members_own_slots_united(self):
        for minutes in (30, 45, 60):
            with self.subTest(minutes=minutes):
                team_slots = self.booking_team._get_slots(self.start, self.end, minutes, now=NOW)
                self.assertTrue(team_slots)
                self.assertEqual(team_slots, self.own_union(minutes))
                self.assertEqual(len({start for start, _end in team_slots}), len(team_slots), "each time once")

    def test_the_tricky_parts_are_there(self):
        """The case is what it claims: each special rule shows in the members' own slots."""
        starts = {}
        for consultant in self.members:
            free = consultant._get_slots(self.start, self.end, 30, now=NOW)[consultant.id]
            starts[consultant] = {start for start, _end in free}
        # Anja's all-day trade fair (whole Berlin day) and her overlapping meetings with buffers
        self.assertFalse({s for s in starts[self.consultant] if s.date() == utc(2027, 3, 30, 12, 0).date()})
        self.assertNotIn(local("Europe/Berlin", 2027, 3, 26, 12, 0), starts[self.consultant], "buffer before")
        self.assertIn(local("Europe/Berlin", 2027, 3, 26, 12, 30), starts[self.consultant])
        # Bruno: free, archived and declined meetings do not block; the joint call does
        for day in (9, 10, 11):
            self.assertIn(local("Europe/Berlin", 2027, 3, day, 10, 0), starts[self.other_consultant])
        self.assertNotIn(local("Europe/Berlin", 2027, 3, 15, 14, 0), starts[self.other_consultant])
        # Nora: 15-minute steps, New York's summer time from 14 March
        self.assertIn(local("America/New_York", 2027, 3, 12, 9, 15), starts[self.ny])
        self.assertIn(local("America/New_York", 2027, 3, 17, 9, 15), starts[self.ny])
        # Kiran: 20-minute steps in +05:30
        self.assertIn(local("Asia/Kolkata", 2027, 3, 9, 9, 20), starts[self.kolkata])
        # Sam does not offer 30 minutes
        self.assertFalse(starts[self.sydney])

    def test_the_attendance_copy_follows_every_change(self):
        """Moving, archiving, freeing, declining and removing a meeting change the slots at once."""
        ten = local("Europe/Berlin", 2027, 3, 22, 10, 0)
        eleven = ten + timedelta(hours=1)

        def free_at(start):
            slots = self.other_consultant._get_slots(self.start, self.end, 60, now=NOW)[self.other_consultant.id]
            return start in {slot_start for slot_start, _end in slots}

        event = self._busy_event(self.other_consultant, ten, eleven)
        self.assertFalse(free_at(ten))
        event.write({"start": naive(eleven), "stop": naive(eleven + timedelta(hours=1))})
        self.assertTrue(free_at(ten))
        self.assertFalse(free_at(eleven))
        event.show_as = "free"
        self.assertTrue(free_at(eleven))
        event.show_as = "busy"
        self.assertFalse(free_at(eleven))
        event.action_archive()
        self.assertTrue(free_at(eleven))
        event.action_unarchive()
        self.assertFalse(free_at(eleven))
        event.attendee_ids.filtered(lambda a: a.partner_id == self.other_consultant.partner_id).do_decline()
        self.assertTrue(free_at(eleven))
        event.attendee_ids.filtered(lambda a: a.partner_id == self.other_consultant.partner_id).do_accept()
        self.assertFalse(free_at(eleven))
        event.partner_ids = [Command.unlink(self.other_consultant.partner_id.id)]
        self.assertTrue(free_at(eleven))
        event.partner_ids = [Command.link(self.other_consultant.partner_id.id)]
        self.assertFalse(free_at(eleven))
        event.write({"allday": True, "start_date": "2027-03-22", "stop_date": "2027-03-22"})
        self.assertFalse(free_at(ten))
        self.assertFalse(free_at(local("Europe/Berlin", 2027, 3, 22, 18, 0)))
        event.unlink()
        self.assertTrue(free_at(ten))
