"""E-mails of a booking: what each says, in which language, when it goes, and that it goes once."""

import threading
import time
import uuid
from datetime import timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo import SUPERUSER_ID, api, sql_db
from odoo.exceptions import AccessError, UserError
from odoo.orm.environments import Transaction
from odoo.tests import TransactionCase, new_test_user, tagged
from odoo.tools import mute_logger

from .common import make_calendar, make_consultant
from .notification_common import MEETING, NOW, NotificationCase, aware, hours
from odoo.addons.base.models.ir_model import MODULE_UNINSTALL_FLAG

STOP = MEETING + timedelta(hours=1)


def plain(html):
    """The body as a reader sees it: narrow spaces and escaped ampersands made plain."""
    return html.replace("\u202f", " ").replace("&amp;", "&")


@tagged("post_install", "-at_install")
class TestBookingEmails(NotificationCase):
    """Confirmations, changes, reminders and follow-ups, in English and German."""

    def test_confirmation_to_client_and_consultant_through_the_queue(self):
        booking = self.book()
        self.assertEqual(self.kinds(booking), ["client_confirmation", "consultant_confirmation"])
        client_mail = self.mail(booking, "client_confirmation")
        consultant_mail = self.mail(booking, "consultant_confirmation")
        # queued, not sent inside the booking's transaction; the mail queue is woken up
        self.assertEqual((client_mail | consultant_mail).mapped("state"), ["outgoing", "outgoing"])
        self.assertTrue(self.env["ir.cron.trigger"].search_count([
            ("cron_id", "=", self.env.ref("mail.ir_cron_mail_scheduler_action").id)]))

        self.assertEqual(client_mail.email_to, '"Priya Sharma" <priya@sharma-solar.example>')
        self.assertEqual(client_mail.subject,
                         f"Your consultation with Carla Consultant is confirmed ({booking.reference})")
        body = plain(client_mail.body_html)
        # in the client's zone (Kolkata), the video link, calendar links and the manage link with the token
        self.assertIn("Thursday, March 5, 2026, 2:30 PM – 3:30 PM (India Time — Kolkata (UTC+5:30))", body)
        self.assertIn("https://meet.example.com/carla", body)
        self.assertIn("https://calendar.google.com/calendar/render?action=TEMPLATE", body)
        self.assertIn("https://outlook.live.com/calendar/0/deeplink/compose", body)
        self.assertIn(f"https://book.example.com/book-consultation/manage/{booking.reference}"
                      f"?token={booking.access_token}", body)
        self.assertIn(f"/api/consultations/{booking.reference}/ics?token={booking.access_token}", body)
        self.assertIn("Voltaic Energy", body)  # company branding (layout)
        calendar, event = self.ics(client_mail)
        self.assertEqual(str(calendar.get("METHOD")), "REQUEST")
        self.assertEqual(str(event["UID"]), f"{booking.reference}@voltaic-booking")
        self.assertEqual(event["SEQUENCE"], 0)
        self.assertEqual(event.decoded("DTSTART"), aware(MEETING))
        self.assertEqual(event.decoded("DTEND"), aware(STOP))
        self.assertEqual(str(event["ORGANIZER"]), "mailto:carla@voltaic.example")
        self.assertEqual(event["ORGANIZER"].params["CN"], "Carla Consultant")
        self.assertEqual(str(event["ATTENDEE"]), "mailto:priya@sharma-solar.example")
        self.assertEqual(str(event["LOCATION"]), "https://meet.example.com/carla")

        self.assertEqual(consultant_mail.recipient_ids, self.consultant.partner_id)
        self.assertEqual(consultant_mail.subject, f"New consultation: Priya Sharma ({booking.reference})")
        body = plain(consultant_mail.body_html)
        self.assertIn("Thursday, March 5, 2026, 10:00 AM – 11:00 AM (Central European Time — Berlin (UTC+1))", body)
        self.assertIn("+91 22 1234 5678", body)
        self.assertIn("We would like to cover 2,000 m² of roof.", body)
        self.assertIn(f"/mail/view?model=crm.lead&res_id={booking.lead_id.id}", body)
        self.assertTrue(self.ics(consultant_mail))

        sent = self.deliver()
        recipients = sorted(address for mail in sent for address in mail["email_to"])
        self.assertIn('"Priya Sharma" <priya@sharma-solar.example>', recipients)
        self.assertIn('"Carla Consultant" <carla@voltaic.example>', recipients)
        self.assertEqual((client_mail | consultant_mail).mapped("state"), ["sent", "sent"])

    def test_confirmations_are_claimed_in_the_booking_and_rendered_after_it_once(self):
        vals = {
            "consultant_id": self.consultant.id, "start": aware(MEETING), "duration": 60, "meeting_type": "video",
            "client_tz": "Asia/Kolkata", "first_name": "Priya", "last_name": "Sharma",
            "email": "priya@sharma-solar.example", "language": "en", "terms_accepted": True,
            "privacy_accepted": True, "source": "website",
        }
        mails_before = self.env["mail.mail"].search_count([("model", "=", "voltaic.booking")])
        with freeze_time(NOW):
            booking = self.env["voltaic.booking"]._book(vals)
        # inside the booking's transaction: both e-mails claimed (they go once), none rendered yet;
        # the e-mail job is woken up for right after the commit
        logs = booking.email_log_ids
        self.assertEqual(sorted(logs.mapped("kind")), ["client_confirmation", "consultant_confirmation"])
        self.assertEqual(logs.mapped("render_pending"), [True, True])
        self.assertFalse(logs.mail_id)
        self.assertEqual(self.env["mail.mail"].search_count([("model", "=", "voltaic.booking")]), mails_before)
        self.assertTrue(self.env["ir.cron.trigger"].search_count([
            ("cron_id", "=", self.env.ref("voltaic_booking.ir_cron_booking_emails").id)]))

        self.assertGreaterEqual(self.prepare_emails(), 2)  # with any other booking's claimed e-mails
        self.assertEqual(logs.mapped("render_pending"), [False, False])
        self.assertEqual(len(logs.mail_id), 2)
        self.assertEqual(logs.mail_id.mapped("state"), ["outgoing", "outgoing"])
        # the job again, or the hook again: nothing more
        self.assertEqual(self.prepare_emails(), 0)
        booking._notify_booked()
        self.assertEqual(self.prepare_emails(), 0)
        self.assertEqual(len(booking.email_log_ids.mail_id), 2)

    def test_german_client_gets_german_mails_consultant_keeps_english(self):
        booking = self.book(language="de", email="lena@stadtwerke-nord.example")
        client_mail = self.mail(booking, "client_confirmation")
        self.assertEqual(client_mail.subject,
                         f"Ihre Beratung mit Carla Consultant ist bestätigt ({booking.reference})")
        self.assertIn("Hallo Lena", client_mail.body_html)
        self.assertIn("Donnerstag, 5. März 2026, 10:00 – 11:00 (Mitteleuropäische Zeit — Berlin (UTC+1))",
                      client_mail.body_html)
        self.assertIn("Buchung verwalten", client_mail.body_html)
        self.assertIn(f"/de/book-consultation/manage/{booking.reference}", client_mail.body_html)
        consultant_mail = self.mail(booking, "consultant_confirmation")
        self.assertEqual(consultant_mail.subject, f"New consultation: Lena Fischer ({booking.reference})")

        self.run_cron(MEETING - hours(24))
        self.assertIn("Erinnerung", self.mail(booking, "client_reminder").subject)
        self.run_cron(MEETING - hours(2))
        last = self.mail(booking, "client_last_reminder")
        self.assertIn("Gleich geht es los", last.subject)
        self.assertIn("Videoanruf beitreten", last.body_html)
        with freeze_time(STOP):
            booking.action_complete()
        self.run_cron(STOP + hours(24))
        self.assertIn("Wie war Ihre Beratung", self.mail(booking, "client_feedback").subject)

    def test_german_changes_and_missed_meeting(self):
        booking = self.book(language="de", email="lena@stadtwerke-nord.example")
        with freeze_time(NOW + hours(1)):
            booking._reschedule(aware(MEETING + timedelta(days=1, hours=3)))
        moved = self.mail(booking, "client_reschedule")
        self.assertIn("Neuer Termin für Ihre Beratung", moved.subject)
        self.assertIn("Freitag, 6. März 2026, 13:00 – 14:00", moved.body_html)
        self.assertIn("Bisheriger Termin", moved.body_html)
        with freeze_time(NOW + hours(2)):
            booking.action_cancel(reason="Budget verschoben")
        cancelled = self.mail(booking, "client_cancellation")
        self.assertIn("Abgesagt: Ihre Beratung", cancelled.subject)
        self.assertIn("wurde abgesagt", cancelled.body_html)
        self.assertIn("Budget verschoben", cancelled.body_html)
        self.assertIn("/de/book-consultation", cancelled.body_html)

    def test_template_editors_edit_the_templates_consultants_do_not(self):
        """Managers edit the templates once an administrator makes them Mail Template Editors (test_access)."""
        template = self.env.ref("voltaic_booking.mail_template_client_reminder")
        manager = new_test_user(self.env, "vb_notify_manager",
                                groups="voltaic_booking.group_manager,mail.group_mail_template_editor")
        template.with_user(manager).subject = "See you soon, {{ object.first_name }}"
        self.assertEqual(template.subject, "See you soon, {{ object.first_name }}")
        with self.assertRaises(AccessError):
            template.with_user(self.consultant_user).subject = "Hijacked"

    def test_timings_are_settings(self):
        settings = self.env["res.config.settings"].create({
            "voltaic_reminder_client_first_hours": 48,
            "voltaic_reminder_client_last_hours": 3,
            "voltaic_reminder_consultant_hours": 6,
            "voltaic_feedback_delay_hours": 12,
            "voltaic_no_show_delay_hours": 2,
            "voltaic_auto_complete_minutes": 30,
            "voltaic_notification_cron_minutes": 10,
        })
        settings.execute()
        booking_model = self.env["voltaic.booking"]
        self.assertEqual(booking_model._reminder_offsets()["client"],
                         {"client_reminder": hours(48), "client_last_reminder": hours(3)})
        self.assertEqual(booking_model._timing("feedback_delay_hours"), 12)
        self.assertEqual(booking_model._timing("auto_complete_minutes"), 30)
        self.assertEqual(self.env.ref("voltaic_booking.ir_cron_booking_notifications").interval_number, 10)

    def test_reminders_once_and_at_their_time(self):
        booking = self.book()
        self.run_cron(MEETING - hours(25))
        self.assertEqual(self.kinds(booking), ["client_confirmation", "consultant_confirmation"])

        self.run_cron(MEETING - hours(24) + timedelta(minutes=2))
        self.run_cron(MEETING - hours(20))
        self.run_cron(MEETING - hours(5))
        self.assertEqual(len(self.logs(booking, "client_reminder")), 1)
        reminder = self.mail(booking, "client_reminder")
        self.assertEqual(reminder.subject, f"Reminder: your consultation with Carla Consultant ({booking.reference})")
        self.assertIn("Manage your booking", reminder.body_html)
        self.assertFalse(self.logs(booking, "consultant_reminder"))

        self.run_cron(MEETING - hours(4))
        self.run_cron(MEETING - hours(3))
        background = self.mail(booking, "consultant_reminder")
        self.assertEqual(background.recipient_ids, self.consultant.partner_id)
        self.assertIn("Sharma Solar", background.body_html)
        self.assertIn("This is the first consultation with this client.", background.body_html)
        self.assertIn(booking.lead_id.name, background.body_html)

        self.run_cron(MEETING - hours(2))
        self.run_cron(MEETING - timedelta(minutes=30))
        last = self.mail(booking, "client_last_reminder")
        self.assertIn("Join the video call", last.body_html)
        self.assertIn("https://meet.example.com/carla", last.body_html)
        # past the deadline for online changes: the mail says how to reach the consultant
        self.assertNotIn("Manage your booking", last.body_html)

        self.run_cron(MEETING + timedelta(minutes=5))
        self.assertEqual(self.kinds(booking), [
            "client_confirmation", "client_last_reminder", "client_reminder", "consultant_confirmation",
            "consultant_reminder"])

    def test_consultant_reminder_tells_the_client_history(self):
        earlier = self.book(start=MEETING - timedelta(days=1), at=NOW - timedelta(days=10))
        with freeze_time(MEETING):
            earlier.action_complete()
        earlier.rating = 4
        booking = self.book(at=NOW)
        self.run_cron(MEETING - hours(4))
        body = self.mail(booking, "consultant_reminder").body_html
        self.assertIn("Wednesday, March 4, 2026", body)
        self.assertIn("rated 4/5", body)
        self.assertNotIn("first consultation with this client", body)

    def test_no_stale_reminders_for_a_late_booking(self):
        # booked 3 hours before: no day-before reminder, only the one with the link
        booking = self.book(at=MEETING - hours(3))
        self.run_cron(MEETING - hours(3) + timedelta(minutes=5))
        self.assertEqual(self.kinds(booking), ["client_confirmation", "consultant_confirmation"])
        self.run_cron(MEETING - hours(2))
        self.assertEqual(self.kinds(booking), [
            "client_confirmation", "client_last_reminder", "consultant_confirmation"])

        # booked 75 minutes before: the confirmation says it all
        soon = self.book(start=MEETING + hours(5), at=MEETING + hours(5) - timedelta(minutes=75))
        self.run_cron(MEETING + hours(5) - timedelta(minutes=70))
        self.run_cron(MEETING + hours(5) - timedelta(minutes=10))
        self.assertEqual(self.kinds(soon), ["client_confirmation", "consultant_confirmation"])

    def test_catch_up_after_downtime_without_burst_and_never_after_the_start(self):
        booking = self.book()
        # the cron did not run from before the first reminder until 90 minutes before the start
        self.run_cron(MEETING - timedelta(minutes=90))
        self.assertEqual(self.kinds(booking), [
            "client_confirmation", "client_last_reminder", "consultant_confirmation", "consultant_reminder"])

        # booked early, and the cron was down until after the start: no reminder at all
        other = self.book(start=MEETING + hours(4), email="tom@baker.example")
        self.run_cron(MEETING + hours(4) + timedelta(minutes=1))
        self.assertEqual(self.kinds(other), ["client_confirmation", "consultant_confirmation"])

    def test_timings_come_from_the_settings(self):
        self.env["ir.config_parameter"].sudo().set_param("voltaic_booking.reminder_client_first_hours", 48)
        self.env["ir.config_parameter"].sudo().set_param("voltaic_booking.reminder_consultant_hours", 1)
        booking = self.book()
        self.run_cron(MEETING - hours(47))
        self.assertEqual(len(self.logs(booking, "client_reminder")), 1)
        self.run_cron(MEETING - hours(3))
        self.assertFalse(self.logs(booking, "consultant_reminder"))
        self.run_cron(MEETING - hours(1))
        self.assertEqual(len(self.logs(booking, "consultant_reminder")), 1)

    def test_reschedule_mails_both_sides_and_rearms_the_reminders(self):
        booking = self.book()
        self.run_cron(MEETING - hours(24))
        new_start = MEETING + timedelta(days=1, hours=3)  # Friday 12:00 UTC = 13:00 Berlin
        with freeze_time(MEETING - hours(23)):
            booking._reschedule(aware(new_start))
        client_mail = self.mail(booking, "client_reschedule")
        self.assertIn("Friday, March 6, 2026", client_mail.body_html)
        self.assertIn("Thursday, March 5, 2026", client_mail.body_html)  # the previous time, struck through
        _calendar, event = self.ics(client_mail)
        self.assertEqual(event["SEQUENCE"], 1)
        self.assertEqual(str(event["UID"]), f"{booking.reference}@voltaic-booking")
        self.assertEqual(event.decoded("DTSTART"), aware(new_start))
        self.assertIn("Moved: consultation with Priya Sharma", self.mail(booking, "consultant_reschedule").subject)
        # the reminders follow the new time: the first goes again for it, once
        self.run_cron(MEETING - hours(20))
        self.assertEqual(len(self.logs(booking, "client_reminder")), 1)
        self.run_cron(new_start - hours(24))
        self.run_cron(new_start - hours(23))
        reminders = self.logs(booking, "client_reminder")
        self.assertEqual(sorted(reminders.mapped("revision")), [0, 1])

    def test_cancellation_mails_both_sides_and_stops_reminders(self):
        booking = self.book()
        with freeze_time(NOW + hours(1)):
            booking.action_cancel(reason="Budget moved to next year")
        client_mail = self.mail(booking, "client_cancellation")
        self.assertIn("Budget moved to next year", client_mail.body_html)
        self.assertIn("https://book.example.com/book-consultation", client_mail.body_html)
        calendar, event = self.ics(client_mail)
        self.assertEqual(str(calendar.get("METHOD")), "CANCEL")
        self.assertEqual(str(event["STATUS"]), "CANCELLED")
        self.assertEqual(event["SEQUENCE"], 1)
        self.assertEqual(str(event["UID"]), f"{booking.reference}@voltaic-booking")
        self.assertIn("Budget moved to next year", self.mail(booking, "consultant_cancellation").body_html)
        self.run_cron(MEETING - hours(3))
        self.run_cron(MEETING - hours(1))
        self.assertEqual(self.kinds(booking), [
            "client_cancellation", "client_confirmation", "consultant_cancellation", "consultant_confirmation"])

    def test_completed_after_the_end_then_feedback_request_once(self):
        booking = self.book()
        self.run_cron(STOP + timedelta(minutes=30))
        self.assertEqual(booking.state, "confirmed")
        self.run_cron(STOP + timedelta(minutes=61))
        self.assertEqual(booking.state, "completed")
        self.assertEqual(booking.completed_at, STOP)
        self.run_cron(STOP + hours(23))
        self.assertFalse(self.logs(booking, "client_feedback"))
        self.run_cron(STOP + hours(24))
        self.run_cron(STOP + hours(30))
        feedback = self.mail(booking, "client_feedback")
        self.assertEqual(feedback.subject, "How was your consultation with Carla Consultant?")
        for rating in range(1, 6):
            self.assertIn(f"/book-consultation/feedback/{booking.reference}?token={booking.access_token}"
                          f"&amp;rating={rating}", feedback.body_html)

    def test_feedback_request_skipped_when_stale_or_rated(self):
        rated = self.book()
        with freeze_time(STOP):
            rated.action_complete()
        rated.rating = 5
        # completed by the consultant, never asked because the cron was down for more than a week
        stale = self.book(start=MEETING + hours(5), email="tom@baker.example")
        with freeze_time(STOP + hours(5)):
            stale.action_complete()
        self.run_cron(STOP + timedelta(days=9))
        self.assertFalse(self.logs(rated, "client_feedback"))
        self.assertFalse(self.logs(stale, "client_feedback"))

    def test_no_show_follow_up_an_hour_after_the_missed_meeting(self):
        booking = self.book(language="de", email="lena@stadtwerke-nord.example")
        with freeze_time(MEETING + timedelta(minutes=20)):
            booking.action_mark_no_show()
        self.run_cron(STOP + timedelta(minutes=30))
        self.assertFalse(self.logs(booking, "client_no_show"))
        self.run_cron(STOP + hours(1))
        self.run_cron(STOP + hours(2))
        mail = self.mail(booking, "client_no_show")
        self.assertIn("Wir haben Sie vermisst", mail.subject)
        self.assertIn(f"/de/book-consultation/manage/{booking.reference}?token={booking.access_token}",
                      mail.body_html)
        # marked later than an hour after the end: it goes at the next run
        late = self.book(start=MEETING + hours(5), email="tom@baker.example")
        with freeze_time(STOP + hours(5) + hours(4)):
            late.action_mark_no_show()
        self.run_cron(STOP + hours(5) + hours(4) + timedelta(minutes=5))
        self.assertEqual(len(self.logs(late, "client_no_show")), 1)

    def test_send_reminder_now_from_the_back_office(self):
        booking = self.book()
        consultant_env = booking.with_user(self.consultant_user)
        with freeze_time(NOW + hours(1)):
            action = consultant_env.action_send_reminder()
        self.assertEqual(action["tag"], "display_notification")
        # the next reminder went now and is not sent again at its time
        self.assertEqual(len(self.logs(booking, "client_reminder")), 1)
        self.run_cron(MEETING - hours(24))
        self.assertEqual(len(self.logs(booking, "client_reminder")), 1)
        with freeze_time(MEETING - hours(20)):
            consultant_env.action_send_reminder()
        self.assertEqual(len(self.logs(booking, "client_last_reminder")), 1)
        # all reminders were sent: asked again, the last one is repeated
        with freeze_time(MEETING - hours(19)):
            consultant_env.action_send_reminder()
        repeated = self.logs(booking, "client_last_reminder")
        self.assertEqual(len(repeated), 2)
        self.assertEqual(repeated.mapped("manual"), [True, False])
        self.run_cron(MEETING - hours(2))
        self.assertEqual(len(self.logs(booking, "client_last_reminder")), 2)
        # not for a past meeting; not for someone who may not change the booking
        with freeze_time(MEETING + hours(2)), self.assertRaises(UserError):
            consultant_env.action_send_reminder()
        salesman = new_test_user(self.env, "vb_notify_sales", groups="sales_team.group_sale_salesman")
        with self.assertRaises(AccessError):
            booking.with_user(salesman).action_send_reminder()

    def test_client_notices_stay_back_when_the_booking_says_so(self):
        """A provider that mails its clients itself (``_skip_client_confirmation``): the consultant is still told,
        and the reminders still go."""
        booking_class = type(self.env["voltaic.booking"])
        with patch.object(booking_class, "_skip_client_confirmation", lambda self: True):
            booking = self.book()
            with freeze_time(NOW + hours(1)):
                booking._reschedule(aware(MEETING + hours(4)))
            self.run_cron(MEETING + hours(4) - hours(24))
        self.assertEqual(self.kinds(booking), [
            "client_reminder", "consultant_confirmation", "consultant_reschedule"])

    def test_claim_is_unique_per_booking_kind_and_revision(self):
        booking = self.book()
        self.assertIsNone(booking._claim_email("client_confirmation"))
        first = booking._claim_email("client_reminder")
        self.assertTrue(first)
        self.assertIsNone(booking._claim_email("client_reminder"))
        self.assertTrue(booking._claim_email("client_reminder", manual=True))
        self.assertTrue(booking._claim_email("client_reminder", manual=True))
        # a worker that missed the claim (older snapshot, no lock): its insert loses, nothing is queued twice
        booking_class = type(booking)
        with patch.object(booking_class, "_lock_for_notifications", lambda self, bookings: bookings), \
                patch.object(booking_class, "_sent_kinds", lambda self: set()):
            self.run_cron(MEETING - hours(24))
        self.assertEqual(len(self.logs(booking, "client_reminder").filtered(lambda log: not log.manual)), 1)
        self.assertFalse(self.logs(booking, "client_reminder").filtered(lambda log: not log.manual).mail_id)

    @mute_logger("odoo.addons.voltaic_booking.models.booking_notification")
    def test_a_broken_template_does_not_break_the_booking(self):
        booking_class = type(self.env["voltaic.booking"])
        render = booking_class._render_email

        def broken_render(booking, template, kind):
            if kind == "client_confirmation":
                raise ValueError("the template refers to a field that no longer exists")
            return render(booking, template, kind)

        with patch.object(booking_class, "_render_email", broken_render):
            booking = self.book()
        self.assertEqual(booking.state, "confirmed")
        self.assertEqual(self.kinds(booking), ["consultant_confirmation"])
        self.assertTrue(any("could not be prepared" in message.body for message in booking.message_ids))


