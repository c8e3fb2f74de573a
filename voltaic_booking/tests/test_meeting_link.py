"""One meeting link for both sides: the Google Meet link reaches the client everywhere (Google faked at HTTP)."""

from datetime import datetime, timedelta

from freezegun import freeze_time
from icalendar import Calendar

from odoo.tests import HttpCase, tagged

from ..models.booking_meet import MEET_WAIT
from .common import VoltaicBookingCase, local
from .google_common import NOW, RATE_LIMITED, GoogleCase, event_answer, token_answer
from .google_common import utc as gutc

MEET = "https://meet.google.com/abc-defg-hij"
OWN_LINK = "https://meet.example.com/vb_google_carla"
EMAIL_JOB = "voltaic_booking.ir_cron_booking_emails"


def meet_answer(event_id, link=MEET):
    """Google's answer to an insert that asked for a Meet conference."""
    return event_answer({"id": event_id}, hangoutLink=link, conferenceData={
        "createRequest": {"requestId": f"{event_id}-meet", "status": {"statusCode": "success"},
                          "conferenceSolutionKey": {"type": "hangoutsMeet"}},
        "entryPoints": [{"entryPointType": "video", "uri": link, "label": link.split("//")[1]}],
        "conferenceSolution": {"key": {"type": "hangoutsMeet"}, "name": "Google Meet"},
        "conferenceId": link.rsplit("/", 1)[1],
    })


def plain(html):
    return html.replace("\u202f", " ").replace("&amp;", "&")


