"""Issue 16 on the client's side: the short form, one e-mail rule, honest deadlines, one look everywhere.

The rules are checked where they live (the booking service and the page's
answers); the tours (``static/tests/tours/booking_one_screen.js``) walk the
one-screen picker, the short form, the manage page's reschedule with the same
picker and the cancellation with "Book again", on a desktop and a 390 px
phone, in English and German.
"""

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from babel.dates import format_skeleton, format_time

from odoo import Command

from ..exceptions import BookingValidationError
from .test_booking_page import PAGE, BookingPageCase

UTC = timezone.utc

PASSED_EN = "This time can no longer be changed online."
PASSED_DE = "Dieser Termin kann online nicht mehr geändert werden."


def plain(text):
    """``text`` with its spaces (narrow and non-breaking ones too) folded to single spaces."""
    return " ".join(text.replace("\u202f", " ").replace("\xa0", " ").split())


class TestBookingForm(BookingPageCase):

    def _service_values(self, start, **values):
        return {
            "consultant_id": self.tess.id, "start": start, "duration": 30, "meeting_type": "video",
            "client_tz": "Europe/Berlin", "first_name": "Jane", "last_name": "Doe",
            "email": "jane.doe@vbt-client.example", "language": "en", "terms_accepted": True,
            "privacy_accepted": True, "source": "website", **values,
        }

    def _later_slot(self, days=3):
        """A free start of Tess ``days`` ahead: beyond her online-change deadline (24 hours)."""
        start = datetime.now(UTC) + timedelta(days=days)
        return self.tess._get_slots(start, start + timedelta(days=1), 30)[self.tess.id][0][0]

    # ------------------------------------------------------------------
    # One e-mail rule, on the page and in the service
    # ------------------------------------------------------------------

    def test_the_service_and_the_page_refuse_a_double_dot_address(self):
        with self.assertRaises(BookingValidationError) as caught:
            self.env["voltaic.booking"]._book(self._service_values(self._slot()[0], email="jane..doe@example.com"))
        self.assertEqual(set(caught.exception.fields), {"email"})
        response = self._submit(self._form(email="jane..doe@example.com"))
        self.assertEqual(response.status_code, 422)
        self.assertIn("email", response.json()["error"]["fields"])
        self.assertFalse(self._bookings("jane..doe@example.com"))

    # ------------------------------------------------------------------
    # The short form
    # ------------------------------------------------------------------

    def test_one_consent_line_accepts_terms_and_privacy_together(self):
        form = self._form(consent="1")
        del form["terms_accepted"], form["privacy_accepted"]
        response = self._submit(form)
        self.assertEqual(response.status_code, 201, response.text)
        booking = self._bookings()
        self.assertTrue(booking.terms_accepted and booking.privacy_accepted)
        form = self._form(self._slot(index=3)[0], email="no.consent@vbt-client.example")
        del form["terms_accepted"], form["privacy_accepted"]
        fields = self._submit(form).json()["error"]["fields"]
        self.assertEqual({"terms_accepted", "privacy_accepted"} & set(fields), {"terms_accepted", "privacy_accepted"})

    def test_the_form_asks_name_and_email_and_hides_the_rest_behind_add_details(self):
        html = self.url_open(f"{PAGE}?consultant={self.tess.id}").text
        required_part, _sep, optional_part = html.partition('class="o_vbw_more_details"')
        for name in ("first_name", "last_name", "email"):
            self.assertIn(f'name="{name}"', required_part)
        for name in ("phone", "company", "position", "website", "language", "subject", "message"):
            self.assertNotIn(f'name="{name}"', required_part.split('class="o_vbw_form"')[1])
            self.assertIn(f'name="{name}"', optional_part)
        self.assertEqual(html.count('name="consent"'), 1, "terms and privacy in one consent line")
        self.assertIn("/consultation-terms", html)
        self.assertIn("/consultation-privacy", html)

    def test_details_a_consultant_requires_are_required_by_the_service(self):
        phone = self.env.ref("voltaic_booking.client_detail_phone")
        company = self.env.ref("voltaic_booking.client_detail_company")
        self.tess.required_detail_ids = [Command.set((phone | company).ids)]
        html = self.url_open(PAGE).text
        self.assertIn('data-required-details="phone,company"', html)
        response = self._submit(self._form(phone="", company=" "))
        self.assertEqual(response.status_code, 422)
        fields = response.json()["error"]["fields"]
        self.assertEqual(fields.get("phone"), "Phone is required.")
        self.assertEqual(fields.get("company"), "Company is required.")
        self.assertFalse(self._bookings())
        # the back office (an agreed meeting) is not held to the website's form
        booking = self.env["voltaic.booking"]._book(self._service_values(self._slot()[0], source="backend"))
        self.assertEqual(booking.state, "confirmed")
        self.assertEqual(self._submit(self._form(self._slot(index=4)[0])).status_code, 201)

    # ------------------------------------------------------------------
    # Honest deadlines, on both sides of the deadline
    # ------------------------------------------------------------------

    def _confirmation(self, booking, lang=""):
        token = booking._portal_ensure_token()
        response = self.url_open(f"{lang}/book-consultation/confirmed/{booking.reference}?token={token}")
        self.assertEqual(response.status_code, 200)
        return response.text

    def test_confirmation_says_the_time_can_no_longer_be_changed_inside_the_deadline(self):
        booking = self.env["voltaic.booking"]._book(self._service_values(self._slot()[0]))
        html = self._confirmation(booking)
        self.assertIn(PASSED_EN, html)
        self.assertNotIn("Free changes until", html)
        self.assertNotIn("#reschedule", html, "no link to change what cannot be changed")
        booking.language = "de"
        self.assertIn(PASSED_DE, self._confirmation(booking, lang="/de"))

    def test_confirmation_says_until_when_changes_are_free(self):
        start = self._later_slot()
        booking = self.env["voltaic.booking"]._book(self._service_values(start, client_tz="America/New_York"))
        html = self._confirmation(booking)
        deadline = booking._mail_edit_deadline().replace(tzinfo=UTC)
        zone = ZoneInfo("America/New_York")
        expected = (f"{format_skeleton('MMMEd', deadline, tzinfo=zone, locale='en_US')}, "
                    f"{format_time(deadline, 'short', tzinfo=zone, locale='en_US')}")
        self.assertIn(plain(f"Free changes until {expected}."), plain(html), "in the client's zone and language")
        self.assertNotIn(PASSED_EN, html)
        self.assertIn(f"{booking.reference}?token={booking.access_token}#reschedule", html)
        self.assertIn(f"{booking.reference}?token={booking.access_token}#cancel", html)
        self.assertIn("Eastern Time — New York (UTC-", html, "the client's zone as a person reads it")

    def test_a_cancelled_booking_offers_book_again_without_link_or_next_steps(self):
        booking = self.env["voltaic.booking"]._book(self._service_values(self._later_slot()))
        booking.action_cancel()
        html = self._confirmation(booking)
        self.assertIn("o_vbw_book_again", html)
        self.assertIn(f'href="/book-consultation/{self.env["ir.http"]._slug(self.tess)}"', html)
        self.assertNotIn("https://meet.example.com/tess", html)
        self.assertNotIn("o_vbw_next_steps", html)

    # ------------------------------------------------------------------
    # The tours: desktop and phone, English and German
    # ------------------------------------------------------------------

    def _tour(self, lang, phone):
        if phone:
            self.browser_size = "390x844"
            self.touch_enabled = True
        prefix = "/de" if lang == "de" else ""
        self.start_tour(f"{prefix}{PAGE}?consultant={self.tess.id}", f"voltaic_booking_one_screen_{lang}", login=None)
        booking = self._bookings("jane.doe.issue16@example.com")
        self.assertEqual(len(booking), 1)
        self.assertEqual(booking.state, "cancelled", "rescheduled on the manage page, then cancelled there")
        self.assertEqual(booking.client_tz, "Pacific/Auckland", "the zone chosen in the picker")
        self.assertTrue(booking.previous_start, "the manage page moved it")
        self.assertEqual((booking.phone, booking.subject), ("+49 30 1234567", "Heat pump"))
        self.assertTrue(booking.terms_accepted and booking.privacy_accepted)

    def test_tour_desktop_en(self):
        self._tour("en", phone=False)

    def test_tour_phone_en(self):
        self._tour("en", phone=True)

    def test_tour_desktop_de(self):
        self._tour("de", phone=False)

    def test_tour_phone_de(self):
        self._tour("de", phone=True)
