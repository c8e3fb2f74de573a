"""Booking links sent from a lead: the client books once, for that lead, before the link expires."""

import json
from datetime import timedelta

from freezegun import freeze_time

from odoo import SUPERUSER_ID, api, fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import BaseCase, new_test_user, tagged

from ..exceptions import BookingLinkError, BookingValidationError, SlotUnavailableError
from .test_booking_page import SUBMIT, BookingPageCase
from .test_concurrency import ConcurrencyMixin

LINK_PAGE = "/book-consultation/link/"


class BookingLinkCase(BookingPageCase):
    """Tess (around the clock, 30 and 60 minutes) and a lead of Lina Link, whose salesperson is Tess."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].sudo().set_param("web.base.url", cls.base_url())
        cls.salesperson = new_test_user(
            cls.env, "vbt_sam_sales", groups="sales_team.group_sale_salesman_all_leads", name="Sam Sales",
            email="sam.sales@vbt-voltaic.example", tz="Europe/Berlin")
        cls.partner = cls.env["res.partner"].create({
            "name": "Lina Link", "email": "link.client@example.com", "phone": "+49 30 5550100", "tz": "Europe/Berlin",
        })
        cls.lead = cls.env["crm.lead"].create({
            "name": "Battery storage for Link Solar", "type": "opportunity", "partner_id": cls.partner.id,
            "contact_name": "Lina Link", "email_from": "link.client@example.com", "partner_name": "Link Solar AG",
            "phone": "+49 30 5550100", "user_id": cls.tess.user_id.id,
        })
        cls.other_lead = cls.env["crm.lead"].create({
            "name": "Someone else", "type": "opportunity", "contact_name": "Xaver Secret",
            "email_from": "xaver.secret@example.com", "partner_name": "Secret GmbH",
        })

    def send_link(self, consultant=None, durations="30", user=None):
        """Send a link from the lead with the wizard (as ``user``, the salesperson by default)."""
        wizard = self.env["voltaic.booking.link.wizard"].with_user(user or self.salesperson).with_context(
            default_lead_id=self.lead.id).create({})
        wizard.consultant_id = consultant if consultant is not None else wizard.consultant_id
        wizard.durations = durations
        wizard.action_send()
        return self.lead.voltaic_booking_link_ids.sorted("id")[-1].sudo()

    def link_form(self, link, start=None, **values):
        form = self._form(start=start, **values)
        form["booking_link"] = link.access_token
        return form


@tagged("post_install", "-at_install")
class TestBookingLinkModel(BookingLinkCase):

    def test_sent_from_the_lead_by_mail_with_a_note(self):
        link = self.send_link()
        self.assertRecordValues(link, [{
            "consultant_id": self.tess.id, "durations": "30", "state": "active", "status": "active",
            "email": "link.client@example.com", "sent_by_id": self.salesperson.id,
        }])
        self.assertAlmostEqual(link.expires_at, fields.Datetime.now() + timedelta(days=14), delta=timedelta(minutes=1))
        self.assertEqual(len(link.access_token), 43)
        mail = self.env["mail.mail"].search([("model", "=", "voltaic.booking.link"), ("res_id", "=", link.id)])
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.email_to, '"Lina Link" <link.client@example.com>')
        self.assertIn("Book your consultation", mail.subject)
        self.assertIn(f"{LINK_PAGE}{link.access_token}", mail.body_html)
        self.assertIn("Tess Tourner", mail.body_html)
        self.assertIn("30 minutes", mail.body_html)
        note = self.lead.message_ids.filtered(lambda m: "Booking link sent to link.client@example.com" in m.body)
        self.assertTrue(note, "the lead's chatter shows the link was sent")

    def test_german_client_gets_the_german_mail(self):
        from .notification_common import load_german
        load_german(self.env)
        self.lead.lang_id = self.env.ref("base.lang_de")
        link = self.send_link()
        mail = self.env["mail.mail"].search([("model", "=", "voltaic.booking.link"), ("res_id", "=", link.id)])
        self.assertIn("Beratung", mail.subject)
        self.assertIn("Beratung buchen", mail.body_html)

    def test_expiry_follows_the_setting(self):
        self.env["ir.config_parameter"].sudo().set_param("voltaic_booking.booking_link_days", "3")
        settings = self.env["res.config.settings"].create({})
        self.assertEqual(settings.voltaic_booking_link_days, 3)
        link = self.send_link()
        self.assertAlmostEqual(link.expires_at, fields.Datetime.now() + timedelta(days=3), delta=timedelta(minutes=1))
        with freeze_time(fields.Datetime.now() + timedelta(days=3, minutes=5)):
            self.assertEqual(link.status, "expired")
            with self.assertRaises(BookingLinkError) as caught:
                link._book(self._booking_values(self._slot()[0], self.tess, duration=30))
            self.assertIn("expired", caught.exception.fields["link"])

    def test_durations_must_be_offered(self):
        with self.assertRaises(ValidationError):
            self.send_link(durations="30, 45")
        link = self.send_link(consultant=self.env["voltaic.consultant"], durations="")
        self.assertFalse(link.consultant_id, "the client chooses the consultant")
        self.assertIn(90, link._allowed_durations(), "every length offered on the booking page")

    def test_a_length_no_longer_offered_is_left_out(self):
        link = self.send_link(durations="30, 60")
        self.tess.duration_ids.filtered(lambda line: line.duration == 60).active = False
        self.assertEqual(link._allowed_durations(), [30])
        self.tess.duration_ids.filtered(lambda line: line.duration == 30).duration = 45
        self.assertFalse(link._allowed_durations())
        self.assertIn("no longer offered", link._unusable_message())

    def test_lead_without_email_gets_no_link(self):
        self.lead.write({"email_from": False, "partner_id": False})
        with self.assertRaises(UserError):
            self.lead.with_user(self.salesperson).action_send_booking_link()

    def test_salespeople_see_the_links_of_their_leads_only(self):
        link = self.send_link()
        own = new_test_user(self.env, "vbt_olga_own", groups="sales_team.group_sale_salesman", name="Olga Own")
        links = self.env["voltaic.booking.link"]
        self.assertFalse(links.with_user(own).search([("id", "=", link.id)]), "another salesperson's lead")
        self.lead.user_id = own
        self.assertEqual(links.with_user(own).search([("id", "=", link.id)]), link)
        self.assertEqual(links.with_user(self.salesperson).search([("id", "=", link.id)]), link)

    def test_token_is_checked(self):
        link = self.send_link()
        links = self.env["voltaic.booking.link"]
        self.assertEqual(links._from_token(link.access_token), link)
        for wrong in ("", None, link.access_token[:-1], link.access_token + "x", "' OR 1=1 --"):
            self.assertFalse(links._from_token(wrong), wrong)

    def test_books_once_for_that_lead_with_source_backend(self):
        link = self.send_link()
        leads_before = self.env["crm.lead"].search_count([])
        values = self._booking_values(self._slot(duration=30)[0], self.other_consultant, duration=30)
        booking = link._book(values)
        self.assertEqual(booking.lead_id, self.lead, "no new opportunity: the link's")
        self.assertEqual(self.env["crm.lead"].search_count([]), leads_before)
        self.assertEqual(booking.consultant_id, self.tess, "the consultant of the link, whatever the form said")
        self.assertEqual(booking.source, "backend")
        self.assertRecordValues(link, [{"state": "used", "used_booking_id": booking.id}])
        self.assertTrue(self.lead.message_ids.filtered(
            lambda m: booking.reference in m.body and "through the booking link" in m.body))

        with self.assertRaises(BookingLinkError) as caught:
            link._book(self._booking_values(self._slot(duration=30, index=4)[0], self.tess, duration=30))
        self.assertIn("already used", caught.exception.fields["link"])
        self.assertEqual(len(self.lead.voltaic_booking_ids), 1)

    def test_refused_booking_leaves_the_link_usable(self):
        link = self.send_link()
        start = self._slot(duration=30)[0]
        with self.assertRaises(BookingValidationError) as caught:
            link._book(self._booking_values(start, self.tess, duration=60))
        self.assertIn("duration", caught.exception.fields)
        self._book(start, self.tess, duration=30, email="faster@example.com")
        with self.assertRaises(SlotUnavailableError):
            link._book(self._booking_values(start, self.tess, duration=30))
        self.assertEqual(link.state, "active")
        self.assertTrue(link._book(self._booking_values(self._slot(duration=30, index=4)[0], self.tess, duration=30)))

    def test_withdrawn_link_does_not_book(self):
        link = self.send_link()
        link.with_user(self.salesperson).action_withdraw()
        with self.assertRaises(BookingLinkError):
            link._book(self._booking_values(self._slot(duration=30)[0], self.tess, duration=30))


@tagged("post_install", "-at_install")
class TestBookingLinkPage(BookingLinkCase):

    def test_page_is_prefilled_with_that_lead_only(self):
        link = self.send_link()
        page = self.url_open(f"{LINK_PAGE}{link.access_token}")
        self.assertEqual(page.status_code, 200)
        text = page.text
        for expected in ('value="Lina"', 'value="Link"', 'value="link.client@example.com"',
                         'value="Link Solar AG"', f'name="booking_link" value="{link.access_token}"',
                         'data-single="1"', "Tess Tourner", "noindex"):
            self.assertIn(expected, text)
        self.assertIn('data-durations="30"', text, "only the allowed durations")
        self.assertNotIn('id="vbw_duration_60"', text)
        for secret in ("Xaver", "xaver.secret@example.com", "Secret GmbH", "Otto Other"):
            self.assertNotIn(secret, text)

    def test_without_consultant_the_client_chooses(self):
        link = self.send_link(consultant=self.env["voltaic.consultant"], durations="60")
        page = self.url_open(f"{LINK_PAGE}{link.access_token}")
        self.assertEqual(page.status_code, 200)
        self.assertIn("o_vbw_card", page.text)
        self.assertNotIn('data-single="1"', page.text)
        self.assertIn('data-durations="60"', page.text)

    def test_wrong_expired_or_used_link_says_so_and_nothing_else(self):
        page = self.url_open(f"{LINK_PAGE}not-a-valid-token")
        self.assertEqual(page.status_code, 404)
        self.assertIn("This booking link is not valid", page.text)
        link = self.send_link()
        with freeze_time(fields.Datetime.now() + timedelta(days=15)):
            page = self.url_open(f"{LINK_PAGE}{link.access_token}")
        self.assertEqual(page.status_code, 410)
        self.assertIn("This booking link has expired", page.text)
        for secret in ("Lina", "link.client@example.com", "Link Solar"):
            self.assertNotIn(secret, page.text)

    def test_submit_books_for_the_lead_once(self):
        link = self.send_link()
        csrf = self._csrf(f"{LINK_PAGE}{link.access_token}")
        form = self.link_form(link, start=self._slot(duration=30)[0], email="link.client@example.com")
        response = self.url_open(SUBMIT, data={**form, "csrf_token": csrf})
        self.assertEqual(response.status_code, 201, response.text)
        booking = self.lead.voltaic_booking_ids
        self.assertEqual(len(booking), 1)
        self.assertEqual(booking.source, "backend")
        self.assertEqual(link.state, "used")

        second = self.link_form(link, start=self._slot(duration=30, index=4)[0])
        response = self.url_open(SUBMIT, data={**second, "csrf_token": csrf})
        self.assertEqual(response.status_code, 422)
        self.assertIn("already used", json.loads(response.text)["error"]["fields"]["link"])
        self.assertEqual(len(self.lead.voltaic_booking_ids), 1)
        page = self.url_open(f"{LINK_PAGE}{link.access_token}")
        self.assertEqual(page.status_code, 410)
        self.assertIn("already used", page.text)
        self.assertNotIn(booking.reference, page.text)

    def test_submit_with_a_wrong_token_books_nothing(self):
        csrf = self._csrf()
        form = {**self._form(), "booking_link": "forged-token"}
        response = self.url_open(SUBMIT, data={**form, "csrf_token": csrf})
        self.assertEqual(response.status_code, 422)
        self.assertIn("not valid", json.loads(response.text)["error"]["fields"]["link"])
        self.assertFalse(self._bookings())


@tagged("post_install", "-at_install")
class TestBookingLinkTours(BookingLinkCase):

    def test_salesperson_sends_and_client_books(self):
        self.start_tour(f"/odoo/crm.lead/{self.lead.id}", "voltaic_backend_send_booking_link", login="vbt_sam_sales")
        link = self.lead.voltaic_booking_link_ids.sudo()
        self.assertEqual(len(link), 1)
        self.assertRecordValues(link, [{"consultant_id": self.tess.id, "durations": "30", "state": "active"}])
        self.assertTrue(self.env["mail.mail"].search_count(
            [("model", "=", "voltaic.booking.link"), ("res_id", "=", link.id)]))

        leads_before = self.env["crm.lead"].search_count([])
        self.start_tour(f"{LINK_PAGE}{link.access_token}", "voltaic_booking_link_client", login=None)
        booking = self.lead.voltaic_booking_ids
        self.assertEqual(len(booking), 1)
        self.assertRecordValues(booking, [{
            "consultant_id": self.tess.id, "duration": 30, "source": "backend", "email": "link.client@example.com",
            "first_name": "Lina", "company": "Link Solar AG", "subject": "Battery storage",
        }])
        self.assertEqual(self.env["crm.lead"].search_count([]), leads_before, "no new lead")
        self.assertEqual(link.state, "used")
        self.assertEqual(link.used_booking_id, booking)

    def test_client_chooses_the_consultant_on_a_phone(self):
        self.browser_size = "360x740"
        self.touch_enabled = True
        link = self.send_link(consultant=self.env["voltaic.consultant"], durations="60")
        self.start_tour(f"{LINK_PAGE}{link.access_token}", "voltaic_booking_link_client_chooses", login=None)
        booking = self.lead.voltaic_booking_ids
        self.assertRecordValues(booking, [{"consultant_id": self.tess.id, "duration": 60, "source": "backend"}])
        self.assertEqual(link.state, "used")


@tagged("post_install", "-at_install")
class TestBookingLinkRace(ConcurrencyMixin, BaseCase):
    """Two clients submit through one link at once, in real concurrent transactions: one booking."""

    consultant_values = {"daily_booking_limit": 0}

    def _committed_link(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"mail_create_nolog": True, "tracking_disable": True})
            lead = env["crm.lead"].create({
                "name": "VBT race through a link", "type": "opportunity", "contact_name": "Rita Race",
                "email_from": "rita.race@vbt-client.example",
            })
            link = env["voltaic.booking.link"].create({
                "lead_id": lead.id, "email": "rita.race@vbt-client.example", "consultant_id": self.consultant_id,
                "durations": "30",
            })
            cr.commit()  # pylint: disable=invalid-commit  # the racing connections must see it
            ids = link.id, lead.id
        self.addCleanup(self._remove_link, *ids)
        return ids[0]

    def _remove_link(self, link_id, lead_id):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["voltaic.booking.link"].browse(link_id).exists().unlink()
            env["crm.lead"].browse(lead_id).with_context(active_test=False).exists().unlink()

    def test_two_submissions_through_one_link_make_one_booking(self):
        link_id = self._committed_link()
        starts = self._free_slots_of_one_day()
        outcomes, attempts = self._service_race(
            *[{**self._service_values(start, f"client{index}@vbt-client.example"), "source": "website"}
              for index, start in enumerate(starts)],
            book=lambda env, values: env["voltaic.booking.link"].browse(link_id)._book(values),
            snapshot=("SELECT id FROM voltaic_booking_link WHERE id = %s", [link_id]))

        booked = [outcome for outcome in outcomes if isinstance(outcome, int)]
        refused = [outcome for outcome in outcomes if isinstance(outcome, BookingLinkError)]
        self.assertEqual((len(booked), len(refused)), (1, 1), outcomes)
        self.assertIn("already used", refused[0].fields["link"])
        # the second waited for the first one's claim, failed serialization, and was redone as Odoo does
        self.assertEqual(sorted(attempts.values()), [1, 2])
        with self.registry.cursor() as cr:
            cr.execute("SELECT state, used_booking_id FROM voltaic_booking_link WHERE id = %s", [link_id])
            self.assertEqual(cr.fetchone(), ("used", booked[0]))
            cr.execute("SELECT count(*) FROM voltaic_booking WHERE consultant_id = %s", [self.consultant_id])
            self.assertEqual(cr.fetchone()[0], 1)
