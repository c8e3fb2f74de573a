"""Every door of the back office leads through the booking service, or is closed with a clear message.

A drag in the bookings' calendar view, a drag or delete in Odoo's Calendar app, a state or
consultant written over RPC, a create or unlink, the Completed / No-show buttons, and changes to a
consultant's working hours, time off and rules: each is hit here as a user would hit it.
"""

from datetime import timedelta

from lxml import etree

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import freeze_time, new_test_user
from odoo.tools.safe_eval import safe_eval

from .common import NOW, VoltaicBookingCase, local, naive

TUESDAY_10 = local("Europe/Berlin", 2027, 3, 2, 10, 0)
TUESDAY_14 = local("Europe/Berlin", 2027, 3, 2, 14, 0)
TUESDAY_15 = local("Europe/Berlin", 2027, 3, 2, 15, 0)
SUNDAY_03 = local("Europe/Berlin", 2027, 3, 7, 3, 0)
SATURDAY_10 = local("Europe/Berlin", 2027, 3, 6, 10, 0)
HOUR = timedelta(hours=1)


def as_sent(value):
    """A datetime as the web client sends it: a naive UTC string."""
    return fields.Datetime.to_string(naive(value))


@freeze_time(NOW)
class IntegrityCase(VoltaicBookingCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.consultant.video_url = "https://meet.vbt-voltaic.example/anja-berger"

    def snapshot(self, booking):
        """What a refused change must leave as it was."""
        event = booking.event_id.with_context(active_test=False)
        return (booking.start, booking.stop, booking.duration, booking.state, booking.ics_sequence,
                event.start, event.stop, event.active, sorted(booking.email_log_ids.mapped("kind")))

    def assert_moved(self, booking, start, sequence=1):
        self.assertEqual((booking.start, booking.stop, booking.state), (naive(start), naive(start + HOUR), "confirmed"))
        self.assertEqual((booking.event_id.start, booking.event_id.stop), (booking.start, booking.stop),
                         "the meeting follows")
        self.assertEqual(booking.ics_sequence, sequence, "the client's calendar entry is replaced")
        mail = booking.email_log_ids.filtered(
            lambda log: log.kind == "client_reschedule" and log.revision == sequence).mail_id
        self.assertEqual(mail.state, "outgoing", "the client is told through the mail queue")
        self.assertIn(booking.email, mail.email_to)

    def assert_cancelled(self, booking, reason):
        self.assertEqual(booking.state, "cancelled")
        self.assertEqual(booking.cancelled_at, naive(NOW))
        self.assertEqual(booking.cancellation_reason, reason)
        self.assertEqual(booking.ics_sequence, 1)
        self.assertIn("client_cancellation", booking.email_log_ids.mapped("kind"), "the client is told")
        self.assertFalse(booking.event_id.active, "the meeting is gone (archived or deleted)")


class TestBookingWrites(IntegrityCase):
    """Plain writes on a booking: the calendar view's drag, the list, RPC."""

    def test_drag_in_the_calendar_view_reschedules(self):
        booking = self._book(TUESDAY_10)
        booking.with_user(self.consultant_user).write({"start": as_sent(TUESDAY_14), "stop": as_sent(TUESDAY_15)})
        self.assert_moved(booking, TUESDAY_14)
        self.assertEqual(self._slots(self.consultant, TUESDAY_10, TUESDAY_10 + HOUR)[0][0], TUESDAY_10,
                         "the old time is free again")

    def test_drag_to_a_closed_time_changes_nothing(self):
        booking = self._book(TUESDAY_10)
        before = self.snapshot(booking)
        with self.assertRaises(UserError) as caught:
            booking.with_user(self.consultant_user).write(
                {"start": as_sent(SUNDAY_03), "stop": as_sent(SUNDAY_03 + HOUR)})
        self.assertIn("cannot meet at Sun, Mar 7, 2027, 3:00 AM", str(caught.exception))
        self.assertIn("Free times nearby", str(caught.exception))
        self.assertEqual(self.snapshot(booking), before)

    def test_state_written_over_rpc(self):
        booking = self._book(TUESDAY_10)
        booking.with_user(self.manager).write({"state": "cancelled"})
        self.assert_cancelled(booking, False)

        other = self._book(TUESDAY_14)
        before = self.snapshot(other)
        with self.assertRaises(UserError):
            other.with_user(self.manager).write({"state": "rescheduled"})
        with self.assertRaises(UserError):
            other.with_user(self.manager).write({"consultant_id": self.other_consultant.id})
        self.assertEqual((self.snapshot(other), other.consultant_id), (before, self.consultant))

    def test_readers_cannot_move(self):
        """A salesman sees the bookings of their opportunities, and moves none of them."""
        salesman = new_test_user(self.env, "vbt_sam", groups="sales_team.group_sale_salesman", name="VBT Sam Sales")
        booking = self._book(TUESDAY_10)
        booking.lead_id.user_id = salesman
        before = self.snapshot(booking)
        self.assertEqual(booking.with_user(salesman).reference, booking.reference, "they may read it")
        for write in ({"start": as_sent(TUESDAY_14), "stop": as_sent(TUESDAY_15)}, {"state": "cancelled"}):
            with self.subTest(write=write), self.assertRaises(AccessError):
                booking.with_user(salesman).write(write)
        with self.assertRaises(AccessError):
            booking.event_id.with_user(salesman).write({"start": as_sent(TUESDAY_14), "stop": as_sent(TUESDAY_15)})
        self.assertEqual(self.snapshot(booking), before)

    def test_no_plain_create_nor_unlink(self):
        booking = self._book(TUESDAY_10)
        with self.assertRaises(UserError):
            booking.with_user(self.manager).unlink()
        self.assertTrue(booking.exists())
        with self.assertRaises(UserError):
            self.env["voltaic.booking"].with_user(self.manager).create({
                "consultant_id": self.consultant.id, "start": naive(TUESDAY_14), "stop": naive(TUESDAY_15),
                "duration": 60, "first_name": "Tom", "last_name": "Baker", "email": "tom@vbt-client.example",
            })


class TestCalendarAppDoors(IntegrityCase):
    """The booking's meeting in Odoo's Calendar app: moved, deleted or archived by the consultant."""

    def test_event_drag_reschedules_the_booking(self):
        booking = self._book(TUESDAY_10)
        event = booking.event_id.with_user(self.consultant_user)
        event.write({"start": as_sent(TUESDAY_14), "stop": as_sent(TUESDAY_15), "allday": False,
                     "name": "Consultation (moved)"})
        self.assert_moved(booking, TUESDAY_14)
        self.assertEqual(event.name, "Consultation (moved)", "the other values of the write apply")
        self.assertTrue(event.active)

    def test_event_resize_to_a_duration_not_offered_is_refused(self):
        booking = self._book(TUESDAY_10)
        before = self.snapshot(booking)
        with self.assertRaises(UserError) as caught:
            booking.event_id.with_user(self.consultant_user).write(
                {"stop": as_sent(TUESDAY_10 + timedelta(minutes=45))})
        self.assertIn("45-minute", str(caught.exception))
        self.assertEqual(self.snapshot(booking), before)

    def test_event_drag_to_a_busy_or_closed_time_changes_nothing(self):
        booking = self._book(TUESDAY_10)
        self._book(TUESDAY_14, email="tom.baker@vbt-client.example")
        before = self.snapshot(booking)
        event = booking.event_id.with_user(self.consultant_user)
        for start in (TUESDAY_14, SATURDAY_10):
            with self.subTest(start=start), self.assertRaises(UserError) as caught:
                event.write({"start": as_sent(start), "stop": as_sent(start + HOUR)})
            self.assertIn("cannot meet", str(caught.exception))
            self.assertEqual(self.snapshot(booking), before)

    def test_meeting_of_a_past_consultation_stays(self):
        booking = self._book(TUESDAY_10)
        with freeze_time(TUESDAY_10 + timedelta(minutes=70)):
            booking.with_user(self.consultant_user).action_complete()
            with self.assertRaises(UserError) as caught:
                booking.event_id.with_user(self.consultant_user).write(
                    {"start": as_sent(TUESDAY_14), "stop": as_sent(TUESDAY_15)})
        self.assertIn("cannot be moved: the consultation is “Completed”", str(caught.exception))
        self.assertEqual((booking.event_id.start, booking.start), (naive(TUESDAY_10), naive(TUESDAY_10)))

    def test_event_of_someone_elses_booking(self):
        booking = self._book(TUESDAY_10)
        before = self.snapshot(booking)
        with self.assertRaises(AccessError):
            booking.event_id.with_user(self.other_consultant_user).write(
                {"start": as_sent(TUESDAY_14), "stop": as_sent(TUESDAY_15)})
        with self.assertRaises(AccessError):
            booking.event_id.with_user(self.other_consultant_user).unlink()
        self.assertEqual(self.snapshot(booking), before)

    def test_event_deleted_cancels_the_booking(self):
        booking = self._book(TUESDAY_10)
        event = booking.event_id
        event.with_user(self.consultant_user).unlink()
        self.assert_cancelled(booking, "The meeting was deleted in the calendar.")
        self.assertFalse(event.exists(), "the meeting is deleted")
        self.assertFalse(booking.event_id)
        self.assertEqual(self._slots(self.consultant, TUESDAY_10, TUESDAY_10 + HOUR)[0][0], TUESDAY_10)

    def test_event_archived_cancels_the_booking(self):
        booking = self._book(TUESDAY_10)
        event = booking.event_id
        event.with_user(self.consultant_user).action_archive()
        self.assert_cancelled(booking, "The meeting was archived in the calendar.")
        self.assertEqual(booking.event_id, event, "the booking keeps its archived meeting")
        with self.assertRaises(UserError):
            event.with_user(self.consultant_user).action_unarchive()
        self.assertFalse(event.active, "the meeting of a cancelled consultation does not come back")
        event.with_user(self.consultant_user).unlink()  # removing it from the archive is harmless
        self.assertFalse(booking.event_id)

    def test_started_meeting_is_not_deleted_behind_the_booking(self):
        booking = self._book(TUESDAY_10)
        with freeze_time(TUESDAY_10 + timedelta(minutes=5)), self.assertRaises(UserError):
            booking.event_id.with_user(self.consultant_user).unlink()
        self.assertEqual((booking.state, booking.event_id.active), ("confirmed", True))

    def test_calendar_sync_moves_are_proposed_not_applied(self):
        """Odoo's Google/Outlook sync writes with ``dont_notify``: it must never fail, nor move a booking alone."""
        booking = self._book(TUESDAY_10)
        before = self.snapshot(booking)
        booking.event_id.with_user(self.consultant_user).with_context(dont_notify=True).write(
            {"start": as_sent(SUNDAY_03), "stop": as_sent(SUNDAY_03 + HOUR), "location": "Room 2"})
        self.assertEqual(self.snapshot(booking), before, "neither the booking nor its meeting moved")
        self.assertEqual(booking.event_id.location, "Room 2")
        self.assertTrue(booking.needs_review)
        self.assertIn("moved to Sun, Mar 7, 2027", str(booking.review_activity_id.note))

    def test_events_without_booking_are_free(self):
        event = self._busy_event(self.consultant, TUESDAY_10, TUESDAY_10 + HOUR).with_user(self.consultant_user)
        event.write({"start": as_sent(SUNDAY_03), "stop": as_sent(SUNDAY_03 + HOUR)})
        self.assertEqual(event.start, naive(SUNDAY_03))
        event.action_archive()
        event.action_unarchive()
        event.unlink()
        self.assertFalse(event.exists())

    def test_other_writes_on_the_meeting_go_through(self):
        booking = self._book(TUESDAY_10)
        event = booking.event_id.with_user(self.consultant_user)
        event.write({"description": "<p>Bring the roof plans.</p>", "alarm_ids": [Command.clear()]})
        event.attendee_ids.filtered(lambda a: a.partner_id == self.consultant.partner_id).do_decline()
        self.assertEqual((booking.state, booking.ics_sequence, booking.start), ("confirmed", 0, naive(TUESDAY_10)))


class TestOutcomeButtons(IntegrityCase):
    """Completed and No-show: only once the meeting began, and only after a confirmation."""

    def test_not_before_the_meeting(self):
        booking = self._book(TUESDAY_10).with_user(self.consultant_user)
        for action in (booking.action_complete, booking.action_mark_no_show):
            with self.subTest(action=action.__name__), self.assertRaises(UserError):
                action()
        self.assertEqual(booking.state, "confirmed")
        with freeze_time(TUESDAY_10 + timedelta(minutes=50)):
            booking.action_complete()
            self.assertEqual(booking.state, "completed")
            booking.action_mark_no_show()
            self.assertEqual(booking.state, "no_show")

    def _arch(self, view_type):
        views = self.env["voltaic.booking"].with_user(self.manager).get_views([(False, view_type)])
        return etree.fromstring(views["views"][view_type]["arch"])

    def _invisible(self, node, booking):
        values = {name: booking[name] for name in ("state", "meeting_started", "needs_review")}
        return bool(safe_eval(node.get("invisible", "False"), values))

    def test_form_buttons_confirm_and_wait_for_the_meeting(self):
        form = self._arch("form")
        booking = self._book(TUESDAY_10)
        for name in ("action_complete", "action_mark_no_show"):
            with self.subTest(button=name):
                [button] = form.xpath(f"//header/button[@name='{name}']")
                self.assertTrue(button.get("confirm"), "the user confirms first")
                self.assertTrue(self._invisible(button, booking), "hidden before the meeting")
                with freeze_time(TUESDAY_10 + timedelta(minutes=1)):
                    booking.invalidate_recordset(["meeting_started"])
                    self.assertFalse(self._invisible(button, booking), "offered once it began")
                booking.invalidate_recordset(["meeting_started"])
        for button in form.xpath("//header/button[@data-hotkey]"):
            with self.subTest(hotkey=button.get("name")):
                self.assertTrue(button.get("confirm") or button.get("name").startswith("action_open_"),
                                "a hotkey never acts without a confirmation or a wizard")
        [statusbar] = form.xpath("//header/field[@name='state']")
        self.assertNotIn("clickable", statusbar.get("options", ""))
        self.assertIn(statusbar.get("readonly"), ("1", "True"))
        for button in self._arch("list").xpath("//header/button[@name='action_complete']"):
            self.assertTrue(button.get("confirm"))

    def test_calendar_view_creates_nothing(self):
        calendar = self._arch("calendar")
        self.assertEqual((calendar.get("quick_create"), calendar.get("create")), ("0", "0"))
        self.assertFalse(calendar.get("readonly"), "dragging stays allowed: it reschedules through the service")


class TestScheduleChanges(IntegrityCase):
    """A consultant's hours, time off and rules change: bookings that no longer fit are flagged, never moved."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.consultant.write({"offers_phone": True})
        # extra hours on Saturday 6 March, 10:00-12:00
        cls.extra = cls.env["voltaic.consultant.extra.hours"].create({
            "consultant_id": cls.consultant.id, "date": "2027-03-06", "hour_from": 10, "hour_to": 12})

    def at(self, *args, **values):
        return self._book(local("Europe/Berlin", 2027, 3, *args), **values)

    def end_of_request(self):
        """The recheck runs once, on the final schedule, when the request's transaction commits."""
        self.env.cr.flush()

    def assert_flagged(self, flagged, others, reason):
        self.assertEqual(flagged.mapped("needs_review"), [True] * len(flagged))
        self.assertEqual(others.filtered("needs_review"), others.browse(), "the others still fit")
        managers = self.env.ref("voltaic_booking.group_manager").all_user_ids
        for booking in flagged:
            with self.subTest(booking=booking.reference):
                [activity] = booking.activity_ids
                self.assertEqual(activity, booking.review_activity_id)
                self.assertEqual(activity.activity_type_id, self.env.ref("mail.mail_activity_data_todo"))
                self.assertIn(activity.user_id, managers)
                self.assertIn(booking.reference, activity.summary)
                self.assertIn(reason, str(activity.note))
        self.assertFalse(others.activity_ids)

    def test_hours_time_off_and_extra_hours(self):
        tuesday_morning, tuesday_afternoon = self.at(2, 10, 0), self.at(2, 15, 0)
        wednesday, saturday = self.at(3, 10, 0), self.at(6, 10, 0)
        friday_other = self.at(5, 14, 0, consultant=self.other_consultant)
        bookings = tuesday_morning | tuesday_afternoon | wednesday | saturday | friday_other
        before = [(b.start, b.stop, b.state, b.ics_sequence, b.event_id.start) for b in bookings]
        consultant = self.consultant.with_user(self.manager)

        # the manager drops Tuesday afternoons from the shared working hours (their own form)
        afternoon = self.calendar.attendance_ids.filtered(lambda a: a.dayofweek == "1" and a.day_period == "afternoon")
        self.calendar.with_user(self.manager).write({"attendance_ids": [Command.delete(afternoon.id)]})
        self.end_of_request()
        self.assert_flagged(tuesday_afternoon, bookings - tuesday_afternoon, "no longer inside the working hours")

        # Anja takes Wednesday morning off (the consultant form)
        consultant.write({"leave_ids": [Command.create({
            "name": "Dentist", "date_from": naive(local("Europe/Berlin", 2027, 3, 3, 9, 0)),
            "date_to": naive(local("Europe/Berlin", 2027, 3, 3, 12, 0)), "time_type": "leave"})]})
        self.end_of_request()
        flagged = tuesday_afternoon | wednesday
        self.assert_flagged(flagged, bookings - flagged, "no longer inside the working hours")

        # she deletes her Saturday extra hours (their list)
        self.extra.with_user(self.consultant_user).unlink()
        self.end_of_request()
        flagged |= saturday
        self.assert_flagged(flagged, bookings - flagged, "no longer inside the working hours")

        # a public holiday (no resource, no working hours) on Friday afternoon concerns everyone
        self._leave(local("Europe/Berlin", 2027, 3, 5, 12, 0), local("Europe/Berlin", 2027, 3, 5, 20, 0),
                    name="Company day")
        self.end_of_request()
        flagged |= friday_other
        self.assert_flagged(flagged, bookings - flagged, "no longer inside the working hours")
        self.assertEqual([(b.start, b.stop, b.state, b.ics_sequence, b.event_id.start) for b in bookings], before,
                         "nothing moved, nothing cancelled, nobody told")

        # a further change does not pile up To-Dos
        consultant.write({"buffer_after_minutes": 5})
        self.end_of_request()
        self.assertEqual(len(tuesday_afternoon.activity_ids), 1)

    def test_schedule_edited_line_by_line_is_judged_once(self):
        """Hours moved from one line to another in one save: no false alarm from the state in between."""
        booking = self.at(2, 16, 0)
        lines = self.calendar.attendance_ids.filtered(lambda a: a.dayofweek == "1")
        morning = lines.filtered(lambda a: a.day_period == "morning")
        afternoon = lines.filtered(lambda a: a.day_period == "afternoon")
        self.consultant.with_user(self.manager).write({"calendar_attendance_ids": [
            Command.update(afternoon.id, {"hour_from": 17}),     # 16:00-17:00 is out for a moment ...
            Command.update(morning.id, {"hour_to": 17}),         # ... and back in: mornings run to 17:00
            Command.delete(lines.filtered(lambda a: a.day_period == "lunch").id),
        ]})
        self.end_of_request()
        self.assertFalse(booking.needs_review)

    def test_rules(self):
        thursday_10, thursday_11, thursday_14 = self.at(4, 10, 0), self.at(4, 11, 0), self.at(4, 14, 0)
        short = self.at(5, 10, 0, duration=30)
        phone = self.at(5, 14, 0, meeting_type="phone")
        bookings = thursday_10 | thursday_11 | thursday_14 | short | phone
        consultant = self.consultant.with_user(self.manager)

        consultant.write({"buffer_after_minutes": 15})
        self.end_of_request()
        self.assert_flagged(thursday_10 | thursday_11, thursday_14 | short | phone, "too close to another")

        line_30 = consultant.duration_ids.filtered(lambda line: line.duration == 30)
        consultant.write({"duration_ids": [Command.update(line_30.id, {"active": False})]})
        consultant.write({"offers_phone": False})
        self.end_of_request()
        self.assert_flagged(short, thursday_14, "no longer offers 30-minute meetings")
        self.assert_flagged(phone, thursday_14, "no longer offers “Phone call”")
        self.assertEqual(set(bookings.mapped("state")), {"confirmed"})

    def test_review_is_cleared_by_a_manager_or_by_the_change_itself(self):
        kept, moved, cancelled = self.at(2, 15, 0), self.at(2, 16, 0), self.at(2, 17, 0)
        afternoon = self.calendar.attendance_ids.filtered(lambda a: a.dayofweek == "1" and a.day_period == "afternoon")
        self.consultant.with_user(self.manager).write({"calendar_attendance_ids": [Command.delete(afternoon.id)]})
        self.end_of_request()
        self.assertEqual((kept | moved | cancelled).mapped("needs_review"), [True] * 3)
        flagged = self.env["voltaic.booking"].with_user(self.manager).search(
            [("id", "in", (kept | moved | cancelled).ids)] + self._search_filter("needs_review"))
        self.assertEqual(flagged, (kept | moved | cancelled).with_user(self.manager))

        with self.assertRaises(AccessError):
            kept.with_user(self.consultant_user).action_mark_reviewed()
        kept.with_user(self.manager).action_mark_reviewed()
        wednesday = local("Europe/Berlin", 2027, 3, 3, 10, 0)
        moved.with_user(self.consultant_user).write({"start": as_sent(wednesday), "stop": as_sent(wednesday + HOUR)})
        cancelled.with_user(self.consultant_user).action_cancel()
        for booking in kept | moved | cancelled:
            with self.subTest(booking=booking.reference):
                self.assertFalse(booking.needs_review)
                self.assertFalse(booking.activity_ids, "the To-Do is done")
                self.assertTrue(booking.message_ids.filtered("mail_activity_type_id"), "and logged as done")

    def _search_filter(self, name):
        arch = etree.fromstring(self.env["voltaic.booking"].get_views([(False, "search")])["views"]["search"]["arch"])
        [node] = arch.xpath(f"//filter[@name='{name}']")
        self.assertEqual(node.get("string"), "Needs Review")
        return safe_eval(node.get("domain"))
