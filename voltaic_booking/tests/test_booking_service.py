"""The booking service: one transaction creating partner, opportunity, meeting and booking; cancel and reschedule."""

import re
from datetime import timedelta
from unittest.mock import patch

import psycopg2.errors

from odoo.exceptions import UserError
from odoo.tests import freeze_time
from odoo.tools import mute_logger

from ..exceptions import BookingValidationError, SlotUnavailableError
from .common import NOW, VoltaicBookingCase, local, naive
from odoo.addons.mail.tests.common import MockEmail

TUESDAY_10 = local("Europe/Berlin", 2027, 3, 2, 10, 0)   # 09:00 UTC
TUESDAY_11 = local("Europe/Berlin", 2027, 3, 2, 11, 0)
TUESDAY_14 = local("Europe/Berlin", 2027, 3, 2, 14, 0)
REFERENCE_RE = re.compile(r"^VLT-\d{8}-[A-Z0-9]{4}$")


@freeze_time(NOW)
class BookingServiceCase(VoltaicBookingCase, MockEmail):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.consultant.video_url = "https://meet.vbt-voltaic.example/anja-berger"

    def assert_free(self, start, consultant=None, duration=60, free=True):
        consultant = consultant or self.consultant
        slots = self._slots(consultant, start, start + timedelta(hours=1), duration)
        self.assertEqual(any(slot_start == start for slot_start, _end in slots), free,
                         f"{start} should be {'free' if free else 'taken'}")

    def count(self, model, domain=()):
        return self.env[model].sudo().with_context(active_test=False).search_count(list(domain))

    def raises(self, error_class, func, *args, **kwargs):
        """The error ``func`` raises, caught WITHOUT the savepoint of ``assertRaises``.

        A channel answers these errors (409, 422, a form message) and its
        transaction goes on: whatever the service did before raising stays, so
        the tests look at the transaction as the channel would leave it.
        """
        try:
            func(*args, **kwargs)
        except error_class as error:
            return error
        raise self.failureException(f"{error_class.__name__} not raised")

    def refused(self, error_class, start, **values):
        """Book and expect ``error_class``; no partner, lead, meeting or booking may be left behind."""
        models = ("res.partner", "crm.lead", "calendar.event", "voltaic.booking")
        before = {model: self.count(model) for model in models}
        error = self.raises(error_class, self._book, start, **values)
        self.assertEqual({model: self.count(model) for model in models}, before, "nothing left behind")
        return error