@freeze_time(NOW)
class TestMeetLinkForBothSides(GoogleCase):
    """Carla syncs with Google and Meet is on: her own video link is replaced by the Meet link."""

    def setUp(self):
        super().setUp()
        self.env["ir.config_parameter"].sudo().set_param("voltaic_booking.google_meet", "True")
        self.connection.busy_refreshed_at = datetime(2026, 3, 2, 5, 59)  # fresh busy times: slots call nobody

    def push(self, exchanges):
        with self.fake_google(exchanges) as google:
            self.env["voltaic.booking"]._google_push_due()
        google.assert_done(self)

    def prepare_emails(self, booking):
        """Run the e-mail job; the booking's e-mails still waiting to be rendered."""
        self.env["voltaic.booking"]._cron_prepare_emails()
        return sorted(booking.email_log_ids.filtered("render_pending").mapped("kind"))

    def mail(self, booking, kind):
        logs = booking.email_log_ids.filtered(lambda log: log.kind == kind)
        self.assertEqual(len(logs), 1, f"one {kind} e-mail")
        self.assertFalse(logs.render_pending)
        return logs.mail_id

    def ics_event(self, mail):
        attachment = mail.attachment_ids.filtered(lambda a: a.name.endswith(".ics"))
        return Calendar.from_ical(attachment.raw).walk("VEVENT")[0]

    def test_meet_link_in_the_confirmation_reminder_and_calendar_file(self):
        booking = self.book(gutc(2026, 3, 3, 8))
        self.assertEqual(booking.location, OWN_LINK, "until Google answers, the booking keeps its link")
        # the confirmations wait for Google's answer instead of going out with a link that is about to change
        self.assertEqual(self.prepare_emails(booking), ["client_confirmation", "consultant_confirmation"])

        email_job = self.env.ref(EMAIL_JOB)
        self.env["ir.cron.trigger"].search([("cron_id", "=", email_job.id)]).unlink()  # the booking's own
        self.push([
            ("POST", "oauth2.googleapis.com/token", 200, token_answer()),
            ("POST", "/calendars/primary/events", 200, meet_answer(booking._google_new_event_id())),
        ])
        self.assertTrue(self.env["ir.cron.trigger"].search_count([("cron_id", "=", email_job.id)]),
                        "the push wakes the e-mail job")
        self.assertEqual(booking.google_meet_url, MEET)
        self.assertEqual(booking._join_url(), MEET)
        self.assertEqual(booking.location, MEET)
        self.assertEqual(booking.event_id.videocall_location, MEET, "the consultant's meeting in Odoo: the same link")

        self.assertEqual(self.prepare_emails(booking), [])
        client_mail = self.mail(booking, "client_confirmation")
        body = plain(client_mail.body_html)
        self.assertIn(MEET, body)
        self.assertNotIn(OWN_LINK, body, "exactly one join link")
        event = self.ics_event(client_mail)
        self.assertEqual(str(event["LOCATION"]), MEET)
        self.assertEqual(str(event["URL"]), MEET)
        self.assertIn(f"Join the video call: {MEET}", str(event["DESCRIPTION"]))
        consultant_mail = self.mail(booking, "consultant_confirmation")
        self.assertIn(MEET, plain(consultant_mail.body_html))
        self.assertNotIn(OWN_LINK, plain(consultant_mail.body_html))

        # the last reminder, with the link, two hours before
        with freeze_time("2026-03-03 06:05:00"):
            self.env["voltaic.booking"]._cron_send_notifications()
        reminder = self.mail(booking, "client_last_reminder")
        self.assertIn(MEET, plain(reminder.body_html))
        self.assertNotIn(OWN_LINK, plain(reminder.body_html))

        # a later push (a reschedule) keeps the conference: the link stays the same
        booking._reschedule(gutc(2026, 3, 3, 12))
        self.push([
            ("PATCH", f"/calendars/primary/events/{booking.google_event_id}", 200,
             meet_answer(booking.google_event_id)),
        ])
        self.assertEqual(booking.location, MEET)
        self.assertIn(MEET, plain(self.mail(booking, "client_reschedule").body_html))

    def test_confirmation_waits_only_a_while_then_the_reminder_brings_the_meet_link(self):
        booking = self.book(gutc(2026, 3, 3, 8))
        self.push([
            ("POST", "oauth2.googleapis.com/token", 200, token_answer()),
            ("POST", "/calendars/primary/events", 429, RATE_LIMITED),
        ])
        self.assertEqual(booking.google_sync_state, "pending", "retried later")
        self.assertEqual(len(self.prepare_emails(booking)), 2)
        with freeze_time(datetime(2026, 3, 2, 6) + MEET_WAIT + timedelta(seconds=1)):
            self.assertEqual(self.prepare_emails(booking), [], "Google is late: the confirmations go out anyway")
        confirmation = self.mail(booking, "client_confirmation")
        self.assertIn(OWN_LINK, plain(confirmation.body_html))

        with freeze_time("2026-03-02 07:00:00"):
            self.push([
                ("POST", "oauth2.googleapis.com/token", 200, token_answer()),  # the first token expired
                ("POST", "/calendars/primary/events", 200, meet_answer(booking._google_new_event_id())),
            ])
        self.assertEqual(booking._join_url(), MEET)
        self.assertEqual(str(Calendar.from_ical(booking._ics_content()).walk("VEVENT")[0]["LOCATION"]), MEET,
                         "the calendar file downloaded from now on")
        with freeze_time("2026-03-03 06:05:00"):
            self.env["voltaic.booking"]._cron_send_notifications()
        self.assertIn(MEET, plain(self.mail(booking, "client_last_reminder").body_html))

    def test_without_meet_the_booking_keeps_its_link_and_mails_do_not_wait(self):
        self.env["ir.config_parameter"].sudo().set_param("voltaic_booking.google_meet", False)
        booking = self.book(gutc(2026, 3, 3, 8))
        self.assertEqual(self.prepare_emails(booking), [])
        event = self.ics_event(self.mail(booking, "client_confirmation"))
        self.assertEqual(str(event["LOCATION"]), OWN_LINK)
        self.assertEqual(str(event["URL"]), OWN_LINK)
        self.push([
            ("POST", "oauth2.googleapis.com/token", 200, token_answer()),
            ("POST", "/calendars/primary/events", 200, event_answer({"id": booking._google_new_event_id()})),
        ])
        self.assertEqual(booking.location, OWN_LINK)

    def test_phone_meetings_have_no_join_link(self):
        booking = self.book(gutc(2026, 3, 3, 8), meeting_type="phone")
        self.assertFalse(booking._join_url())
        self.assertEqual(self.prepare_emails(booking), [], "no Meet for a phone call: nothing to wait for")
        self.assertNotIn("URL", self.ics_event(self.mail(booking, "client_confirmation")))


@tagged("post_install", "-at_install")
class TestMeetLinkOnClientPages(HttpCase, VoltaicBookingCase):
    """The confirmation page, the manage page and the calendar file show the Meet link once it is there."""

    def test_pages_show_the_one_join_link(self):
        day = self._monday_without_time_off()
        booking = self._book(local("Europe/Berlin", day.year, day.month, day.day, 10), meeting_type="video")
        discuss = booking.location
        self.assertTrue(booking._join_url(), "without Google: Odoo's video link as before")
        booking.write({"google_meet_url": MEET})
        booking._use_meet_link()
        token = booking._portal_ensure_token()
        for path in (f"/book-consultation/confirmed/{booking.reference}?token={token}",
                     f"/book-consultation/manage/{booking.reference}?token={token}"):
            page = self.url_open(path)
            self.assertEqual(page.status_code, 200, path)
            self.assertIn(MEET, page.text, path)
            self.assertNotIn(discuss, page.text, path)
        ics = self.url_open(f"/api/consultations/{booking.reference}/ics?token={token}")
        event = Calendar.from_ical(ics.content).walk("VEVENT")[0]
        self.assertEqual(str(event["LOCATION"]), MEET)
        self.assertEqual(str(event["URL"]), MEET)
