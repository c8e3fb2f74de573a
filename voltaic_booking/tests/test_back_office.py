"""The back office: book from a lead, reschedule, cancel, complete, no-show; the lead follows; schedules."""

from datetime import date, timedelta
from unittest.mock import patch

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, HttpCase, freeze_time, tagged
from odoo.tools import mute_logger

from .back_office_common import BackOfficeCase, after_start, naive, utc
from .common import AROUND_THE_CLOCK, make_calendar, make_consultant
from odoo.addons.voltaic_booking.exceptions import SlotUnavailableError


@freeze_time("2026-03-02 06:00:00")
class TestBookFromLead(BackOfficeCase):
    def _wizard_form(self, lead=None, user=None):
        lead = lead or self.lead
        env = self.env(user=user) if user else self.env
        return Form(env["voltaic.book.consultation"].with_context(default_lead_id=lead.id))

    def test_wizard_prefills_from_lead_and_offers_live_slots_in_client_zone(self):
        wizard = self._wizard_form()
        # the salesperson of the lead is a consultant: preselected, with their first offer
        self.assertEqual(wizard.consultant_id, self.consultant)
        self.assertEqual(wizard.duration, "30")
        self.assertEqual(wizard.meeting_type, "video")
        self.assertEqual((wizard.first_name, wizard.last_name), ("Priya", "Sharma"))
        self.assertEqual(wizard.email, "priya@sharma-solar.example")
        self.assertEqual(wizard.company, "Sharma Solar")
        self.assertEqual(wizard.client_tz, "Asia/Kolkata")
        self.assertEqual(wizard.slot_date, date(2026, 3, 2))
        options = wizard.slot_options
        # Monday 9:00 Berlin (8:00 UTC) is 1:30 PM in Kolkata (the user reads English: 12-hour clock, month
        # first); the lunch break 12-13 Berlin is left out
        self.assertEqual(options[0], {"value": "2026-03-02T08:00:00Z", "label": "1:30 PM",
                                      "day": "Mon, Mar 2", "date": "2026-03-02"})
        monday = [option["value"] for option in options if option["date"] == "2026-03-02"]
        self.assertEqual(len(monday), 14)  # 9:00-11:30 and 13:00-16:30, every 30 minutes
        self.assertNotIn("2026-03-02T11:00:00Z", monday)
        # the rest of the month (in the client's calendar): the working days, nothing on weekends
        days = {option["date"] for option in options}
        self.assertEqual(min(days), "2026-03-02")
        self.assertEqual(max(days), "2026-03-31")
        self.assertFalse({"2026-03-07", "2026-03-08"} & days)
        expected = self.consultant._get_slots(
            utc(2026, 3, 1, 18, 30), utc(2026, 3, 31, 18, 30), 30)[self.consultant.id]
        self.assertEqual([option["value"] for option in options],
                         [start.strftime("%Y-%m-%dT%H:%M:%SZ") for start, _end in expected])

    @freeze_time("2026-12-31 22:00:00")
    def test_wizard_month_is_the_clients_when_their_new_year_has_begun(self):
        """22:00 UTC on 31 December is 03:30 on New Year's Day in Kolkata, 23:00 on New Year's Eve in Berlin:
        December is over for the client, not yet for the salesperson."""
        wizard = self._wizard_form(user=self.salesman)
        self.assertEqual(wizard.slot_date.replace(day=1), date(2027, 1, 1))
        self.assertTrue(wizard.slot_options)
        self.assertTrue(all(option["date"].startswith("2027-01") for option in wizard.slot_options))
        # no consultant yet: the picker opens on the client's today, not on the user's (Berlin: still 2026)
        self.lead.user_id = self.salesman
        wizard = self._wizard_form(user=self.salesman)
        self.assertFalse(wizard.consultant_id)
        self.assertEqual(wizard.slot_date, date(2027, 1, 1))

    def test_wizard_reads_dates_in_the_users_language(self):
        self.env["res.lang"]._activate_lang("de_DE")
        self.salesman.lang = "de_DE"
        wizard = Form(self.env(user=self.salesman, context=dict(self.env.context, lang="de_DE"))[
            "voltaic.book.consultation"].with_context(default_lead_id=self.lead.id))
        self.assertEqual(wizard.consultant_id, self.consultant)
        # German: day before month, 24-hour clock
        self.assertEqual(wizard.slot_options[0]["label"], "13:30")
        self.assertEqual(wizard.slot_options[0]["day"], "Mo., 2. März")

    def test_wizard_preselects_a_bookable_consultant_or_asks(self):
        # the lead's salesperson is no consultant and neither is the user: several could be meant
        self.lead.user_id = self.salesman
        wizard = self._wizard_form()
        self.assertFalse(wizard.consultant_id)
        self.assertFalse(wizard.slot_options)
        # the user is a consultant: they are preselected
        wizard = self._wizard_form(user=self.other_consultant_user)
        self.assertEqual(wizard.consultant_id, self.other_consultant)
        # the salesperson's consultant profile does not take bookings: the only bookable one is taken
        self.lead.user_id = self.consultant_user
        self.consultant.is_accepting_bookings = False
        others = self.env["voltaic.consultant"].search([("is_accepting_bookings", "=", True)]) - self.other_consultant
        others.write({"is_accepting_bookings": False})
        wizard = self._wizard_form()
        self.assertEqual(wizard.consultant_id, self.other_consultant)
        self.assertTrue(wizard.slot_options)

    def test_company_contact_is_not_split_into_a_name(self):
        acme = self.env["res.partner"].create({
            "name": "Acme Corporation", "is_company": True, "email": "office@acme.example"})
        lead = self.env["crm.lead"].create({
            "name": "Acme heat pumps", "type": "opportunity", "partner_id": acme.id, "user_id": self.consultant_user.id,
        })
        lead.contact_name = False
        wizard = self._wizard_form(lead=lead)
        self.assertEqual((wizard.first_name, wizard.last_name), (False, False))
        self.assertEqual(wizard.company, "Acme Corporation")
        self.assertEqual(wizard.email, "office@acme.example")
        # a person at the company is split, the company kept
        lead.contact_name = "Jane van der Berg"
        wizard = self._wizard_form(lead=lead)
        self.assertEqual((wizard.first_name, wizard.last_name, wizard.company),
                         ("Jane", "van der Berg", "Acme Corporation"))

    def test_book_from_lead_uses_the_booking_service(self):
        self._configure_crm()
        wizard = self._wizard_form()
        wizard.duration = "60"
        wizard.meeting_type = "phone"
        wizard.slot_start = "2026-03-03T13:00:00Z"
        wizard.message = "Roof is 400 m2."
        action = wizard.save().action_book()
        self.assertEqual(action["params"]["next"], {"type": "ir.actions.act_window_close"})
        booking = self.lead.voltaic_booking_ids
        self.assertEqual(len(booking), 1)
        self.assertRecordValues(booking, [{
            "source": "backend",
            "consultant_id": self.consultant.id,
            "partner_id": self.client.id,
            "start": naive(2026, 3, 3, 13, 0),
            "stop": naive(2026, 3, 3, 14, 0),
            "duration": 60,
            "meeting_type": "phone",
            "location": "We call you.",
            "client_tz": "Asia/Kolkata",
            "state": "confirmed",
        }])
        self.assertTrue(booking.event_id)
        self.assertEqual(booking.event_id.opportunity_id, self.lead)
        self.assertEqual(self.lead.voltaic_booking_count, 1)
        self.assertEqual(self.lead.stage_id, self.stage_scheduled)
        self.assertEqual(booking.start_client_display,
                         "Tue, Mar 3, 2026, 6:30 PM – 7:30 PM (Asia/Kolkata)")
        self.assertEqual(booking.start_consultant_display,
                         "Tue, Mar 3, 2026, 2:00 PM – 3:00 PM (Europe/Berlin)")
        # German users read German dates and the 24-hour clock
        self.assertEqual(booking.with_context(lang="de_DE").start_consultant_display,
                         "Di., 3. März 2026, 14:00 – 15:00 (Europe/Berlin)")

    def test_taken_slot_is_refused_with_alternatives_in_client_zone(self):
        wizard = self._wizard_form()
        wizard.slot_start = "2026-03-02T08:00:00Z"
        record = wizard.save()
        self._book(utc(2026, 3, 2, 8, 0), duration=30, lead=False, email="someone@else.example")
        with self.assertRaises(SlotUnavailableError) as caught:
            record.action_book()
        message = str(caught.exception)
        self.assertIn("no longer available", message)
        # the next free slots, in Kolkata time
        self.assertIn("Mon, Mar 2, 2026, 2:00 PM", message)
        self.assertEqual(len(self.lead.voltaic_booking_ids), 0)

    def test_wizard_requires_a_slot_and_follows_the_consultant_offer(self):
        thirty = self.other_consultant.duration_ids.filtered(lambda line: line.duration == 30)
        self.other_consultant.write({
            "duration_ids": [Command.update(thirty.id, {"active": False}), Command.create({"duration": 90})],
            "offers_video": False,
        })
        wizard = self._wizard_form()
        self.assertEqual((wizard.duration, wizard.meeting_type), ("30", "video"))
        self.assertIn("30, 60", wizard.offer_info)
        wizard.consultant_id = self.other_consultant
        # 30 minutes and video calls are not offered by Otto: his first offer is taken
        self.assertEqual((wizard.duration, wizard.meeting_type), ("60", "phone"))
        self.assertIn("60, 90", wizard.offer_info)
        wizard.duration = "90"
        self.assertEqual(wizard.slot_options[0]["value"], "2026-03-02T08:00:00Z")
        wizard.slot_start = "2026-03-02T08:00:00Z"
        record = wizard.save()
        record.slot_start = False
        with self.assertRaises(UserError):
            record.action_book()

    def test_chosen_slot_is_cleared_when_it_is_no_longer_offered(self):
        wizard = self._wizard_form()
        wizard.slot_start = "2026-03-02T15:30:00Z"  # 16:30 Berlin: fits 30 minutes, not 60
        wizard.duration = "60"
        self.assertFalse(wizard.slot_start)

    def test_salesman_books_for_own_lead_but_not_for_a_lead_he_cannot_write(self):
        lead = self.lead.copy({"user_id": self.salesman.id, "name": "Sam's lead"})
        wizard = self._wizard_form(lead, user=self.salesman)
        wizard.consultant_id = self.consultant
        wizard.slot_start = "2026-03-02T09:00:00Z"
        wizard.save().action_book()
        self.assertEqual(lead.voltaic_booking_count, 1)
        self.assertEqual(lead.with_user(self.salesman).voltaic_booking_count, 1)

        foreign = self.lead.copy({"user_id": self.other_consultant_user.id, "name": "Otto's lead"})
        with self.assertRaises(AccessError), mute_logger("odoo.models"):
            self.env["voltaic.book.consultation"].with_user(self.salesman).create({
                "lead_id": foreign.id, "consultant_id": self.consultant.id, "duration": "30",
                "slot_start": "2026-03-02T10:00:00Z", "client_tz": "UTC", "first_name": "P", "last_name": "S",
                "email": "p@example.com", "language": "en",
            }).action_book()
        self.assertFalse(foreign.voltaic_booking_ids)