class TestBookingCreation(BookingServiceCase):
    """A client books: everything Odoo users need is created and linked."""

    def test_booking_creates_partner_opportunity_and_meeting(self):
        # as the website does: the public user calls the service (which works as superuser)
        booking = self.env["voltaic.booking"].with_user(self.public_user)._book(
            self._booking_values(TUESDAY_10, source="website"))

        self.assertEqual(booking.state, "confirmed")
        self.assertEqual((booking.start, booking.stop, booking.duration),
                         (naive(TUESDAY_10), naive(TUESDAY_11), 60))
        self.assertEqual((booking.consultant_id, booking.consultant_user_id),
                         (self.consultant, self.consultant_user))
        self.assertEqual((booking.client_name, booking.email, booking.client_tz, booking.source),
                         ("Priya Sharma", "priya.sharma@vbt-client.example", "Asia/Kolkata", "website"))
        self.assertTrue(booking.terms_accepted and booking.privacy_accepted and not booking.marketing_consent)

        partner = booking.partner_id
        self.assertEqual((partner.name, partner.email, partner.phone, partner.tz, partner.lang),
                         ("Priya Sharma", "priya.sharma@vbt-client.example", "+91 22 1234 5678", "Asia/Kolkata",
                          "en_US"))

        lead = booking.lead_id
        self.assertEqual(lead.type, "opportunity")
        self.assertEqual(lead.partner_id, partner)
        self.assertEqual(lead.user_id, self.consultant_user, "the consultant is the salesperson")
        self.assertEqual(lead.team_id, self.team)
        self.assertEqual(lead.source_id, self.env.ref("voltaic_booking.utm_source_consultation_booking"))
        self.assertEqual(lead.medium_id, self.env.ref("utm.utm_medium_website"))
        self.assertIn("We would like to discuss a 500 kWp installation.", str(lead.description))
        self.assertEqual(lead.email_from, "priya.sharma@vbt-client.example")

        event = booking.event_id
        self.assertEqual(event.partner_ids, self.consultant.partner_id | partner, "consultant and client attend")
        self.assertEqual(event.user_id, self.consultant_user, "organised by the consultant, not the public user")
        self.assertEqual((event.start, event.stop), (booking.start, booking.stop))
        self.assertEqual(event.opportunity_id, lead)
        self.assertEqual((event.res_model, event.res_id), ("crm.lead", lead.id))
        self.assertIn(event, lead.calendar_event_ids, "the meeting shows among the lead's meetings")
        self.assertEqual(event.show_as, "busy")
        self.assertEqual(event.videocall_location, "https://meet.vbt-voltaic.example/anja-berger")
        self.assertEqual(booking.location, event.videocall_location)
        self.assertIn(booking.reference, str(event.description))

        self.assertRegex(booking.reference, REFERENCE_RE)
        self.assertTrue(booking.reference.startswith("VLT-20270301-"), "the day of booking")
        self.assertGreaterEqual(len(booking.access_token), 43)

    def test_video_link_without_a_default_link(self):
        self.consultant.video_url = False
        booking = self._book(TUESDAY_10)
        self.assertTrue(booking.event_id.videocall_location, "Odoo's own video call")
        self.assertEqual(booking.location, booking.event_id.videocall_location)

    def test_phone_and_in_person_meetings(self):
        phone = self._book(TUESDAY_10, meeting_type="phone")
        self.assertEqual(phone.location, "We call you on the number you gave us.")
        self.assertFalse(phone.event_id.videocall_location)
        visit = self._book(TUESDAY_14, meeting_type="in_person", email="tom.baker@vbt-client.example")
        self.assertEqual(visit.event_id.location, "Voltaic GmbH, Friedrichstrasse 68, 10117 Berlin")

    def test_medium_follows_the_source(self):
        booking = self._book(TUESDAY_10, source="backend", terms_accepted=False, privacy_accepted=False)
        self.assertEqual(booking.lead_id.medium_id, self.env.ref("voltaic_booking.utm_medium_booking_backend"))
        other = self._book(TUESDAY_10, consultant=self.other_consultant, source="api",
                           email="tom.baker@vbt-client.example")
        self.assertEqual(other.lead_id.medium_id, self.env.ref("voltaic_booking.utm_medium_booking_api"))

    def test_existing_partner_reused_by_email_whatever_the_case(self):
        client = self.env["res.partner"].create({"name": "Priya S.", "email": "Priya.Sharma@VBT-Client.example"})
        booking = self._book(TUESDAY_10, email="priya.sharma@vbt-client.example")
        self.assertEqual(booking.partner_id, client)
        again = self._book(TUESDAY_14, email="PRIYA.SHARMA@vbt-client.EXAMPLE")
        self.assertEqual(again.partner_id, client)
        self.assertEqual(self.count("res.partner", [("email_normalized", "=", "priya.sharma@vbt-client.example")]), 1)

    def test_open_opportunity_reused(self):
        first = self._book(TUESDAY_10)
        second = self._book(TUESDAY_14)
        self.assertEqual(second.lead_id, first.lead_id)
        self.assertTrue(second.lead_id.message_ids.filtered(lambda m: "New consultation" in str(m.body)),
                        "the new consultation is logged on the opportunity")
        self.assertEqual(self.count("crm.lead", [("partner_id", "=", first.partner_id.id)]), 1)

    def test_won_or_lost_opportunity_not_reused(self):
        won = self._book(TUESDAY_10).lead_id
        won.action_set_won()
        after_won = self._book(TUESDAY_14).lead_id
        self.assertNotEqual(after_won, won)
        after_won.action_set_lost()
        after_lost = self._book(local("Europe/Berlin", 2027, 3, 3, 10, 0)).lead_id
        self.assertNotIn(after_lost, won | after_won)
        self.assertEqual(after_lost.user_id, self.consultant_user)

    def test_booking_for_a_given_lead(self):
        lead = self.env["crm.lead"].create({
            "name": "VBT Heat pumps for the school", "type": "opportunity", "user_id": self.other_consultant_user.id,
        })
        booking = self._book(TUESDAY_10, lead_id=lead.id, source="backend")
        self.assertEqual(booking.lead_id, lead)
        self.assertEqual(booking.event_id.opportunity_id, lead)

    def test_no_invitation_mail_from_odoo_calendar(self):
        with self.mock_mail_gateway():
            booking = self._book(TUESDAY_10)
            self.env.flush_all()
        event = booking.event_id
        self.assertFalse(self._new_mails.filtered(lambda mail: mail.model == "calendar.event"),
                         "no invitation mail.mail")
        self.assertFalse(self.invitations(event), "no invitation message on the meeting")
        # the same meeting created by hand does send Odoo's invitations: the checks above can fail
        with self.mock_mail_gateway():
            manual = self.env["calendar.event"].create({
                "name": "VBT Manual meeting", "start": event.start, "stop": event.stop,
                "user_id": self.consultant_user.id, "partner_ids": event.partner_ids.ids,
            })
            self.env.flush_all()
        self.assertTrue(self._new_mails.filtered(lambda mail: mail.model == "calendar.event"))
        self.assertTrue(self.invitations(manual))

    def test_the_consultant_hears_of_a_booking_once(self):
        """Our notice of the booking is the consultant's one e-mail: Odoo does not add "assigned to you"
        mails for the opportunity and the meeting's activity, which stay theirs all the same."""
        mail_class = type(self.env["mail.mail"])
        with patch.object(mail_class, "send_after_commit", autospec=True) as send_after_commit, \
                self.mock_mail_gateway():
            booking = self._book(TUESDAY_10)
            self.env.flush_all()
        send_after_commit.assert_not_called()
        consultant_partner = self.consultant.user_id.partner_id
        odoo_notices = self._new_mails.filtered(
            lambda mail: mail.model in ("crm.lead", "calendar.event", "mail.activity")
            and consultant_partner in mail.recipient_ids)
        self.assertFalse(odoo_notices, "no 'assigned to you' mail from Odoo")
        self.assertFalse(self.env["mail.notification"].sudo().search_count([
            ("res_partner_id", "=", consultant_partner.id),
            ("mail_message_id.model", "in", ["crm.lead", "calendar.event"]),
            ("mail_message_id.res_id", "in", [booking.lead_id.id, booking.event_id.id]),
        ]), "nor an Odoo inbox notice")
        # the opportunity, its meeting activity and the thread stay the consultant's
        self.assertEqual(booking.lead_id.user_id, self.consultant.user_id)
        activity = booking.lead_id.activity_ids
        self.assertEqual(activity.activity_type_id.category, "meeting")
        self.assertEqual(activity.user_id, self.consultant.user_id)
        self.assertEqual(activity.calendar_event_id, booking.event_id)
        self.assertIn(consultant_partner, booking.lead_id.message_partner_ids)
        self.assertTrue(booking.env.context.get("mail_notify_force_send", True), "the caller's context is kept")

    def test_a_booking_wakes_the_mail_queue_only_for_odoos_own_mail(self):
        """Each wake-up of a scheduled job is a connection of its own after the commit: a booking wakes
        the e-mail job (our confirmations); the mail queue only when Odoo queued mail of its own, here
        the sales team's "Opportunity Created" notice to a follower of the team."""
        triggers = self.env["ir.cron.trigger"].sudo()
        mail_queue = self.env.ref("mail.ir_cron_mail_scheduler_action")
        email_job = self.env.ref("voltaic_booking.ir_cron_booking_emails")
        triggers.search([("cron_id", "in", [mail_queue.id, email_job.id])]).unlink()
        self.env["mail.mail"].sudo().search([]).unlink()  # a new database: the mail queue never held a mail

        booking = self._book(TUESDAY_10)
        self.assertEqual(triggers.search_count([("cron_id", "=", email_job.id)]), 1)
        self.assertFalse(triggers.search_count([("cron_id", "=", mail_queue.id)]), "nothing in the mail queue yet")
        self.env["voltaic.booking"]._cron_prepare_emails()
        self.assertEqual(booking.email_log_ids.mapped("mail_id.state"), ["outgoing", "outgoing"])
        self.assertTrue(triggers.search_count([("cron_id", "=", mail_queue.id)]), "the e-mail job wakes the queue")

        triggers.search([("cron_id", "in", [mail_queue.id, email_job.id])]).unlink()
        watcher = self.env["res.partner"].create({"name": "Team Watcher", "email": "watcher@vbt-voltaic.example"})
        self.team.message_subscribe(partner_ids=watcher.ids,
                                    subtype_ids=self.env.ref("crm.mt_salesteam_lead").ids)
        with self.mock_mail_gateway():
            other = self._book(TUESDAY_14, email="li.wei@wei-labs.example", first_name="Li", last_name="Wei")
            self.env.flush_all()
        self.assertEqual(other.lead_id.team_id, self.team)
        self.assertTrue(self._new_mails.filtered(lambda mail: watcher in mail.recipient_ids))
        self.assertTrue(triggers.search_count([("cron_id", "=", mail_queue.id)]))

    def invitations(self, event):
        return self.env["mail.message"].sudo().search([
            ("model", "=", "calendar.event"), ("res_id", "=", event.id), ("partner_ids", "!=", False)])