@tagged("post_install", "-at_install")
class TestMailDelivery(NotificationCase):
    """A failing SMTP server delays the e-mails and loses none."""

    def test_failing_smtp_server_loses_nothing(self):
        booking = self.book()
        mails = self.logs(booking).mail_id
        with self.mock_mail_gateway(), mute_logger("odoo.addons.mail.models.mail_mail"), \
                patch("smtplib.SMTP", side_effect=ConnectionRefusedError(111, "Connection refused")), \
                patch("smtplib.SMTP_SSL", side_effect=ConnectionRefusedError(111, "Connection refused")):
            self.env["mail.mail"].process_email_queue()
            self.assertFalse(self._mails)
        self.assertEqual(mails.mapped("state"), ["exception", "exception"])
        self.assertTrue(all("refused" in reason for reason in mails.mapped("failure_reason")))
        self.assertEqual(len(mails.exists()), 2)

        self.run_cron(NOW + timedelta(minutes=1))
        self.assertEqual(mails.mapped("state"), ["exception", "exception"])
        self.assertTrue(all(self.logs(booking).mapped("next_retry_at")))
        self.run_cron(NOW + timedelta(minutes=7))
        self.assertEqual(mails.mapped("state"), ["outgoing", "outgoing"])
        self.assertEqual(self.logs(booking).mapped("retry_count"), [1, 1])

        sent = self.deliver()
        self.assertEqual(mails.mapped("state"), ["sent", "sent"])
        self.assertEqual(len([mail for mail in sent if mail["subject"].endswith(f"({booking.reference})")]), 2)

    def test_a_failed_reminder_is_not_retried_after_the_start(self):
        booking = self.book()
        self.run_cron(MEETING - hours(2))
        last = self.mail(booking, "client_last_reminder")
        last.write({"state": "exception", "failure_type": "mail_smtp"})
        self.run_cron(MEETING - timedelta(minutes=100))
        self.run_cron(MEETING + timedelta(minutes=1))
        self.assertEqual(last.state, "cancel")