@freeze_time("2026-03-02 06:00:00")
class TestBookingActions(BackOfficeCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.booking = cls.env["voltaic.booking"]._book({
            "consultant_id": cls.consultant.id, "start": utc(2026, 3, 4, 9, 0), "duration": 60,
            "meeting_type": "video", "client_tz": "Asia/Kolkata", "first_name": "Priya", "last_name": "Sharma",
            "email": "priya@sharma-solar.example", "source": "backend", "lead_id": cls.lead.id,
        })

    def _follow_ups(self):
        # the meeting itself also shows as an activity on the lead (calendar's own)
        return self.lead.activity_ids.filtered(lambda activity: activity.summary == "Consultation follow-up")

    def test_reschedule_wizard_moves_booking_event_and_lead_log(self):
        action = self.booking.action_open_reschedule_wizard()
        self.assertEqual(action["res_model"], "voltaic.reschedule.booking")
        wizard = Form(self.env["voltaic.reschedule.booking"].with_context(**action["context"]))
        self.assertEqual(wizard.duration, "60")
        self.assertEqual(wizard.client_tz, "Asia/Kolkata")
        values = [option["value"] for option in wizard.slot_options]
        # the booking's own time stays on offer (it may move by half an hour)
        self.assertIn("2026-03-04T09:00:00Z", values)
        self.assertIn("2026-03-04T08:30:00Z", values)
        wizard.slot_start = "2026-03-05T14:00:00Z"
        wizard.save().action_reschedule()
        self.assertRecordValues(self.booking, [{
            "start": naive(2026, 3, 5, 14, 0), "stop": naive(2026, 3, 5, 15, 0), "state": "confirmed",
            "ics_sequence": 1,
        }])
        self.assertEqual(self.booking.event_id.start, naive(2026, 3, 5, 14, 0))
        self.assertIn("moved from", self.lead.message_ids[0].body)

    def test_reschedule_to_a_slot_taken_meanwhile_changes_nothing(self):
        wizard = Form(self.env["voltaic.reschedule.booking"].with_context(default_booking_id=self.booking.id))
        wizard.slot_start = "2026-03-05T14:00:00Z"
        record = wizard.save()
        self._book(utc(2026, 3, 5, 14, 0), lead=False, email="fast@client.example")
        with self.assertRaises(SlotUnavailableError):
            record.action_reschedule()
        self.assertEqual(self.booking.start, naive(2026, 3, 4, 9, 0))

    def test_cancel_wizard_needs_a_reason_and_moves_lead_to_follow_up(self):
        self._configure_crm()
        action = self.booking.action_open_cancel_wizard()
        wizard = Form(self.env["voltaic.cancel.booking"].with_context(**action["context"]))
        self.assertEqual(wizard.booking_ids[:], self.booking)
        with self.assertRaises(AssertionError):
            wizard.save()  # the reason is required
        wizard.reason = "Client postponed the project"
        wizard.save().action_cancel()
        self.assertRecordValues(self.booking, [{
            "state": "cancelled", "cancellation_reason": "Client postponed the project"}])
        self.assertFalse(self.booking.event_id.active)
        self.assertEqual(self.lead.stage_id, self.stage_follow_up)

    def test_bulk_cancel_from_the_list(self):
        second = self._book(utc(2026, 3, 6, 9, 0), consultant=self.other_consultant)
        bookings = self.booking | second
        wizard = Form(self.env["voltaic.cancel.booking"].with_context(
            active_model="voltaic.booking", active_ids=bookings.ids))
        wizard.reason = "Office closed"
        wizard.save().action_cancel()
        self.assertEqual(set(bookings.mapped("state")), {"cancelled"})

    def test_bulk_mark_completed(self):
        second = self._book(utc(2026, 3, 6, 9, 0), consultant=self.other_consultant)
        with after_start(self.booking | second):
            (self.booking | second).action_complete()
        self.assertEqual(set((self.booking | second).mapped("state")), {"completed"})

    def test_completion_moves_lead_posts_notes_and_plans_follow_up(self):
        todo_call = self.env.ref("mail.mail_activity_data_call")
        self._configure_crm(follow_up_activity_type_id=todo_call.id, follow_up_delay_days=3)
        self.assertEqual(self.lead.stage_id, self.stage_new)  # booked before the mapping was configured
        self.booking.consultant_notes = "<p>Wants a quote for 120 kWp.</p>"
        self.assertFalse(self.lead.message_ids.filtered(lambda m: "120 kWp" in str(m.body)),
                         "notes before the meeting stay on the booking")
        with after_start(self.booking):
            self.booking.action_complete()
        self.assertEqual(self.booking.state, "completed")
        self.assertEqual(self.lead.stage_id, self.stage_met)
        activity = self._follow_ups()
        self.assertEqual(len(activity), 1)
        self.assertRecordValues(activity, [{
            "activity_type_id": todo_call.id,
            "user_id": self.consultant_user.id,
            "date_deadline": date(2026, 3, 7),  # completed on the 4th, 3 days later
        }])
        self.assertIn("120 kWp", str(activity.note))
        notes = self.lead.message_ids.filtered(lambda m: "120 kWp" in str(m.body))
        self.assertEqual(len(notes), 1)
        self.assertTrue(notes.subtype_id == self.env.ref("mail.mt_note"))
        # notes completed afterwards reach the lead too
        self.booking.consultant_notes = "<p>Sent the quote on Friday.</p>"
        self.assertTrue(self.lead.message_ids.filtered(lambda m: "Sent the quote" in str(m.body)))

    def test_follow_up_goes_to_the_salesperson_with_a_todo_by_default(self):
        self._configure_crm()
        self.lead.user_id = self.salesman
        with after_start(self.booking):
            self.booking.action_complete()
        self.assertRecordValues(self._follow_ups(), [{
            "activity_type_id": self.env.ref("mail.mail_activity_data_todo").id,
            "user_id": self.salesman.id,
            "date_deadline": date(2026, 3, 6),  # completed on the 4th, 2 days later
        }])

    def test_no_show_asks_for_follow_up_unless_another_consultation_is_ahead(self):
        self._configure_crm()
        later = self._book(utc(2026, 3, 10, 9, 0))
        with after_start(self.booking):
            self.booking.action_mark_no_show()
        self.assertEqual(self.booking.state, "no_show")
        self.assertEqual(self.lead.stage_id, self.stage_scheduled, "another consultation is still ahead")
        later.action_cancel("Changed plans")
        self.assertEqual(self.lead.stage_id, self.stage_follow_up)
        self.assertFalse(self._follow_ups(), "no follow-up activity without a completed meeting")

    def test_won_or_lost_leads_keep_their_stage(self):
        self._configure_crm()
        self.lead.action_set_won()
        won_stage = self.lead.stage_id
        with after_start(self.booking):
            self.booking.action_complete()
        self.assertEqual(self.lead.stage_id, won_stage)

    def test_a_new_consultation_does_not_pull_a_lead_back(self):
        self._configure_crm()
        proposal = self.env["crm.stage"].create({"name": "VB Proposal", "sequence": 10})
        self.lead.stage_id = proposal
        self._book(utc(2026, 3, 10, 9, 0))
        self.assertEqual(self.lead.stage_id, proposal)
        with after_start(self.booking):
            self.booking.action_complete()
        self.assertEqual(self.lead.stage_id, proposal)

    def test_no_mapping_keeps_the_stage(self):
        with after_start(self.booking):
            self.booking.action_mark_no_show()
        self.assertEqual(self.lead.stage_id, self.stage_new)

    def test_send_reminder_now_from_the_form_and_the_list(self):
        second = self._book(utc(2026, 3, 6, 9, 0), consultant=self.other_consultant)
        reminded = []

        def fake_send_reminder(bookings):
            reminded.append(bookings)

        # the reminder itself belongs to the notifications; the back office only has to call it
        Booking = type(self.env["voltaic.booking"])
        action = self.env.ref("voltaic_booking.voltaic_booking_action_send_reminder")
        with patch.object(Booking, "action_send_reminder", fake_send_reminder, create=True):
            action.with_context(active_model="voltaic.booking", active_id=self.booking.id,
                                active_ids=self.booking.ids).run()
            action.with_user(self.consultant_user).with_context(
                active_model="voltaic.booking", active_ids=(self.booking | second).ids).run()
        self.assertEqual(reminded, [self.booking, self.booking | second])

    def test_actions_refuse_wrong_states(self):
        with self.assertRaises(UserError, msg="not before the meeting began"):
            self.booking.action_complete()
        with after_start(self.booking):
            self.booking.action_complete()
        with self.assertRaises(UserError):
            self.booking.action_complete()
        with self.assertRaises(UserError):
            self.booking.action_cancel("too late")
        with self.assertRaises(UserError):
            self.booking._reschedule(utc(2026, 3, 9, 9, 0))

    def test_settings_store_the_stage_mapping(self):
        settings = Form(self.env["res.config.settings"])
        settings.voltaic_stage_scheduled_id = self.stage_scheduled
        settings.voltaic_stage_completed_id = self.stage_met
        settings.voltaic_stage_follow_up_id = self.stage_follow_up
        settings.voltaic_follow_up_delay_days = 5
        settings.save().execute()
        parameters = self.env["ir.config_parameter"].sudo()
        self.assertEqual(parameters.get_param("voltaic_booking.stage_completed_id"), str(self.stage_met.id))
        self.assertEqual(parameters.get_param("voltaic_booking.follow_up_delay_days"), "5")
        with after_start(self.booking):
            self.booking.action_complete()
        self.assertEqual(self.lead.stage_id, self.stage_met)
        self.assertEqual(self._follow_ups().date_deadline, date(2026, 3, 9))  # completed on the 4th

    def test_lead_smart_button_opens_its_bookings_on_the_next_meeting(self):
        action = self.lead.action_view_voltaic_bookings()
        self.assertEqual(self.env["voltaic.booking"].search(action["domain"]), self.booking)
        self.assertEqual(action["context"]["initial_date"], "2026-03-04 09:00:00")
        action = self.lead.action_book_consultation()
        self.assertEqual(action["res_model"], "voltaic.book.consultation")
        self.assertEqual(action["context"], {"default_lead_id": self.lead.id})


@freeze_time("2026-03-02 06:00:00")
class TestScheduleEditor(BackOfficeCase):
    def _slots(self, consultant, day, duration=60):
        """Slot starts (UTC ``HH:MM``) of one day."""
        start = utc(day.year, day.month, day.day) - timedelta(hours=1)
        free = consultant._get_slots(start, start + timedelta(days=1), duration)[consultant.id]
        return [slot_start.strftime("%H:%M") for slot_start, _end in free]

    def test_use_own_working_hours_then_edit_them_as_the_consultant(self):
        consultant = self.consultant.with_user(self.consultant_user)
        form = Form(consultant)
        with self.assertRaises(AssertionError):
            form.calendar_attendance_ids.edit(0)  # shared hours are read-only for the consultant
        with self.assertRaises(AccessError):
            consultant.write({"calendar_attendance_ids": [Command.clear()]})
        consultant.action_use_own_calendar()
        own = self.consultant.resource_calendar_id
        self.assertNotEqual(own, self.calendar)
        self.assertEqual(own.voltaic_consultant_id, self.consultant)
        self.assertTrue(self.consultant.has_own_calendar)
        self.assertEqual(len(own.attendance_ids), len(self.calendar.attendance_ids))
        self.assertEqual(self.other_consultant.resource_calendar_id, self.calendar)

        form = Form(self.consultant.with_user(self.consultant_user))
        form.min_notice_hours = 1  # an onchange: the form keeps knowing the hours are the consultant's own
        self.assertTrue(form.has_own_calendar)
        self.assertIn("9:00 AM, 9:30 AM", str(form.slot_preview_html))  # an English reader: 12-hour clock
        # Mondays: only the morning from now on
        mondays = [index for index, line in enumerate(own.attendance_ids)
                   if line.dayofweek == "0" and line.day_period == "afternoon"]
        self.assertEqual(len(mondays), 1)
        form.calendar_attendance_ids.remove(index=mondays[0])
        form.save()
        self.assertEqual(self._slots(self.consultant, date(2026, 3, 2)), ["08:00", "08:30", "09:00", "09:30", "10:00"])
        self.assertEqual(len(self._slots(self.other_consultant, date(2026, 3, 2))), 12)
        self.assertEqual(len(self.calendar.attendance_ids), 15, "the shared hours are unchanged")

    def test_consultant_cannot_edit_someone_else_nor_reassign_themselves(self):
        with self.assertRaises(AccessError), mute_logger("odoo.models"):
            self.other_consultant.with_user(self.consultant_user).write({"min_notice_hours": 48})
        with self.assertRaises(AccessError):
            self.consultant.with_user(self.consultant_user).write({"user_id": self.salesman.id})
        with self.assertRaises(AccessError):
            self.consultant.with_user(self.consultant_user).write({"resource_calendar_id": False})
        consultant = self.consultant.with_user(self.consultant_user)
        consultant.write({"min_notice_hours": 24, "buffer_after_minutes": 10, "tz": "Europe/London",
                          "name": "Carla C."})
        self.assertEqual(self.consultant.resource_id.tz, "Europe/London")
        self.assertEqual(self.consultant.resource_id.name, "Carla C.")

    def test_holidays_blackouts_extra_hours_and_public_holidays_shape_the_slots(self):
        form = Form(self.consultant.with_user(self.consultant_user))
        with form.leave_ids.new() as leave:
            leave.name = "Dentist"
            leave.date_from = naive(2026, 3, 3, 8, 0)   # Tuesday 9:00-12:00 Berlin
            leave.date_to = naive(2026, 3, 3, 11, 0)
        with form.extra_hours_ids.new() as extra:
            extra.date = date(2026, 3, 7)  # a Saturday
            extra.hour_from = 10.0
            extra.hour_to = 12.0
            extra.name = "Open Saturday"
        form.save()
        leave = self.consultant.leave_ids
        self.assertEqual(leave.resource_id, self.consultant.resource_id)
        self.assertEqual(leave.calendar_id, self.calendar)
        self.assertEqual(self._slots(self.consultant, date(2026, 3, 3))[0], "12:00")
        self.assertEqual(self._slots(self.consultant, date(2026, 3, 7)), ["09:00", "09:30", "10:00"])
        self.assertEqual(self._slots(self.other_consultant, date(2026, 3, 7)), [])
        self.assertEqual(self._slots(self.other_consultant, date(2026, 3, 3))[0], "08:00")

        # a company-wide public holiday closes every calendar of the company
        holiday = self.env["resource.calendar.leaves"].with_user(self.manager).create({
            "name": "Founders' Day", "date_from": naive(2026, 3, 4, 0, 0), "date_to": naive(2026, 3, 4, 22, 59),
            "calendar_id": False,
        })
        self.assertFalse(holiday.resource_id)
        self.assertEqual(self._slots(self.consultant, date(2026, 3, 4)), [])
        self.assertEqual(self._slots(self.other_consultant, date(2026, 3, 4)), [])
        self.assertIn(holiday, self.consultant.public_holiday_ids)

    def test_others_cannot_touch_a_consultants_time_off(self):
        form = Form(self.consultant.with_user(self.consultant_user))
        with form.leave_ids.new() as leave:
            leave.name = "Holiday"
            leave.date_from = naive(2026, 3, 9, 0, 0)
            leave.date_to = naive(2026, 3, 13, 22, 0)
        form.save()
        leave = self.consultant.leave_ids
        self.assertEqual(self.consultant.resource_id.user_id, self.consultant_user)
        with self.assertRaises(AccessError), mute_logger("odoo.models"):
            leave.with_user(self.other_consultant_user).write({"date_to": naive(2026, 3, 9, 22, 0)})
        with self.assertRaises(AccessError), mute_logger("odoo.models"):
            leave.with_user(self.other_consultant_user).unlink()
        leave.with_user(self.manager).write({"name": "Holiday (approved)"})

    def test_preview_shows_the_slots_the_website_offers(self):
        self.consultant.write({"duration_ids": [Command.clear(), Command.create({"duration": 60})],
                               "buffer_after_minutes": 30})
        self._book(utc(2026, 3, 2, 9, 0))
        html = str(self.consultant.slot_preview_html)
        self.assertIn("Europe/Berlin", html)
        self.assertIn("60 min", html)
        expected = self.consultant._get_slots(utc(2026, 3, 1, 23), utc(2026, 3, 2, 23), 60)[self.consultant.id]
        monday_times = ", ".join(start.astimezone(self.consultant._zone()).strftime("%H:%M")
                                 for start, _end in expected)
        # 10:00-11:00 is booked with a 30-minute buffer after every meeting: the morning is gone
        self.assertEqual(monday_times, "13:00, 13:30, 14:00, 14:30, 15:00, 15:30, 16:00")
        # shown in the reader's language: English, 12-hour clock
        self.assertIn("1:00 PM, 1:30 PM, 2:00 PM, 2:30 PM, 3:00 PM, 3:30 PM, 4:00 PM", html)
        self.consultant.is_accepting_bookings = False
        self.consultant.invalidate_recordset(["slot_preview_html"])
        self.assertIn("Not bookable", str(self.consultant.slot_preview_html))


@freeze_time("2026-03-02 06:00:00")
class TestBackOfficeAccess(BackOfficeCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Booking = cls.env["voltaic.booking"]
        book = {"meeting_type": "video", "client_tz": "UTC", "source": "backend", "duration": 60}
        cls.own_booking = Booking._book(dict(
            book, consultant_id=cls.consultant.id, start=utc(2026, 3, 3, 9, 0), first_name="Ann", last_name="A",
            email="ann@example.com", lead_id=cls.lead.id))
        cls.sam_lead = cls.lead.copy({"user_id": cls.salesman.id, "name": "Sam's lead"})
        cls.sam_booking = Booking._book(dict(
            book, consultant_id=cls.other_consultant.id, start=utc(2026, 3, 3, 9, 0), first_name="Bob",
            last_name="B", email="bob@example.com", lead_id=cls.sam_lead.id))
        cls.unassigned_lead = cls.lead.copy({"user_id": False, "name": "Unassigned lead"})
        cls.unassigned_booking = Booking._book(dict(
            book, consultant_id=cls.other_consultant.id, start=utc(2026, 3, 4, 9, 0), first_name="Cid",
            last_name="C", email="cid@example.com", lead_id=cls.unassigned_lead.id))
        cls.otto_lead = cls.lead.copy({"user_id": cls.other_consultant_user.id, "name": "Otto's lead"})
        cls.otto_booking = Booking._book(dict(
            book, consultant_id=cls.other_consultant.id, start=utc(2026, 3, 5, 9, 0), first_name="Dan",
            last_name="D", email="dan@example.com", lead_id=cls.otto_lead.id))
        cls.all_bookings = cls.own_booking | cls.sam_booking | cls.unassigned_booking | cls.otto_booking

    def _visible(self, user):
        return self.env["voltaic.booking"].with_user(user).search([("id", "in", self.all_bookings.ids)])

    def test_consultant_sees_and_edits_own_bookings_only(self):
        # Carla consults on her lead; she is a salesperson too, so she also sees the unassigned lead's booking
        self.assertEqual(self._visible(self.consultant_user), self.own_booking | self.unassigned_booking)
        self.own_booking.with_user(self.consultant_user).consultant_notes = "<p>Prepared.</p>"
        with after_start(self.all_bookings):
            self.own_booking.with_user(self.consultant_user).action_complete()
            with self.assertRaises(AccessError), mute_logger("odoo.models"):
                self.unassigned_booking.with_user(self.consultant_user).action_complete()
        with self.assertRaises(AccessError), mute_logger("odoo.models"):
            self.otto_booking.with_user(self.consultant_user).read(["reference"])

    def test_consultant_reschedules_and_cancels_own_booking_only(self):
        wizard = self.env["voltaic.reschedule.booking"].with_user(self.consultant_user).create({
            "booking_id": self.own_booking.id, "duration": "60", "client_tz": "UTC",
            "slot_start": "2026-03-03T13:00:00Z"})
        wizard.action_reschedule()
        self.assertEqual(self.own_booking.start, naive(2026, 3, 3, 13, 0))
        with self.assertRaises(AccessError), mute_logger("odoo.models"):
            self.env["voltaic.reschedule.booking"].with_user(self.consultant_user).create({
                "booking_id": self.otto_booking.id, "duration": "60", "client_tz": "UTC",
                "slot_start": "2026-03-05T13:00:00Z"}).action_reschedule()
        with self.assertRaises(AccessError), mute_logger("odoo.models"):
            self.env["voltaic.cancel.booking"].with_user(self.consultant_user).create({
                "booking_ids": [Command.set(self.otto_booking.ids)], "reason": "no"}).action_cancel()
        self.assertEqual(self.otto_booking.state, "confirmed")

    def test_salesman_sees_bookings_of_the_leads_he_can_see_read_only(self):
        self.assertEqual(self._visible(self.salesman), self.sam_booking | self.unassigned_booking)
        self.assertEqual(self.sam_lead.with_user(self.salesman).voltaic_booking_count, 1)
        self.sam_booking.with_user(self.salesman).read(["reference", "consultant_id", "start_client_display"])
        with after_start(self.sam_booking), self.assertRaises(AccessError), mute_logger("odoo.models"):
            self.sam_booking.with_user(self.salesman).action_complete()
        with self.assertRaises(AccessError), mute_logger("odoo.models"):
            self.env["voltaic.booking.report"].with_user(self.salesman).search([])

    def test_read_only_users_see_no_booking_buttons(self):
        """A salesperson who may only read bookings gets no button that would end in an access error."""
        reminder = self.env.ref("voltaic_booking.voltaic_booking_action_send_reminder")
        actions = ("action_open_reschedule_wizard", "action_open_cancel_wizard", "action_complete",
                   "action_mark_no_show", str(reminder.id))

        def buttons(user):
            views = self.env["voltaic.booking"].with_user(user).get_views([(False, "form"), (False, "list")])
            arch = "".join(view["arch"] for view in views["views"].values())
            return {action for action in actions if f'name="{action}"' in arch}

        self.assertFalse(buttons(self.salesman))
        self.assertEqual(buttons(self.consultant_user), set(actions))

    def test_sales_manager_sees_bookings_of_all_leads(self):
        sales_manager = self.env["res.users"].create({
            "name": "Sales Boss", "login": "vb_sales_boss", "email": "boss@example.com",
            "group_ids": [Command.set([self.env.ref("sales_team.group_sale_salesman_all_leads").id])],
        })
        self.assertEqual(self._visible(sales_manager), self.all_bookings)

    def test_manager_sees_and_configures_everything(self):
        self.assertEqual(self._visible(self.manager), self.all_bookings)
        with after_start(self.otto_booking):
            self.otto_booking.with_user(self.manager).action_mark_no_show()
        consultant = self.env["voltaic.consultant"].with_user(self.manager).create({
            "name": "New Consultant", "user_id": self.salesman.id, "resource_calendar_id": self.calendar.id,
            "tz": "Europe/Berlin",
        })
        self.assertEqual(consultant.resource_id.user_id, self.salesman)
        consultant.with_user(self.manager).write({"calendar_attendance_ids": [
            Command.create({"name": "Sat", "dayofweek": "5", "hour_from": 9, "hour_to": 12,
                            "day_period": "morning"})]})
        self.assertEqual(len(self.calendar.attendance_ids), 16, "managers may edit shared working hours")
        self.env["voltaic.consultant.extra.hours"].with_user(self.manager).create({
            "consultant_id": self.consultant.id, "date": date(2026, 3, 8), "hour_from": 9, "hour_to": 10})
        self.env["voltaic.booking.kpi"].with_user(self.manager).search([])
        self.env["voltaic.booking.report"].with_user(self.manager).search([])

    def test_consultant_manages_own_extra_hours_only(self):
        Extra = self.env["voltaic.consultant.extra.hours"].with_user(self.consultant_user)
        Extra.create({"consultant_id": self.consultant.id, "date": date(2026, 3, 7), "hour_from": 9, "hour_to": 11})
        with self.assertRaises(AccessError), mute_logger("odoo.models"):
            Extra.create({"consultant_id": self.other_consultant.id, "date": date(2026, 3, 7),
                          "hour_from": 9, "hour_to": 11})

    def test_reports_are_for_managers(self):
        for model in ("voltaic.booking.report", "voltaic.booking.kpi", "voltaic.consultant.utilization"):
            with self.assertRaises(AccessError), mute_logger("odoo.models"):
                self.env[model].with_user(self.consultant_user).search([])


@tagged("post_install", "-at_install")
class TestBackOfficeTour(HttpCase):
    def test_book_from_lead_tour(self):
        env = self.env(context=dict(self.env.context, tracking_disable=True))
        calendar = make_calendar(env, "Tour hours", hours=AROUND_THE_CLOCK, weekdays=range(7))
        user = make_consultant(
            env, "Tour Consultant", "vb_tour_consultant", calendar=calendar, email="tour.consultant@example.com",
            min_notice_hours=1, max_advance_days=30, duration_ids=[Command.create({"duration": 30})],
            offers_video=True, video_url="https://meet.example.com/tour",
        ).user_id
        partner = env["res.partner"].create({"name": "Priya Tour", "email": "priya.tour@example.com",
                                             "tz": "Asia/Kolkata"})
        lead = env["crm.lead"].create({
            "name": "Tour opportunity", "type": "opportunity", "partner_id": partner.id,
            "contact_name": "Priya Tour", "email_from": "priya.tour@example.com", "user_id": user.id,
        })
        self.start_tour(f"/odoo/crm.lead/{lead.id}", "voltaic_backend_book_from_lead", login="vb_tour_consultant")
        booking = lead.voltaic_booking_ids
        self.assertEqual(len(booking), 1)
        self.assertEqual(booking.source, "backend")
        self.assertEqual(booking.client_tz, "Asia/Kolkata")
        self.assertGreater(booking.start, fields.Datetime.now())