class TestBookingRefused(BookingServiceCase):
    """Bad input and unavailable slots are refused with answers a client understands; nothing is created."""

    def test_validation_errors_per_field(self):
        self.consultant.offers_in_person = False
        error = self.refused(BookingValidationError, TUESDAY_10, email="priya.sharma@", first_name="  ", last_name="",
                             duration=90, meeting_type="in_person", client_tz="Mars/Olympus_Mons",
                             terms_accepted=False, privacy_accepted=None, source="website")
        self.assertEqual(set(error.fields), {
            "email", "first_name", "last_name", "duration", "meeting_type", "tz", "terms_accepted",
            "privacy_accepted"})
        self.assertTrue(all(isinstance(message, str) and message for message in error.fields.values()))

    def test_each_problem_alone(self):
        cases = {
            "email": {"email": "not-an-email"},
            "first_name": {"first_name": ""},
            "last_name": {"last_name": "x" * 101},
            "duration": {"duration": 45},
            "meeting_type": {"meeting_type": "carrier_pigeon"},
            "tz": {"client_tz": "Europe/Atlantis"},
            "consultant": {"consultant_id": 0},
        }
        for field, values in cases.items():
            with self.subTest(field=field), self.assertRaises(BookingValidationError) as caught:
                self._book(TUESDAY_10, **values)
            self.assertIn(field, caught.exception.fields)

    def test_consents_required_on_public_channels_only(self):
        for source in ("website", "api"):
            with self.subTest(source=source), self.assertRaises(BookingValidationError) as caught:
                self._book(TUESDAY_10, source=source, terms_accepted=False, privacy_accepted=False)
            self.assertEqual(set(caught.exception.fields), {"terms_accepted", "privacy_accepted"})
        booking = self._book(TUESDAY_10, source="backend", terms_accepted=False, privacy_accepted=False)
        self.assertEqual(booking.state, "confirmed")

    def test_consultant_not_accepting_bookings(self):
        self.consultant.is_accepting_bookings = False
        with self.assertRaises(BookingValidationError) as caught:
            self._book(TUESDAY_10)
        self.assertIn("consultant", caught.exception.fields)

    def test_taken_slot_offers_alternatives(self):
        self._book(TUESDAY_10, email="tom.baker@vbt-client.example")
        error = self.refused(SlotUnavailableError, TUESDAY_10)
        self.assertEqual(str(error), "This slot is no longer available.")
        # the next free hours of that morning
        self.assertEqual([start for start, _end in error.alternatives], [
            TUESDAY_11, local("Europe/Berlin", 2027, 3, 2, 11, 30), local("Europe/Berlin", 2027, 3, 2, 12, 0)])
        self.assertTrue(all(end - start == timedelta(hours=1) for start, end in error.alternatives))

    def test_slot_outside_working_hours(self):
        for start in (local("Europe/Berlin", 2027, 3, 2, 19, 30),   # after hours
                      local("Europe/Berlin", 2027, 3, 2, 13, 0),    # lunch
                      local("Europe/Berlin", 2027, 3, 6, 10, 0),    # Saturday
                      local("Europe/Berlin", 2027, 3, 2, 10, 10)):  # not on the half-hour grid
            with self.subTest(start=start):
                error = self.refused(SlotUnavailableError, start)
            self.assertTrue(error.alternatives)
            for alternative in error.alternatives:
                self.assertIn(alternative, self._slots(self.consultant, alternative[0], alternative[1]))

    def test_slot_inside_minimum_notice(self):
        self.consultant.min_notice_hours = 24
        error = self.refused(SlotUnavailableError, local("Europe/Berlin", 2027, 3, 1, 14, 0))  # in six hours
        self.assertTrue(error.alternatives)
        for start, _end in error.alternatives:
            self.assertGreaterEqual(start, NOW + timedelta(hours=24))

    def test_race_lost_in_the_database_is_a_clean_slot_error(self):
        """Two requests pass the availability check; the exclusion constraint refuses the second one."""
        self._book(TUESDAY_10, email="tom.baker@vbt-client.example")
        booking_class = type(self.env["voltaic.booking"])
        with patch.object(booking_class, "_check_slot", lambda *args, **kwargs: None):
            error = self.refused(SlotUnavailableError, TUESDAY_10)
        self.assertEqual(str(error), "This slot is no longer available.")
        self.assertTrue(error.alternatives)


