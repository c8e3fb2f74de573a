"""The links of the client's e-mails: "reschedule" and "cancel" open their section of the manage page, and
"reschedule" goes straight to the page where the booking is moved when that is elsewhere."""

import re
from datetime import timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo.tests import tagged

from .notification_common import MEETING, NOW, NotificationCase, aware, hours

EXTERNAL = "https://scheduler.example/reschedulings/3f1c9b2e"


def hrefs(html, text):
    """The targets of the links whose text is ``text``."""
    found = re.findall(rf'<a[^>]*href="([^"]+)"[^>]*>{re.escape(text)}</a>', html)
    return [href.replace("&amp;", "&") for href in found]


@tagged("post_install", "-at_install")
class TestClientMailLinks(NotificationCase):

    def manage(self, booking, lang=""):
        return f"https://book.example.com{lang}/book-consultation/manage/{booking.reference}?token={booking.access_token}"

    def test_reschedule_and_cancel_open_their_section(self):
        booking = self.book()
        body = self.mail(booking, "client_confirmation").body_html
        manage = self.manage(booking)
        self.assertEqual(hrefs(body, "reschedule"), [f"{manage}#reschedule"])
        self.assertEqual(hrefs(body, "cancel"), [f"{manage}#cancel"])
        self.assertEqual(hrefs(body, "Manage your booking"), [manage], "the button opens the whole page")
        self.run_cron(MEETING - hours(24))
        reminder = self.mail(booking, "client_reminder").body_html
        self.assertEqual(hrefs(reminder, "reschedule"), [f"{manage}#reschedule"])
        self.assertEqual(hrefs(reminder, "cancel"), [f"{manage}#cancel"])

    def test_german_mails_link_the_same_sections(self):
        booking = self.book(language="de", email="lena@stadtwerke-nord.example")
        body = self.mail(booking, "client_confirmation").body_html
        manage = self.manage(booking, "/de")
        self.assertEqual(hrefs(body, "verschieben"), [f"{manage}#reschedule"])
        self.assertEqual(hrefs(body, "stornieren"), [f"{manage}#cancel"])
        self.assertEqual(hrefs(body, "Buchung verwalten"), [manage])
        with freeze_time(NOW + hours(1)):
            booking._reschedule(aware(MEETING + timedelta(days=1, hours=3)))
        moved = self.mail(booking, "client_reschedule").body_html
        self.assertEqual(hrefs(moved, "verschieben"), [f"{manage}#reschedule"])

    def test_a_booking_moved_elsewhere_sends_the_client_there(self):
        """``_external_reschedule_url`` (an external scheduler's own link): the mails' reschedule link is that page;
        cancelling and the manage page stay here."""
        booking_class = type(self.env["voltaic.booking"])
        with patch.object(booking_class, "_external_reschedule_url",
                          lambda self: EXTERNAL if self.state == "confirmed" else False):
            booking = self.book()
            self.run_cron(MEETING - hours(24))
        manage = self.manage(booking)
        for kind in ("client_confirmation", "client_reminder"):
            body = self.mail(booking, kind).body_html
            self.assertEqual(hrefs(body, "reschedule"), [EXTERNAL], kind)
            self.assertEqual(hrefs(body, "cancel"), [f"{manage}#cancel"], kind)
            self.assertEqual(hrefs(body, "Manage your booking"), [manage], kind)

    def test_missed_meeting_picks_a_new_time_on_the_manage_page(self):
        booking = self.book()
        with freeze_time(MEETING + timedelta(minutes=20)):
            booking.action_mark_no_show()
        self.run_cron(MEETING + hours(2) + timedelta(minutes=5))
        body = self.mail(booking, "client_no_show").body_html
        self.assertEqual(hrefs(body, "Choose a new time"), [f"{self.manage(booking)}#reschedule"])
