"""The public booking page (``controllers/booking_page.py``), as a visitor uses it.

HTTP tests go through the real stack (``url_open``); in test mode requests
share the test's transaction, so bookings made over HTTP are visible to the
assertions and rolled back afterwards. The tours drive the page in headless
Chromium, on a desktop and a phone-sized screen, in English and German, and
the Python side then checks the booking, its lead and its event.
"""

import base64
import io
import json
import re
from datetime import datetime, timedelta, timezone
from unittest.mock import patch
from urllib.parse import parse_qs, urlparse

from PIL import Image

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import HttpCase, tagged

from ..controllers.booking_page import CAPTCHA_ACTION, HONEYPOT_FIELD
from ..lib.slots import to_utc_iso
from .common import VoltaicBookingCase
from odoo.addons.http_routing.tests.common import MockRequest

UTC = timezone.utc

PAGE = "/book-consultation"
SUBMIT = "/book-consultation/submit"
RATE_PARAM = "voltaic_booking.rate_limit_per_minute"
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def png_bytes():
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), "teal").save(buffer, format="PNG")
    return buffer.getvalue()


@tagged("post_install", "-at_install")
class BookingPageCase(HttpCase, VoltaicBookingCase):
    """Tess books around the clock (so the tours find slots at any hour); Otto does not accept bookings."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].sudo().set_param(RATE_PARAM, "0")
        cls.env["res.lang"]._activate_lang("de_DE")
        website = cls.env["website"].get_current_website()
        website.language_ids = [Command.link(cls.env.ref("base.lang_en").id),
                                Command.link(cls.env.ref("base.lang_de").id)]
        cls.always = cls._make_calendar("VBT Around the Clock", tz="UTC", weekdays=range(7), morning=(0, 12),
                                        lunch=(None, None), afternoon=(12, 24))
        cls.expertise = cls.env["voltaic.consultant.expertise"].create({"name": "Tour Expertise"})
        cls.tess = cls._make_consultant(
            "Tess Tourner", "vbt_tess", calendar=cls.always, job_title="Grid Consultant",
            bio="<p>Tess plans grid connections for solar parks.</p>",
            expertise_ids=[Command.set(cls.expertise.ids)],
            language_ids=[Command.set([cls.env.ref("base.lang_en").id, cls.env.ref("base.lang_de").id])],
            offers_in_person=False, video_url="https://meet.example.com/tess",
            min_notice_hours=2, max_advance_days=30, buffer_before_minutes=7, buffer_after_minutes=11)
        cls.otto = cls._make_consultant("Otto Other", "vbt_otto", calendar=cls.always, is_accepting_bookings=False)
        # the page offers every consultant's durations; the tours see Tess's cards hide this one
        cls.other_consultant.write({"duration_ids": [Command.create({"duration": 90})]})

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    def _slot(self, consultant=None, index=0, duration=30):
        consultant = consultant or self.tess
        now = datetime.now(UTC)
        return consultant._get_slots(now, now + timedelta(days=4), duration)[consultant.id][index]

    def _csrf(self, url=PAGE):
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200)
        return CSRF_RE.search(response.text).group(1)

    def _form(self, start=None, **values):
        start = start or self._slot()[0]
        return {
            "consultant": str(self.tess.id),
            "start": to_utc_iso(start),
            "duration": "30",
            "meeting_type": "video",
            "tz": "Asia/Kolkata",
            "first_name": "Ada",
            "last_name": "Lovelace",
            "email": "ada.lovelace@vbt-client.example",
            "phone": "+44 20 7946 0958",
            "company": "Analytical Engines Ltd",
            "website": "www.analytical.example",
            "position": "CTO",
            "subject": "Storage for our plant",
            "message": "We run a 2 MW rooftop installation.",
            "language": "en",
            "terms_accepted": "1",
            "privacy_accepted": "1",
            HONEYPOT_FIELD: "",
            **values,
        }

    def _submit(self, form, url=SUBMIT, csrf=True):
        data = dict(form)
        if csrf:
            data["csrf_token"] = self._csrf()
        return self.url_open(url, data=data)

    def _bookings(self, email="ada.lovelace@vbt-client.example"):
        return self.env["voltaic.booking"].sudo().search([("email", "=", email)])


class TestBookingPage(BookingPageCase):

    # ------------------------------------------------------------------
    # Step 1 and the profile page
    # ------------------------------------------------------------------

    def test_index_shows_bookable_consultants_and_says_who_is_not(self):
        response = self.url_open(PAGE)
        self.assertEqual(response.status_code, 200)
        html = response.text
        self.assertIn('data-name="Tess Tourner"', html)
        self.assertIn("Grid Consultant", html)
        self.assertIn("Tour Expertise", html)
        self.assertIn("Tess plans grid connections", html)
        # the next free slot, machine-readable for the page's script
        next_slot = self.tess._next_available()[self.tess.id]
        self.assertIn(f'datetime="{to_utc_iso(next_slot)}"', html)
        self.assertRegex(html, r'data-free="\d+-\d+')
        # Otto is listed, says he takes no bookings and offers no "Book" button
        otto_card = html[html.index('data-name="Otto Other"'):]
        otto_card = otto_card[:otto_card.index("</article>")]
        self.assertIn("is not accepting bookings at the moment", otto_card)
        self.assertNotIn("o_vbw_book", otto_card)
        # the website menu leads here
        self.assertIn('href="/book-consultation"', html)

    def test_photo_or_initials(self):
        photo_url = f"/api/consultations/consultants/{self.tess.id}/photo"
        html = self.url_open(PAGE).text
        self.assertNotIn(photo_url, html, "without a picture the card shows the initials")
        self.assertIn('data-initials="TT"', html)
        self.tess.image_1920 = base64.b64encode(png_bytes())
        html = self.url_open(PAGE).text
        self.assertIn(f'src="{photo_url}"', html)
        self.assertEqual(self.url_open(photo_url).headers["Content-Type"], "image/png")

    def test_index_filters_from_the_url(self):
        html = self.url_open(f"{PAGE}?expertise={self.expertise.id}&meeting_type=phone").text
        tess_col = re.search(r'<div class="([^"]*)"[^>]*data-name="Tess Tourner"', html).group(1)
        anja_col = re.search(r'<div class="([^"]*)"[^>]*data-name="VBT Anja Berger"', html).group(1)
        self.assertNotIn("d-none", tess_col)
        self.assertIn("d-none", anja_col, "Anja has no 'Tour Expertise'")
        self.assertRegex(html, rf'<option value="{self.expertise.id}" selected="selected">Tour Expertise')

    def test_index_preselects_a_consultant(self):
        html = self.url_open(f"{PAGE}?consultant={self.tess.id}").text
        self.assertIn(f'data-consultant-id="{self.tess.id}"', html)
        self.assertIn('data-start-step="2"', html)
        # a consultant who cannot be booked is not preselected
        html = self.url_open(f"{PAGE}?consultant={self.otto.id}").text
        self.assertIn('data-start-step="1"', html)

    def test_profile_page_by_slug(self):
        slug = self.env["ir.http"]._slug(self.tess)
        response = self.url_open(f"{PAGE}/{slug}")
        self.assertEqual(response.status_code, 200)
        self.assertIn("Tess plans grid connections for solar parks.", response.text)
        self.assertIn('class="o_vbw_wizard"', response.text)
        self.assertIn('data-start-step="2"', response.text)
        # an outdated name in the slug redirects to the canonical address
        response = self.url_open(f"{PAGE}/someone-else-{self.tess.id}", allow_redirects=False)
        self.assertEqual(response.status_code, 301)
        self.assertTrue(response.headers["Location"].endswith(f"{PAGE}/{slug}"))
        # unknown or malformed ids are a 404
        self.assertEqual(self.url_open(f"{PAGE}/nobody-999999").status_code, 404)
        self.assertEqual(self.url_open(f"{PAGE}/nobody").status_code, 404)

    def test_profile_page_of_a_consultant_without_bookings(self):
        slug = self.env["ir.http"]._slug(self.otto)
        html = self.url_open(f"{PAGE}/{slug}").text
        self.assertIn("is not accepting bookings at the moment", html)
        self.assertNotIn('class="o_vbw_wizard"', html)
        # accepting, but no working time in the coming months
        self.otto.write({"is_accepting_bookings": True, "max_advance_days": 0})
        html = self.url_open(f"{PAGE}/{slug}").text
        self.assertIn("has no free times in the coming weeks", html)
        self.assertNotIn('class="o_vbw_wizard"', html)

    def test_index_queries_do_not_grow_with_consultants(self):
        """The page runs no query per consultant: as many with six more consultants."""
        def assert_queries():
            self.url_open(PAGE)  # warm the caches
            # measured, with the demo consultants and ours; and six more (+2: the intake questions and their choices;
            # +2: the published teams' cards; +3: the required details, issue 16)
            with self.assertQueryCount(48):
                self.assertEqual(self.url_open(PAGE).status_code, 200)

        assert_queries()
        for index in range(6):
            self._make_consultant(f"VBT Extra {index}", f"vbt_extra_{index}", calendar=self.always,
                                  expertise_ids=[Command.set(self.expertise.ids)])
        assert_queries()

    def test_prefilled_for_a_logged_in_portal_user(self):
        self.portal_user.partner_id.write({
            "name": "Paula Portal", "phone": "+49 30 555 0101", "function": "Head of Energy",
        })
        self.authenticate("vbt_portal", "vbt_portal")
        html = self.url_open(PAGE).text
        self.assertRegex(html, r'name="first_name"[^>]*value="Paula"')
        self.assertRegex(html, r'name="last_name"[^>]*value="Portal"')
        self.assertRegex(html, r'name="email"[^>]*value="vbt.portal@vbt-client.example"')
        self.assertRegex(html, r'name="position"[^>]*value="Head of Energy"')

    def test_durations_and_languages_come_from_the_data(self):
        """The page offers the durations of the consultants' lines and the installed languages."""
        self.tess.write({"duration_ids": [Command.create({"duration": 45})]})
        self.otto.write({"duration_ids": [Command.create({"duration": 100})]})
        self.env["res.lang"]._activate_lang("fr_FR")
        html = self.url_open(PAGE).text
        self.assertIn('id="vbw_duration_45"', html)
        self.assertIn('id="vbw_duration_90"', html)
        self.assertNotIn('id="vbw_duration_100"', html, "Otto does not accept bookings")
        self.assertIn('data-durations="30,45,60"', html)
        language_select = re.search(r'<select id="vbw_language".*?</select>', html, re.DOTALL).group(0)
        self.assertEqual(re.findall(r'<option value="(\w+)"', language_select), ["en", "fr", "de"])
        self.assertIn(">French</option>", language_select)

    def test_german_page(self):
        html = self.url_open(f"/de{PAGE}").text
        self.assertIn('lang="de-DE"', html)
        self.assertIn('action="/de/book-consultation/submit"', html)
        self.assertRegex(html, r'<option value="de" selected="selected">')
        self.assertIn('data-lang="de"', html)
        response = self._submit(self._form(language="de"), url=f"/de{SUBMIT}")
        self.assertEqual(response.status_code, 201, response.text)
        self.assertTrue(response.json()["redirect_url"].startswith("/de/book-consultation/confirmed/"))
        self.assertEqual(self._bookings().language, "de")

    def test_consent_links_lead_to_pages(self):
        """The terms and privacy links of the form open real pages, not a 404."""
        html = self.url_open(PAGE).text
        for label in ("terms and conditions", "privacy policy"):
            link = re.search(r"<a ([^>]*)>" + label + "</a>", html)
            self.assertTrue(link, f"the form links the {label}")
            url = re.search(r'href="([^"]+)"', link.group(1)).group(1)
            response = self.url_open(url)
            self.assertEqual(response.status_code, 200, url)
            self.assertIn("consultation", response.text.lower())

    def test_snippet_and_menu(self):
        website = self.env["website"].get_current_website()
        with MockRequest(self.env, website=website):
            snippets = self.env["ir.ui.view"].render_public_asset("website.snippets")
        self.assertIn('name="Book a Consultation"', snippets)
        self.assertIn("/voltaic_booking/static/src/img/s_vb_book_consultation.svg", snippets)
        block = str(self.env["ir.qweb"]._render("voltaic_booking.s_vb_book_consultation"))
        self.assertIn('href="/book-consultation"', block)
        menu = self.env["website.menu"].search([("url", "=", PAGE), ("website_id", "=", website.id)])
        self.assertTrue(menu, "the website's menu links the booking page")

    # ------------------------------------------------------------------
    # Step 3: the form
    # ------------------------------------------------------------------

    def test_submit_books_through_the_service(self):
        start, end = self._slot()
        response = self._submit(self._form(start))
        self.assertEqual(response.status_code, 201, response.text)
        payload = response.json()
        booking = self._bookings()
        self.assertEqual(len(booking), 1)
        self.assertEqual(payload["reference"], booking.reference)
        self.assertEqual(booking.source, "website")
        self.assertEqual(booking.start, start.replace(tzinfo=None))
        self.assertEqual(booking.stop, end.replace(tzinfo=None))
        self.assertEqual(booking.client_tz, "Asia/Kolkata")
        self.assertEqual(booking.meeting_type, "video")
        self.assertEqual(booking.location, "https://meet.example.com/tess")
        self.assertTrue(booking.terms_accepted and booking.privacy_accepted)
        self.assertFalse(booking.marketing_consent)
        self.assertEqual(booking.lead_id.type, "opportunity")
        self.assertEqual(booking.lead_id.user_id, self.tess.user_id)
        self.assertEqual(booking.event_id.opportunity_id, booking.lead_id)
        self.assertIn(self.tess.partner_id, booking.event_id.partner_ids)
        self.assertIn(booking.partner_id, booking.event_id.partner_ids)
        url = urlparse(payload["redirect_url"])
        self.assertEqual(url.path, f"/book-consultation/confirmed/{booking.reference}")
        self.assertEqual(parse_qs(url.query)["token"], [booking.access_token])

    def test_submit_slot_taken_answers_alternatives(self):
        start, _end = self._slot()
        self.assertEqual(self._submit(self._form(start)).status_code, 201)
        response = self._submit(self._form(start, email="bob.late@vbt-client.example"))
        self.assertEqual(response.status_code, 409)
        error = response.json()["error"]
        self.assertEqual(error["code"], "slot_unavailable")
        self.assertTrue(error["alternatives"])
        self.assertNotIn(to_utc_iso(start), [slot["start"] for slot in error["alternatives"]])
        self.assertTrue(error["alternatives"][0]["local_start"].endswith("+05:30"), "in the client's zone")
        self.assertFalse(self._bookings("bob.late@vbt-client.example"))

    def test_submit_validates_every_field_on_the_server(self):
        form = self._form()
        form.update(first_name=" ", last_name="", email="not-an-email", phone="call me maybe", website="nope",
                    terms_accepted="", privacy_accepted="", start="yesterday", tz="Mars/Olympus")
        response = self._submit(form)
        self.assertEqual(response.status_code, 422)
        fields = response.json()["error"]["fields"]
        for name in ("first_name", "last_name", "email", "phone", "website", "terms_accepted", "privacy_accepted",
                     "start", "tz"):
            self.assertIn(name, fields)
            self.assertTrue(fields[name])
        self.assertFalse(self.env["voltaic.booking"].sudo().search([("consultant_id", "=", self.tess.id)]))
        # a consultant who is not accepting bookings cannot be booked by crafting the form
        response = self._submit(self._form(self._slot(self.tess)[0], consultant=str(self.otto.id)))
        self.assertEqual(response.status_code, 422)
        self.assertIn("consultant", response.json()["error"]["fields"])

    def test_submit_error_messages_follow_the_page_language(self):
        response = self._submit(self._form(email="nope"), url=f"/de{SUBMIT}")
        self.assertEqual(response.status_code, 422)
        self.assertIn("email", response.json()["error"]["fields"])

    def test_honeypot_filled_books_nothing(self):
        response = self._submit(self._form(**{HONEYPOT_FIELD: "https://spam.example"}))
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json()["error"]["code"], "rejected")
        self.assertFalse(self._bookings())

    def test_csrf_token_required(self):
        response = self._submit(self._form(), csrf=False)
        self.assertEqual(response.status_code, 400)
        self.assertFalse(self._bookings())

    def test_rate_limit(self):
        self.env["ir.config_parameter"].sudo().set_param(RATE_PARAM, "2")
        for _attempt in range(2):
            self.assertEqual(self._submit(self._form(email="x")).status_code, 422)
        response = self._submit(self._form())
        self.assertEqual(response.status_code, 429)
        self.assertEqual(response.json()["error"]["code"], "rate_limited")
        self.assertFalse(self._bookings())

    def test_captcha_hook(self):
        calls = []
        IrHttp = type(self.env["ir.http"])

        def reject(model, action):
            calls.append(action)
            raise UserError(model.env._("Suspicious activity detected by the captcha."))

        with patch.object(IrHttp, "_verify_request_recaptcha_token", reject, create=True):
            response = self._submit(self._form())
        self.assertEqual(calls, [CAPTCHA_ACTION])
        self.assertEqual(response.status_code, 403)
        self.assertEqual(response.json()["error"]["code"], "captcha")
        self.assertFalse(self._bookings())
        # without a configured captcha the hook lets the booking through
        self.assertEqual(self._submit(self._form()).status_code, 201)

    # ------------------------------------------------------------------
    # Step 4: the confirmation page
    # ------------------------------------------------------------------

    def test_confirmation_page_needs_the_token(self):
        start, _end = self._slot()
        payload = self._submit(self._form(start)).json()
        booking = self._bookings()
        response = self.url_open(payload["redirect_url"])
        self.assertEqual(response.status_code, 200)
        html = response.text
        self.assertIn(booking.reference, html)
        self.assertIn("Tess Tourner", html)
        self.assertIn("30 minutes", html)
        self.assertIn("https://meet.example.com/tess", html)
        self.assertIn("India Time — Kolkata (UTC+5:30)", html, "the client's zone, as a person reads it")
        self.assertIn("Central European Time — Berlin (UTC+", html, "the consultant's zone is shown too")
        self.assertIn("https://calendar.google.com/calendar/render?action=TEMPLATE", html)
        self.assertIn("https://outlook.live.com/calendar/0/deeplink/compose?", html)
        self.assertIn(f"/api/consultations/{booking.reference}/ics?token={booking.access_token}", html)
        self.assertIn(f"/book-consultation/manage/{booking.reference}?token={booking.access_token}", html)
        self.assertIn('<meta name="robots" content="noindex, nofollow"/>', html)
        confirmed = f"/book-consultation/confirmed/{booking.reference}"
        self.assertEqual(self.url_open(f"{confirmed}?token=wrong").status_code, 404)
        self.assertEqual(self.url_open(f"{confirmed}?token={booking.access_token[:-1]}").status_code, 404)
        self.assertEqual(self.url_open(confirmed).status_code, 404)
        self.assertEqual(
            self.url_open(f"/book-consultation/confirmed/VLT-00000000-XXXX?token={booking.access_token}").status_code,
            404)

    # ------------------------------------------------------------------
    # No leak of internal data
    # ------------------------------------------------------------------

    def test_no_internal_data_in_the_pages_or_their_json(self):
        start, _end = self._slot()
        booking_payload = self._submit(self._form(start)).json()
        conflict_payload = self._submit(self._form(start, email="bob.late@vbt-client.example")).json()
        slug = self.env["ir.http"]._slug(self.tess)
        slots = self.url_open(
            f"/api/consultations/slots?consultant={self.tess.id}&duration=30&tz=UTC").json()
        documents = {
            "index": self.url_open(PAGE).text,
            "index_de": self.url_open(f"/de{PAGE}").text,
            "profile": self.url_open(f"{PAGE}/{slug}").text,
            "confirmation": self.url_open(booking_payload["redirect_url"]).text,
            "booking_json": json.dumps(booking_payload),
            "conflict_json": json.dumps(conflict_payload),
            "slots_json": json.dumps(slots),
        }
        user = self.tess.user_id
        secrets = [user.email, user.login, self.tess.partner_id.email or "vbt_tess@vbt-voltaic.example"]
        for name, document in documents.items():
            for secret in secrets:
                self.assertNotIn(secret, document, f"{secret} leaks into {name}")
            self.assertNotIn("partner_id", document, name)
            self.assertNotIn("user_id", document, name)
            self.assertNotIn("buffer", document.lower(), name)
            self.assertNotIn("daily_booking_limit", document, name)
            self.assertNotIn("min_notice", document, name)
        # the card's data attributes are exactly the public ones
        card = re.search(r'<div class="[^"]*o_vbw_card_col[^"]*"([^>]*)data-name="Tess Tourner"([^>]*)>',
                         documents["index"])
        attributes = {"data-name", *re.findall(r'(data-[\w-]+)=', card.group(1) + card.group(2))}
        self.assertEqual(attributes, {
            "data-vbw-consultant", "data-name", "data-title", "data-initials", "data-photo", "data-profile-url",
            "data-tz", "data-durations", "data-meeting-types", "data-languages", "data-expertise", "data-next",
            "data-free", "data-last-day", "data-bookable", "data-edit-deadline-hours", "data-required-details",
        })