@tagged("post_install", "-at_install")
class TestReminderConcurrency(TransactionCase):
    """Two cron workers run the reminder job at the same moment, on committed data, in their own transactions."""

    def _new_env(self):
        """An environment on a new database connection of its own (not the test's transaction).

        The test runner holds the registry lock while tests run, so the
        cursor gets its transaction on the loaded registry directly instead
        of looking the registry up (which would wait for that lock).
        """
        cursor = sql_db.db_connect(self.env.cr.dbname).cursor()
        cursor.transaction = Transaction(self.registry)
        return api.Environment(cursor, SUPERUSER_ID, {})

    def setUp(self):
        super().setUp()
        env = self._new_env()
        with env.cr as cr:
            calendar = make_calendar(env, "VB concurrency", tz="UTC", hours=None)
            consultant = make_consultant(
                env, "Conny Concurrent", f"vb_concurrency_{uuid.uuid4().hex[:8]}", calendar=calendar, tz="UTC",
                groups="voltaic_booking.group_user", email="conny@voltaic.example",
                video_url="https://meet.example.com/conny", buffer_after_minutes=0)
            user = consultant.user_id
            # six short meetings close together, so that their reminders are all due at one moment
            bookings = env["voltaic.booking"].with_context(voltaic_booking_service=True).create([{
                "consultant_id": consultant.id,
                "start": MEETING + timedelta(minutes=20 * index),
                "stop": MEETING + timedelta(minutes=20 * index + 15),
                "duration": 15,
                "first_name": "Client",
                "last_name": str(index),
                "email": f"client{index}@example.com",
                "language": "en",
                "scheduled_at": NOW,
                "location": "https://meet.example.com/conny",
            } for index in range(6)])
            cr.commit()  # pylint: disable=invalid-commit  # the workers only see committed data
            self.ids = {"calendar": calendar.id, "user": user.id, "partner": user.partner_id.id,
                        "consultant": consultant.id, "bookings": bookings.ids}
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        env = self._new_env()
        with env.cr as cr:
            bookings = env["voltaic.booking"].browse(self.ids["bookings"]).exists()
            mails = env["voltaic.booking.message"].search([("booking_id", "in", bookings.ids)]).mail_id
            mails.attachment_ids.unlink()
            mails.unlink()
            env["mail.message"].search([("model", "=", "voltaic.booking"), ("res_id", "in", bookings.ids)]).unlink()
            bookings.with_context(**{MODULE_UNINSTALL_FLAG: True}).unlink()  # test data (confirmed: not deletable)
            env["voltaic.consultant"].browse(self.ids["consultant"]).unlink()
            env["res.users"].browse(self.ids["user"]).unlink()
            env["res.partner"].browse(self.ids["partner"]).unlink()
            env["resource.calendar"].browse(self.ids["calendar"]).unlink()
            cr.commit()  # pylint: disable=invalid-commit  # remove what setUp committed

    def _run_workers(self, at, slow_claim=True):
        """Run the job in two threads on their own cursors, started together; each commits its work."""
        barrier = threading.Barrier(2, timeout=30)
        errors = []
        booking_class = type(self.env["voltaic.booking"])
        render = booking_class._render_email

        def slow_render(booking, template, kind):
            mail = render(booking, template, kind)
            if slow_claim:
                time.sleep(0.2)  # hold the claim open while the other worker tries the same message
            return mail

        def worker():
            try:
                env = self._new_env()
                with env.cr as cr:
                    env["voltaic.booking"].search([("id", "in", self.ids["bookings"])]).mapped("start")
                    barrier.wait()
                    env["voltaic.booking"]._cron_send_notifications()
                    cr.commit()  # pylint: disable=invalid-commit  # like the cron worker
            except Exception as error:  # pylint: disable=broad-exception-caught  # reported below
                errors.append(error)

        with freeze_time(at), patch.object(booking_class, "_render_email", slow_render):
            threads = [threading.Thread(target=worker) for _index in range(2)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=120)
        self.assertFalse(errors)
        self.assertFalse(any(thread.is_alive() for thread in threads))

    def _counts(self):
        with self._new_env().cr as cr:
            cr.execute("""
                SELECT m.kind, count(*), count(DISTINCT m.mail_id), count(DISTINCT mm.id)
                  FROM voltaic_booking_message m
                  LEFT JOIN mail_mail mm ON mm.id = m.mail_id
                 WHERE m.booking_id = ANY(%s)
              GROUP BY m.kind, m.booking_id""", [self.ids["bookings"]])
            return cr.fetchall()

    def test_two_workers_send_each_reminder_once(self):
        self._run_workers(MEETING - hours(19))
        counts = self._counts()
        self.assertEqual(len(counts), 6, "one first reminder for each of the six bookings")
        self.assertTrue(all(row[0] == "client_reminder" and row[1:] == (1, 1, 1) for row in counts), counts)

    def test_two_workers_without_row_locks_still_send_once(self):
        """The unique claim alone settles it: even workers that do not skip each other's rows send once."""
        booking_class = type(self.env["voltaic.booking"])
        with patch.object(booking_class, "_lock_for_notifications", lambda self, bookings: bookings):
            self._run_workers(MEETING - timedelta(minutes=10))
        counts = self._counts()
        kinds = sorted(row[0] for row in counts)
        self.assertEqual(kinds, ["client_last_reminder"] * 6 + ["consultant_reminder"] * 6)
        self.assertTrue(all(row[1:] == (1, 1, 1) for row in counts), counts)
