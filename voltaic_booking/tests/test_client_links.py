"""A client's links (pages, e-mails, calendar files, API answers) live on the website's own domain, and the
calendar files say what a calendar expects: an invitation in e-mails, a plain entry to download."""

from icalendar import Calendar

from odoo.tests import tagged

from .notification_common import MEETING, NotificationCase

WEBSITE = "https://www.voltaic.example"
ADMIN_HOST = "http://10.1.2.3:8069"  # where an administrator last logged in from: web.base.url follows it


@tagged("post_install", "-at_install")
class TestClientLinks(NotificationCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.website = cls.env["website"].search([("company_id", "=", cls.company.id)], order="sequence, id", limit=1)
        cls.website.domain = WEBSITE

    def set_base_url(self, url):
        self.env["ir.config_parameter"].sudo().set_param("web.base.url", url)

    def test_links_follow_the_website_not_the_administrators_host(self):
        booking = self.book()
        before = {**booking._public_urls(), "feedback": booking._feedback_url(), "page": booking._booking_page_url()}
        self.set_base_url(ADMIN_HOST)
        after = {**booking._public_urls(), "feedback": booking._feedback_url(), "page": booking._booking_page_url()}
        self.assertEqual(before, after)
        self.assertEqual(after["manage_url"],
                         f"{WEBSITE}/book-consultation/manage/{booking.reference}?token={booking.access_token}")
        self.assertEqual(after["ics_url"],
                         f"{WEBSITE}/api/consultations/{booking.reference}/ics?token={booking.access_token}")
        for url in after.values():
            self.assertTrue(url.startswith(WEBSITE + "/"), url)

    def test_mails_and_calendar_files_use_the_website_domain(self):
        self.set_base_url(ADMIN_HOST)
        booking = self.book()
        mail = self.mail(booking, "client_confirmation")
        self.assertIn(f"{WEBSITE}/book-consultation/manage/{booking.reference}?token=", mail.body_html)
        self.assertIn(f"{WEBSITE}/api/consultations/{booking.reference}/ics?token=", mail.body_html)
        self.assertNotIn(ADMIN_HOST, mail.body_html)
        _calendar, event = self.ics(mail)
        self.assertIn(f"{WEBSITE}/book-consultation/manage/{booking.reference}", str(event["DESCRIPTION"]))
        self.assertNotIn(ADMIN_HOST, Calendar.to_ical(_calendar).decode())

    def test_booking_links_sent_from_a_lead_use_the_website_domain(self):
        self.set_base_url(ADMIN_HOST)
        lead = self.env["crm.lead"].create({"name": "VBT Link Lead", "email_from": "link.lead@vbt-client.example"})
        link = self.env["voltaic.booking.link"].create({"lead_id": lead.id, "email": lead.email_from})
        self.assertEqual(link.url, f"{WEBSITE}/book-consultation/link/{link.access_token}")

    def test_without_website_domain_links_use_web_base_url(self):
        self.website.domain = False
        self.set_base_url(ADMIN_HOST)
        booking = self.book()
        self.assertTrue(booking._public_urls()["manage_url"].startswith(f"{ADMIN_HOST}/book-consultation/manage/"))

    def test_german_client_links_keep_the_language_prefix(self):
        self.website.language_ids |= self.env.ref("base.lang_de")
        booking = self.book(language="de")
        self.assertTrue(booking._manage_url().startswith(f"{WEBSITE}/de/book-consultation/manage/"),
                        booking._manage_url())


@tagged("post_install", "-at_install")
class TestCalendarFiles(NotificationCase):

    def event(self, raw):
        calendar = Calendar.from_ical(raw)
        (event,) = calendar.walk("VEVENT")
        return calendar, event

    def test_download_is_published_with_reference_join_and_manage_links(self):
        booking = self.book()
        calendar, event = self.event(booking._ics_content(publish=True))
        self.assertEqual(str(calendar.get("METHOD")), "PUBLISH")
        self.assertNotIn("ATTENDEE", event)
        self.assertEqual(str(event["UID"]), f"{booking.reference}@voltaic-booking")
        lines = str(event["DESCRIPTION"]).splitlines()
        self.assertEqual(lines, [
            "Solar roof for the warehouse",
            f"Reference: {booking.reference}",
            "Join the video call: https://meet.example.com/carla",
            f"Manage your booking: {booking._manage_url()}",
        ])
        self.assertEqual(str(event["URL"]), "https://meet.example.com/carla", "the one join link")

    def test_mail_attachment_stays_an_invitation(self):
        booking = self.book()
        calendar, event = self.ics(self.mail(booking, "client_confirmation"))
        self.assertEqual(str(calendar.get("METHOD")), "REQUEST")
        self.assertEqual(str(event["ATTENDEE"]), "mailto:priya@sharma-solar.example")
        self.assertIn(f"Reference: {booking.reference}", str(event["DESCRIPTION"]))
        booking.action_cancel("Plans changed")
        calendar, event = self.event(booking._ics_content())
        self.assertEqual(str(calendar.get("METHOD")), "CANCEL")
        calendar, event = self.event(booking._ics_content(publish=True))
        self.assertEqual((str(calendar.get("METHOD")), str(event["STATUS"])), ("PUBLISH", "CANCELLED"))

    def test_german_client_gets_a_german_description(self):
        booking = self.book(language="de", start=MEETING)
        _calendar, event = self.event(booking._ics_content(publish=True))
        description = str(event["DESCRIPTION"])
        self.assertIn(f"Referenz: {booking.reference}", description)
        self.assertIn("Beratung mit Carla Consultant", str(event["SUMMARY"]))