@tagged("post_install", "-at_install")
class TestBookingPageTours(BookingPageCase):
    """End to end in headless Chromium; afterwards the booking, its lead and its event exist."""

    def _assert_booked(self, email, language="en"):
        booking = self._bookings(email)
        self.assertEqual(len(booking), 1, f"one booking for {email}")
        self.assertEqual(booking.consultant_id, self.tess)
        self.assertEqual(booking.source, "website")
        self.assertEqual(booking.state, "confirmed")
        self.assertEqual(booking.language, language)
        self.assertTrue(booking.terms_accepted and booking.privacy_accepted)
        self.assertEqual(booking.company, "Tour Energy GmbH")
        self.assertEqual(booking.subject, "Rooftop solar")
        lead = booking.lead_id
        self.assertTrue(lead, "the booking has its lead")
        self.assertEqual(lead.type, "opportunity")
        self.assertEqual(lead.user_id, self.tess.user_id)
        self.assertEqual(lead.partner_id, booking.partner_id)
        event = booking.event_id
        self.assertTrue(event, "the booking has its calendar event")
        self.assertEqual(event.opportunity_id, lead)
        self.assertEqual(event.start, booking.start)
        self.assertEqual(set(event.partner_ids.ids), {self.tess.partner_id.id, booking.partner_id.id})
        return booking

    def test_tour_desktop(self):
        self.start_tour(PAGE, "voltaic_booking_page_desktop", login=None)
        booking = self._assert_booked("ada.desktop@example.com")
        self.assertEqual(booking.first_name, "Ada")

    def test_tour_phone(self):
        self.browser_size = "360x740"
        self.touch_enabled = True
        slug = self.env["ir.http"]._slug(self.tess)
        self.start_tour(f"{PAGE}/{slug}", "voltaic_booking_page_mobile", login=None)
        self._assert_booked("mo.bile@example.com")

    def test_tour_slot_taken(self):
        self.start_tour(f"{PAGE}?consultant={self.tess.id}", "voltaic_booking_page_slot_taken", login=None)
        booking = self._assert_booked("grace.conflict@example.com")
        rival = self._bookings("quick.rival@example.com")
        self.assertEqual(len(rival), 1)
        self.assertEqual(rival.source, "api")
        self.assertNotEqual(booking.start, rival.start, "the client got an alternative, not the taken time")

    def test_tour_german(self):
        self.start_tour(f"/de{PAGE}", "voltaic_booking_page_german", login=None)
        self._assert_booked("greta.deutsch@example.com", language="de")
