"""A consultant who schedules through Calendly or Cal.com: a "Schedule" button on their card and profile."""

from html import unescape

import lxml.html

from odoo.tests import HttpCase, new_test_user, tagged

from .provider_common import ProviderCase


@tagged("post_install", "-at_install")
class TestScheduleButton(HttpCase, ProviderCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.anna.scheduling_url = "https://calendly.com/anna-weber/consultation"
        cls.schedule_path = f"/book-consultation/{cls.env['ir.http']._slug(cls.anna)}/schedule"

    def test_card_and_profile_show_the_button(self):
        page = self.url_open("/book-consultation")
        self.assertEqual(page.status_code, 200)
        self.assertIn(f'href="{self.schedule_path}"', page.text)
        self.assertEqual(page.text.count("o_vbw_schedule"), 1, "only Anna schedules through a provider")
        profile = self.url_open(f"/book-consultation/{self.env['ir.http']._slug(self.anna)}")
        self.assertIn(f'href="{self.schedule_path}"', profile.text)
        james = self.url_open(f"/book-consultation/{self.env['ir.http']._slug(self.james)}")
        self.assertNotIn("o_vbw_schedule", james.text)

    def test_the_embed_page_is_prefilled_for_a_logged_in_client(self):
        client = new_test_user(self.env, "vb_p15_client", groups="base.group_portal", name="Lena Fischer",
                               email="lena.fischer@stadtwerke-nord.example")
        client.partner_id.phone = "+49 40 1234567"
        anonymous = unescape(self.url_open(self.schedule_path).text)
        self.assertIn("https://calendly.com/anna-weber/consultation?", anonymous)
        self.assertNotIn("lena.fischer", anonymous)
        self.authenticate("vb_p15_client", "vb_p15_client")
        page = unescape(self.url_open(self.schedule_path).text)
        self.assertIn("name=Lena+Fischer", page)
        self.assertIn("email=lena.fischer%40stadtwerke-nord.example", page)
        # what the link says wins over what we know
        page = unescape(self.url_open(f"{self.schedule_path}?email=lena%40other.example").text)
        self.assertIn("email=lena%40other.example", page)

    def test_our_wizard_never_offers_the_providers_busy_times_as_free(self):
        """Only Calendly knows all of Anna's busy times: she is booked there, never through our own wizard
        or API (whose free times would be Odoo's side only); her Calendly bookings still come in."""
        slug = self.env["ir.http"]._slug(self.anna)
        cards = self.url_open("/book-consultation").text
        # her own card only (the demo data has a consultant of the same name)
        card_element = lxml.html.fromstring(cards).xpath(
            f'//*[@id="vbw_card_name_{self.anna.id}"]/ancestor::article[1]')[0]
        anna_card = lxml.html.tostring(card_element, encoding="unicode")
        self.assertIn("o_vbw_schedule", anna_card)
        self.assertNotIn("o_vbw_book", anna_card)
        self.assertIn("Free times on the scheduling page.", anna_card)
        profile = self.url_open(f"/book-consultation/{slug}").text
        self.assertIn("takes bookings on their scheduling page", profile)
        self.assertNotIn("o_vbw_slot", profile)
        slots = self.url_open("/api/consultations/slots", params={
            "consultant": self.anna.id, "duration": self.anna._allowed_durations()[0]}).json()
        self.assertEqual(slots["slots"], [])
        row = self.deliver("calendly", "calendly_invitee_created")
        self.assertEqual(row.state, "done", row.last_error)
        self.assertEqual(row.booking_id.consultant_id, self.anna)
