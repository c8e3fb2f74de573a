"""\"First available\" on the booking page (issue 14): the team's card, its slots and the form.

HTTP tests go through the real stack; the tours book a team in headless Chromium on a desktop and
a phone-sized screen, and the Python side checks whom the service assigned.
"""

from odoo import Command

from .test_booking_page import PAGE, BookingPageCase


class TestBookingPageTeam(BookingPageCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["voltaic.booking.team"].search([]).write({"website_published": False})
        cls.tina = cls._make_consultant(
            "Tina Teamer", "vbt_tina", calendar=cls.always, video_url="https://meet.example.com/tina",
            min_notice_hours=2, max_advance_days=30)
        cls.tour_team = cls.env["voltaic.booking.team"].create({
            "name": "Tour Team",
            "member_ids": [Command.create({"consultant_id": cls.tess.id, "sequence": 1}),
                           Command.create({"consultant_id": cls.tina.id, "sequence": 2})],
        })

    def _team_form(self, start=None, **values):
        form = self._form(start, **values)
        form.pop("consultant")
        return {"team": str(self.tour_team.id), **form}

    def test_index_shows_a_first_available_card_per_published_team(self):
        html = self.url_open(PAGE).text
        self.assertIn(f'data-vbw-team="{self.tour_team.id}"', html)
        self.assertIn("First available", html)
        # the card asks for the details any member requires (the service checks the same)
        self.assertRegex(html, rf'data-vbw-team="{self.tour_team.id}"[^>]*data-required-details=""')
        self.tina.required_detail_ids = [Command.set(self.env.ref("voltaic_booking.client_detail_phone").ids)]
        html = self.url_open(PAGE).text
        self.assertRegex(html, rf'data-vbw-team="{self.tour_team.id}"[^>]*data-required-details="phone"')
        # "free changes until" on step 3: the strictest member's deadline
        self.tess.edit_deadline_hours, self.tina.edit_deadline_hours = 6, 48
        html = self.url_open(PAGE).text
        self.assertRegex(html, rf'data-vbw-team="{self.tour_team.id}"[^>]*data-edit-deadline-hours="48"')
        self.tour_team.website_published = False
        self.assertNotIn("data-vbw-team=", self.url_open(PAGE).text)

    def test_submit_a_team_books_a_member(self):
        response = self._submit(self._team_form())
        self.assertEqual(response.status_code, 201, response.text)
        booking = self._bookings()
        self.assertEqual(booking.team_id, self.tour_team)
        self.assertEqual(booking.consultant_id, self.tess, "round robin: the first in the list")
        self.assertEqual(booking.source, "website")
        second = self._submit(self._team_form(start=booking.start, email="bob@vbt-client.example"))
        self.assertEqual(second.status_code, 201, second.text)
        self.assertEqual(self._bookings("bob@vbt-client.example").consultant_id, self.tina,
                         "the same time: the other member")

    def test_submit_an_unpublished_team_is_refused(self):
        self.tour_team.website_published = False
        response = self._submit(self._team_form())
        self.assertEqual(response.status_code, 422, response.text)
        self.assertIn("team", response.json()["error"]["fields"])
        self.assertFalse(self._bookings())

    def test_submit_with_a_filter_only_assigns_matching_members(self):
        self.tina.language_ids = [Command.set(self.env.ref("base.lang_de").ids)]
        self.tess.language_ids = [Command.set(self.env.ref("base.lang_en").ids)]
        start = self._slot(self.tina)[0]
        response = self._submit(self._team_form(start=start, team_language="de", tz="UTC"))
        self.assertEqual(response.status_code, 201, response.text)
        self.assertEqual(self._bookings().consultant_id, self.tina)

    def _assert_team_booking(self, email):
        booking = self._bookings(email)
        self.assertEqual(len(booking), 1)
        self.assertEqual(booking.team_id, self.tour_team)
        self.assertEqual(booking.consultant_id, self.tess)
        self.assertEqual(booking.source, "website")
        self.assertEqual(booking.lead_id.user_id, self.tess.user_id)

    def test_tour_first_available_desktop(self):
        self.start_tour(PAGE, "voltaic_booking_team_first_available", login=None)
        self._assert_team_booking("fay.first@example.com")

    def test_tour_first_available_phone(self):
        self.browser_size = "360x740"
        self.touch_enabled = True
        self.start_tour(PAGE, "voltaic_booking_team_first_available", login=None)
        self._assert_team_booking("fay.first@example.com")