class TestOverlapConstraint(BookingServiceCase):
    """The database refuses overlapping active bookings of one consultant, buffers included."""

    def test_constraint_exists_in_postgresql(self):
        self.env.cr.execute("""
            SELECT contype, pg_get_constraintdef(oid) FROM pg_constraint
             WHERE conrelid = 'voltaic_booking'::regclass AND conname = 'voltaic_booking_no_overlap'
        """)
        (kind, definition), = self.env.cr.fetchall()
        self.assertEqual(kind, "x", "an exclusion constraint")
        self.assertIn("EXCLUDE USING gist", definition)
        self.assertIn("tsrange(blocked_start, blocked_stop", definition)
        # which states block is the stored flag's business (extensions add theirs), not the constraint's
        self.assertIn("blocks_time", definition)
        self.assertNotIn("state", definition)
        self.assertEqual(self.env["voltaic.booking"]._time_blocking_states() & {"confirmed", "completed", "no_show"},
                         {"confirmed", "completed", "no_show"})
        self.assertNotIn("cancelled", self.env["voltaic.booking"]._time_blocking_states())

    def test_availability_indexes_exist_in_postgresql(self):
        """Busy meetings are read by attendee and time range: without these indexes, sequential scans."""
        self.env.cr.execute("""
            SELECT indexname FROM pg_indexes
             WHERE indexname IN ('calendar_attendee_vb_partner_event_state_idx', 'calendar_event_vb_busy_range_idx')
        """)
        self.assertEqual({name for name, in self.env.cr.fetchall()},
                         {"calendar_attendee_vb_partner_event_state_idx", "calendar_event_vb_busy_range_idx"})

    def assert_refused(self, start, consultant=None, duration=60):
        with mute_logger("odoo.sql_db"), self.assertRaises(psycopg2.errors.ExclusionViolation), \
                self.env.cr.savepoint():
            self._create_booking(start, consultant=consultant, duration=duration)
            self.env.flush_all()

    def test_overlap_refused_by_the_database(self):
        first = self._create_booking(TUESDAY_10)
        self.assert_refused(local("Europe/Berlin", 2027, 3, 2, 10, 30))
        self.assert_refused(local("Europe/Berlin", 2027, 3, 2, 9, 30))
        self.assert_refused(TUESDAY_10, duration=30)
        # back to back is fine, and another consultant is independent
        self._create_booking(TUESDAY_11)
        self._create_booking(TUESDAY_10, consultant=self.other_consultant)
        # a cancelled booking does not block; completed and no-show ones do
        first.action_cancel()
        self.assertFalse(first.blocks_time)
        self.env.flush_all()
        replacement = self._create_booking(local("Europe/Berlin", 2027, 3, 2, 9, 30))
        for state in ("completed", "no_show"):
            replacement._service_write({"state": state})
            self.assertTrue(replacement.blocks_time)
            self.assert_refused(local("Europe/Berlin", 2027, 3, 2, 9, 0))

    def test_buffers_are_part_of_the_blocked_time(self):
        self.consultant.write({"buffer_before_minutes": 10, "buffer_after_minutes": 15})
        self._create_booking(TUESDAY_10)
        self.assert_refused(TUESDAY_11)                                        # inside the 15 minutes after
        self.assert_refused(local("Europe/Berlin", 2027, 3, 2, 8, 55))        # its own 10 minutes before overlap
        later = self._create_booking(local("Europe/Berlin", 2027, 3, 2, 11, 25))
        self.assertEqual((later.blocked_start, later.blocked_stop),
                         (naive(local("Europe/Berlin", 2027, 3, 2, 11, 15)),
                          naive(local("Europe/Berlin", 2027, 3, 2, 12, 40))))


class TestBookingLifecycle(BookingServiceCase):
    """Cancel and reschedule keep booking, meeting and lead in step."""

    def test_cancel(self):
        booking = self._book(TUESDAY_10)
        event, lead = booking.event_id, booking.lead_id
        self.assert_free(TUESDAY_10, free=False)
        booking.action_cancel(reason="Budget frozen until Q3")
        self.assertEqual(booking.state, "cancelled")
        self.assertEqual(booking.cancelled_at, naive(NOW))
        self.assertEqual(booking.cancellation_reason, "Budget frozen until Q3")
        self.assertEqual(booking.ics_sequence, 1)
        self.assertFalse(event.active, "the meeting is archived")
        log = lead.message_ids.filtered(lambda m: booking.reference in str(m.body) and "cancelled" in str(m.body))
        self.assertTrue(log, "the cancellation is logged on the lead")
        self.assertIn("Budget frozen until Q3", str(log[0].body))
        self.assert_free(TUESDAY_10)
        # the freed slot can be booked again
        self.assertEqual(self._book(TUESDAY_10, email="tom.baker@vbt-client.example").state, "confirmed")
        with self.assertRaises(UserError):
            booking.action_cancel()

    def test_reschedule(self):
        booking = self._book(TUESDAY_10)
        event = booking.event_id
        bookings_before = self.count("voltaic.booking", [])
        moved = booking._reschedule(TUESDAY_14)
        self.assertEqual(moved, booking, "the same record moves")
        self.assertEqual(self.count("voltaic.booking", []), bookings_before)
        self.assertEqual((booking.start, booking.stop, booking.state),
                         (naive(TUESDAY_14), naive(local("Europe/Berlin", 2027, 3, 2, 15, 0)), "confirmed"))
        self.assertEqual((event.start, event.stop), (booking.start, booking.stop))
        self.assertEqual(booking.event_id, event)
        self.assertEqual(booking.ics_sequence, 1)
        self.assertTrue(booking.lead_id.message_ids.filtered(lambda m: "moved" in str(m.body)))
        self.assert_free(TUESDAY_10)
        self.assert_free(TUESDAY_14, free=False)
        # half an hour later overlaps its own current time only: allowed
        booking._reschedule(local("Europe/Berlin", 2027, 3, 2, 14, 30), duration=30)
        self.assertEqual((booking.start, booking.duration), (naive(local("Europe/Berlin", 2027, 3, 2, 14, 30)), 30))

    def test_reschedule_to_a_taken_slot_changes_nothing(self):
        booking = self._book(TUESDAY_10)
        self._book(TUESDAY_14, email="tom.baker@vbt-client.example")
        event = booking.event_id
        error = self.raises(SlotUnavailableError, booking._reschedule, TUESDAY_14)
        self.assertTrue(error.alternatives)
        self.assertEqual((booking.start, booking.stop, booking.state, booking.ics_sequence),
                         (naive(TUESDAY_10), naive(TUESDAY_11), "confirmed", 0))
        self.assertEqual((event.start, event.stop, event.active), (naive(TUESDAY_10), naive(TUESDAY_11), True))
        # also when the conflict is only found by the database (a race)
        booking_class = type(self.env["voltaic.booking"])
        with patch.object(booking_class, "_check_slot", lambda *args, **kwargs: None):
            self.raises(SlotUnavailableError, booking._reschedule, TUESDAY_14)
        self.assertEqual((booking.start, event.start, booking.ics_sequence), (naive(TUESDAY_10), naive(TUESDAY_10), 0))

    def test_reschedule_to_an_absurd_date_is_a_validation_error(self):
        """Year 9999 or year 1 is bad input (a clear message), not a crash deep in the slot arithmetic."""
        booking = self._book(TUESDAY_10)
        for far in (TUESDAY_10.replace(year=9999), TUESDAY_10.replace(year=1)):
            error = self.raises(BookingValidationError, booking._reschedule, far)
            self.assertEqual(set(error.fields), {"start"})
        self.assertEqual((booking.start, booking.ics_sequence), (naive(TUESDAY_10), 0))

    def test_references_and_tokens(self):
        bookings = self._book(TUESDAY_10) | self._book(TUESDAY_14, email="tom.baker@vbt-client.example") \
            | self._book(TUESDAY_10, consultant=self.other_consultant, email="lena.fischer@vbt-client.example")
        for booking in bookings:
            self.assertRegex(booking.reference, REFERENCE_RE)
            self.assertGreaterEqual(len(booking.access_token), 43)
            self.assertRegex(booking.access_token, r"^[A-Za-z0-9_-]+$", "URL-safe")
        self.assertEqual(len(set(bookings.mapped("reference"))), 3)
        self.assertEqual(len(set(bookings.mapped("access_token"))), 3)
        references = {self.env["voltaic.booking"]._new_reference() for _index in range(200)}
        self.assertGreater(len(references), 195, "four random characters, not a counter")
        self.assertTrue(all(REFERENCE_RE.match(reference) for reference in references))
        # the database keeps references unique
        with mute_logger("odoo.sql_db"), self.assertRaises(psycopg2.errors.UniqueViolation), self.env.cr.savepoint():
            self._create_booking(local("Europe/Berlin", 2027, 3, 3, 10, 0), reference=bookings[0].reference)
            self.env.flush_all()
