"""The client's self-service: the manage page behind every e-mail, feedback, "My consultations", and the tours."""

import re
from datetime import datetime, timedelta, timezone

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, freeze_time, new_test_user, tagged
from odoo.tools import mute_logger

from .common import AROUND_THE_CLOCK, make_calendar, make_consultant
from .notification_common import load_german

UTC = timezone.utc

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


@tagged("post_install", "-at_install")
class TestSelfService(HttpCase):
    """A consultant available around the clock (UTC), a client who booked through the website."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        load_german(cls.env)
        german = cls.env["res.lang"]._lang_get("de_DE")
        cls.website = cls.env["website"].get_current_website()
        cls.website.language_ids |= german | cls.env["res.lang"]._lang_get("en_US")
        cls.calendar = make_calendar(cls.env, "VB self-service around the clock", tz="UTC", hours=AROUND_THE_CLOCK,
                                     weekdays=range(7))
        cls.consultant = make_consultant(
            cls.env, "Sam Selfservice", "vb_self_consultant", calendar=cls.calendar, tz="UTC",
            groups="voltaic_booking.group_user", email="sam@voltaic.example",
            duration_ids=[Command.create({"duration": 60})],
            offers_video=True,
            video_url="https://meet.example.com/sam",
            min_notice_hours=1,
            max_advance_days=30,
            buffer_after_minutes=0,
            slot_interval_minutes=60,
            edit_deadline_hours=12,
        )
        cls.consultant.partner_id.phone = "+49 30 5550100"

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    def slot(self, days=3, hour=10):
        """A free start ``days`` ahead at ``hour`` UTC."""
        now = datetime.now(UTC)
        return self.free((now + timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0))

    def free(self, start):
        """``start``, after checking the consultant is free then."""
        margin = timedelta(hours=1)
        free = self.consultant._get_slots(start - margin, start + margin, 60)[self.consultant.id]
        self.assertIn(start, [slot_start for slot_start, _end in free])
        return start

    def book(self, start=None, email="lena@stadtwerke-nord.example", language="en", **values):
        vals = {
            "consultant_id": self.consultant.id,
            "start": start or self.slot(),
            "duration": 60,
            "meeting_type": "video",
            "client_tz": "Europe/Berlin",
            "first_name": "Lena",
            "last_name": "Fischer",
            "email": email,
            "company": "Stadtwerke Nord",
            "subject": "Heat pumps for the depot",
            "language": language,
            "terms_accepted": True,
            "privacy_accepted": True,
            "source": "website",
        }
        vals.update(values)
        return self.env["voltaic.booking"]._book(vals)

    def manage_path(self, booking, token=None, lang=""):
        token = booking.access_token if token is None else token
        return f"{lang}/book-consultation/manage/{booking.reference}" + (f"?token={token}" if token else "")

    def open_page(self, booking, **kwargs):
        response = self.url_open(self.manage_path(booking, **kwargs))
        self.assertEqual(response.status_code, 200)
        return response

    def post(self, booking, action, page=None, **data):
        """Submit a form of the manage page like the browser does (CSRF token of the session)."""
        page = page or self.open_page(booking)
        data.setdefault("token", booking.access_token)
        csrf = CSRF_RE.search(page.text) or CSRF_RE.search(self.url_open("/web/login").text)
        data["csrf_token"] = csrf.group(1)
        return self.url_open(f"/book-consultation/manage/{booking.reference}/{action}", data=data,
                             allow_redirects=False)

    def kinds(self, booking):
        return sorted(booking.email_log_ids.mapped("kind"))

    # ------------------------------------------------------------------
    # Access
    # ------------------------------------------------------------------

    def test_a_wrong_token_is_a_404_that_says_nothing(self):
        booking = self.book()
        for path in (
            self.manage_path(booking, token="x" * 43),
            self.manage_path(booking, token=""),
            self.manage_path(booking, token=booking.access_token[:-1]),
            f"/book-consultation/manage/VLT-20990101-ZZZZ?token={booking.access_token}",
            f"/book-consultation/feedback/{booking.reference}?token=wrong",
        ):
            response = self.url_open(path)
            self.assertEqual(response.status_code, 404, path)
            self.assertNotIn("Lena", response.text)
            self.assertNotIn("Sam Selfservice", response.text)
            self.assertNotIn("Heat pumps", response.text)
        page = self.open_page(booking)
        csrf = CSRF_RE.search(page.text).group(1)
        response = self.url_open(f"/book-consultation/manage/{booking.reference}/cancel", allow_redirects=False,
                                 data={"csrf_token": csrf, "token": "wrong", "reason": "x"})
        self.assertEqual(response.status_code, 404)
        self.assertEqual(booking.state, "confirmed")

    def test_tokens_are_long_random_and_never_shared(self):
        first, second = self.book(), self.book(start=self.slot(days=4), email="tom@baker.example")
        self.assertGreaterEqual(len(first.access_token), 43)  # 256 bits, URL-safe base64
        self.assertNotEqual(first.access_token, second.access_token)
        response = self.url_open(self.manage_path(first, token=second.access_token))
        self.assertEqual(response.status_code, 404)

    # ------------------------------------------------------------------
    # The page
    # ------------------------------------------------------------------

    def test_the_page_shows_the_booking_in_the_client_zone_with_its_links(self):
        booking = self.book()
        response = self.open_page(booking)
        self.assertEqual(response.headers.get("X-Robots-Tag"), "noindex")
        text = response.text.replace("\u202f", " ")
        self.assertIn(booking._mail_when(), text)
        self.assertIn("(Central European Time — Berlin (UTC+", text)
        self.assertIn("Sam Selfservice", text)
        self.assertIn("https://meet.example.com/sam", text)
        self.assertIn(f"/api/consultations/{booking.reference}/ics?token={booking.access_token}", text)
        self.assertIn("https://calendar.google.com/calendar/render", text)
        self.assertIn("o_vb_open_reschedule", text)
        self.assertIn("o_vb_open_cancel", text)
        ics = self.url_open(f"/api/consultations/{booking.reference}/ics?token={booking.access_token}")
        self.assertEqual(ics.status_code, 200)
        self.assertIn(f"UID:{booking.reference}@voltaic-booking", ics.text)

    def test_the_page_in_german(self):
        booking = self.book(language="de")
        self.assertIn(f"/de/book-consultation/manage/{booking.reference}", booking._manage_url())
        response = self.url_open(self.manage_path(booking, lang="/de"))
        self.assertEqual(response.status_code, 200)
        self.assertIn("Ihre Beratung", response.text)
        self.assertIn("Verschieben", response.text)
        self.assertIn("Meine Beratung stornieren", response.text)

    # ------------------------------------------------------------------
    # Cancel
    # ------------------------------------------------------------------

    def test_cancel_with_a_reason_keeps_booking_lead_and_event_consistent(self):
        booking = self.book()
        event, lead = booking.event_id, booking.lead_id
        response = self.post(booking, "cancel", reason="Our budget moved to next year")
        self.assertEqual(response.status_code, 303)
        self.assertIn("notice=cancelled", response.headers["Location"])
        self.assertEqual(booking.state, "cancelled")
        self.assertEqual(booking.cancellation_reason, "Our budget moved to next year")
        self.assertFalse(event.active)
        self.assertIn("was cancelled", lead.message_ids[0].body)
        self.assertIn("Our budget moved to next year", lead.message_ids[0].body)
        self.assertEqual(self.kinds(booking), [
            "client_cancellation", "client_confirmation", "consultant_cancellation", "consultant_confirmation"])
        page = self.url_open(response.headers["Location"])
        self.assertIn("o_vb_notice_cancelled", page.text)
        self.assertNotIn("o_vb_open_cancel", page.text)

    @mute_logger("odoo.http")
    def test_cancel_needs_the_csrf_token(self):
        booking = self.book()
        response = self.url_open(f"/book-consultation/manage/{booking.reference}/cancel", allow_redirects=False,
                                 data={"token": booking.access_token, "reason": "forged"})
        self.assertEqual(response.status_code, 400)
        self.assertEqual(booking.state, "confirmed")

    # ------------------------------------------------------------------
    # Reschedule
    # ------------------------------------------------------------------

    def test_reschedule_moves_the_booking_its_event_and_tells_the_lead(self):
        booking = self.book()
        old_start = booking.start
        new_start = self.slot(days=5, hour=14)
        response = self.post(booking, "reschedule", start=new_start.isoformat())
        self.assertEqual(response.status_code, 303)
        self.assertIn("notice=rescheduled", response.headers["Location"])
        self.assertEqual(booking.state, "confirmed")
        self.assertEqual(booking.start, new_start.replace(tzinfo=None))
        self.assertEqual(booking.previous_start, old_start)
        self.assertEqual(booking.event_id.start, new_start.replace(tzinfo=None))
        self.assertEqual(booking.ics_sequence, 1)
        self.assertIn("moved from", booking.lead_id.message_ids[0].body)
        self.assertEqual(self.kinds(booking), [
            "client_confirmation", "client_reschedule", "consultant_confirmation", "consultant_reschedule"])

    def test_reschedule_to_a_time_another_client_just_took_changes_nothing(self):
        booking = self.book()
        old_start, event_start = booking.start, booking.event_id.start
        lead_messages = len(booking.lead_id.message_ids)
        wanted = self.slot(days=5, hour=14)
        page = self.open_page(booking)
        # while our client looks at the page, someone else books that time
        other = self.book(start=wanted, email="tom@baker.example", first_name="Tom", last_name="Baker")
        self.assertEqual(other.state, "confirmed")
        response = self.post(booking, "reschedule", page=page, start=wanted.isoformat())
        self.assertEqual(response.status_code, 409)
        self.assertIn("this time was just taken", response.text)
        alternatives = [re.search(r'value="([^"]+)"', button).group(1)
                        for button in re.findall(r"<button[^>]*o_vb_alternative[^>]*>", response.text)]
        self.assertTrue(alternatives)
        self.assertNotIn(wanted.isoformat().replace("+00:00", "Z"), alternatives)
        self.assertEqual(booking.start, old_start)
        self.assertEqual(booking.event_id.start, event_start)
        self.assertEqual(booking.ics_sequence, 0)
        self.assertEqual(len(booking.lead_id.message_ids), lead_messages)
        self.assertEqual(self.kinds(booking), ["client_confirmation", "consultant_confirmation"])
        # one of the alternatives offered works
        response = self.post(booking, "reschedule", start=alternatives[0])
        self.assertEqual(response.status_code, 303)
        self.assertEqual(booking.start.replace(tzinfo=UTC), datetime.fromisoformat(alternatives[0]))

    # ------------------------------------------------------------------
    # Deadline
    # ------------------------------------------------------------------

    def test_after_the_deadline_the_page_says_how_to_reach_the_consultant(self):
        # about five hours ahead: inside the consultant's 12-hour deadline
        booking = self.book(start=self.free(
            datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(hours=5)))
        response = self.open_page(booking)
        self.assertIn("o_vb_deadline_passed", response.text)
        self.assertIn("sam@voltaic.example", response.text)
        self.assertIn("+49 30 5550100", response.text)
        self.assertNotIn("o_vb_open_reschedule", response.text)
        self.assertNotIn("o_vb_cancel_form", response.text)
        response = self.post(booking, "cancel", page=response, reason="too late")
        self.assertEqual(response.status_code, 409)
        self.assertEqual(booking.state, "confirmed")
        response = self.post(booking, "reschedule", start=self.slot(days=5).isoformat())
        self.assertEqual(response.status_code, 409)
        self.assertEqual(booking.ics_sequence, 0)

    # ------------------------------------------------------------------
    # After the meeting
    # ------------------------------------------------------------------

    def test_a_client_who_missed_the_meeting_books_a_new_time_for_the_same_lead(self):
        booking = self.book()
        with freeze_time(booking.start + timedelta(minutes=70)):  # only once the meeting began
            booking.action_mark_no_show()
        page = self.open_page(booking)
        self.assertIn("o_vb_rebook", page.text)
        new_start = self.slot(days=6, hour=9)
        response = self.post(booking, "rebook", page=page, start=new_start.isoformat())
        self.assertEqual(response.status_code, 303)
        new_booking = self.env["voltaic.booking"].search([("start", "=", new_start.replace(tzinfo=None)),
                                                          ("consultant_id", "=", self.consultant.id)])
        self.assertEqual(new_booking.state, "confirmed")
        self.assertEqual(new_booking.lead_id, booking.lead_id)
        self.assertEqual(new_booking.email, booking.email)
        self.assertIn(f"/book-consultation/manage/{new_booking.reference}?token={new_booking.access_token}",
                      response.headers["Location"])
        self.assertEqual(booking.state, "no_show")
        self.assertEqual(self.kinds(new_booking), ["client_confirmation", "consultant_confirmation"])

    def test_feedback_is_stored_on_the_booking(self):
        booking = self.book()
        path = f"/book-consultation/feedback/{booking.reference}?token={booking.access_token}"
        response = self.url_open(path)
        self.assertIn("Feedback opens once the consultation has taken place.", response.text)
        with freeze_time(booking.start + timedelta(minutes=70)):  # only once the meeting began
            booking.action_complete()
        response = self.url_open(path + "&rating=4")
        self.assertEqual(response.status_code, 200)
        self.assertRegex(response.text, r'value="4"\s+id="o_vb_rating_4"\s+checked')
        self.assertFalse(booking.rating, "opening the page from the e-mail does not rate yet")
        csrf = CSRF_RE.search(response.text).group(1)
        invalid = self.url_open(f"/book-consultation/feedback/{booking.reference}", allow_redirects=False,
                                data={"csrf_token": csrf, "token": booking.access_token, "rating": "9"})
        self.assertEqual(invalid.status_code, 422)
        response = self.url_open(f"/book-consultation/feedback/{booking.reference}", allow_redirects=False, data={
            "csrf_token": csrf, "token": booking.access_token, "rating": "5",
            "feedback": "Clear advice on the heat pump sizing.",
        })
        self.assertEqual(response.status_code, 303)
        self.assertEqual(booking.rating, 5)
        self.assertEqual(booking.feedback, "Clear advice on the heat pump sizing.")
        self.assertTrue(booking.feedback_at)
        self.assertIn("Client feedback: 5/5", booking.message_ids[0].body)
        self.assertIn("Thank you for your feedback!", self.url_open(response.headers["Location"]).text)

    # ------------------------------------------------------------------
    # Portal
    # ------------------------------------------------------------------

    def test_my_consultations_in_the_portal(self):
        portal_user = new_test_user(self.env, "vb_self_portal", groups="base.group_portal", name="Lena Fischer",
                                    email="lena@stadtwerke-nord.example")
        upcoming = self.book()
        past = self.book(start=self.slot(days=4))
        past.action_cancel(reason="Moved")
        others = self.book(start=self.slot(days=5), email="tom@baker.example", first_name="Tom", last_name="Baker")
        for booking in (upcoming, past):
            booking.partner_id = portal_user.partner_id
        self.authenticate("vb_self_portal", "vb_self_portal")
        counters = self.make_jsonrpc_request("/my/counters", {"counters": ["consultation_count"]})
        self.assertEqual(counters["consultation_count"], 2)
        response = self.url_open("/my/consultations")
        self.assertEqual(response.status_code, 200)
        upcoming_part, _sep, past_part = response.text.partition("o_vb_portal_past")
        self.assertIn(upcoming.reference, upcoming_part)
        self.assertIn(past.reference, past_part)
        self.assertNotIn(others.reference, response.text)
        self.assertIn("My Consultations", self.url_open("/my").text)
        # the owner manages without the token; nobody else does
        self.assertEqual(self.url_open(self.manage_path(upcoming, token="")).status_code, 200)
        self.assertEqual(self.url_open(self.manage_path(others, token="")).status_code, 404)
        response = self.post(upcoming, "cancel", page=self.url_open(self.manage_path(upcoming, token="")),
                             token="", reason="Found another date")
        self.assertEqual(response.status_code, 303)
        self.assertEqual(upcoming.state, "cancelled")

    # ------------------------------------------------------------------
    # Tours
    # ------------------------------------------------------------------

    def test_tour_reschedule_then_cancel_from_the_manage_page(self):
        booking = self.book()
        old_start, lead = booking.start, booking.lead_id
        self.start_tour(self.manage_path(booking), "voltaic_booking_manage_reschedule", login=None)
        self.assertEqual(booking.state, "confirmed")
        self.assertNotEqual(booking.start, old_start)
        self.assertEqual(booking.event_id.start, booking.start)
        self.assertEqual(booking.ics_sequence, 1)
        self.assertEqual(booking.lead_id, lead)
        self.assertIn("client_reschedule", self.kinds(booking))

        self.start_tour(self.manage_path(booking), "voltaic_booking_manage_cancel", login=None)
        self.assertEqual(booking.state, "cancelled")
        self.assertEqual(booking.cancellation_reason, "Our budget moved to next year")
        self.assertFalse(booking.event_id.active)
        self.assertIn("client_cancellation", self.kinds(booking))

    # ------------------------------------------------------------------
    # Marketing consent
    # ------------------------------------------------------------------

    def blacklisted(self, email):
        return bool(self.env["mail.blacklist"].search([("email", "=", email)]))

    def test_marketing_consent_reaches_odoos_opt_out_list(self):
        blacklist = self.env["mail.blacklist"]
        blacklist._add("lena@stadtwerke-nord.example")
        blacklist._add("kai@stadtwerke-nord.example")
        self.book(marketing_consent=True)
        self.assertFalse(self.blacklisted("lena@stadtwerke-nord.example"), "consent given again: opted in")
        self.book(self.slot(days=4), email="kai@stadtwerke-nord.example", first_name="Kai")
        self.assertTrue(self.blacklisted("kai@stadtwerke-nord.example"), "no consent is no opt-in")
        self.book(self.slot(days=5), email="ole@stadtwerke-nord.example", first_name="Ole")
        self.assertFalse(blacklist.with_context(active_test=False).search_count(
            [("email", "=", "ole@stadtwerke-nord.example")]), "nor an opt-out")

    def test_a_client_withdraws_marketing_consent_from_the_link_in_their_emails(self):
        booking = self.book(marketing_consent=True)
        later = self.book(self.slot(days=4), marketing_consent=True)
        without = self.book(self.slot(days=5), email="kai@stadtwerke-nord.example", first_name="Kai")
        self.env["voltaic.booking"]._cron_prepare_emails()

        def mail(record, kind):
            return record.email_log_ids.filtered(lambda log: log.kind == kind).mail_id.body_html

        link = f"/book-consultation/marketing/{booking.reference}?token={booking.access_token}"
        self.assertIn(link, mail(booking, "client_confirmation"))
        self.assertNotIn("/book-consultation/marketing/", mail(booking, "consultant_confirmation"))
        self.assertNotIn("/book-consultation/marketing/", mail(without, "client_confirmation"))

        page = self.url_open(link)
        self.assertEqual(page.status_code, 200)
        self.assertIn("No more marketing e-mails", page.text)
        self.assertTrue(booking.marketing_consent, "opening the link changes nothing")
        with mute_logger("odoo.http"):
            self.assertEqual(self.url_open(
                f"/book-consultation/marketing/{booking.reference}?token=wrong").status_code, 404)

        answer = self.url_open(f"/book-consultation/marketing/{booking.reference}", data={
            "csrf_token": CSRF_RE.search(page.text).group(1), "token": booking.access_token})
        self.assertEqual(answer.status_code, 200)
        self.assertIn("You receive no marketing e-mails", answer.text)
        self.env.invalidate_all()
        self.assertFalse(booking.marketing_consent or later.marketing_consent, "the client's consent, everywhere")
        self.assertTrue(self.blacklisted("lena@stadtwerke-nord.example"))

    # ------------------------------------------------------------------
    # The client's data: download, erase
    # ------------------------------------------------------------------

    def test_a_client_downloads_their_data_by_the_link_of_any_email(self):
        booking = self.book(message="Please bring the depot's meter readings.", phone="+49 40 555 0199")
        later = self.book(self.slot(days=4))
        other = self.book(self.slot(days=5), email="kai@stadtwerke-nord.example", first_name="Kai")
        page = self.open_page(booking)
        self.assertIn(f"/book-consultation/data/{booking.reference}?token={booking.access_token}", page.text)
        answer = self.url_open(f"/book-consultation/data/{booking.reference}?token={booking.access_token}")
        self.assertEqual(answer.status_code, 200)
        self.assertEqual(answer.headers["Content-Type"], "application/json; charset=utf-8")
        self.assertIn("attachment;", answer.headers["Content-Disposition"])
        data = answer.json()
        self.assertEqual(data["client"]["email"], "lena@stadtwerke-nord.example")
        self.assertEqual([c["reference"] for c in data["consultations"]], [booking.reference, later.reference])
        self.assertEqual(data["consultations"][0]["message"], "Please bring the depot's meter readings.")
        self.assertEqual(data["consultations"][0]["phone"], "+49 40 555 0199")
        self.assertNotIn(other.reference, answer.text, "nobody else's data")
        self.assertIn("client_confirmation", {email["kind"] for email in data["emails"]})
        with mute_logger("odoo.http"):
            self.assertEqual(self.url_open(f"/book-consultation/data/{booking.reference}?token=wrong").status_code,
                             404)

    def test_a_client_erases_their_data_and_the_statistics_stay(self):
        past = self.book(self.slot(days=2))
        coming = self.book(self.slot(days=4), message="Depot heat pumps", phone="+49 40 555 0199")
        lead, event, partner = coming.lead_id, coming.event_id, coming.partner_id
        old_token = coming.access_token
        with freeze_time(past.stop + timedelta(hours=1)):
            past.action_complete()
            page = self.open_page(coming)
            self.assertIn("Erase my data", page.text)
            ask = self.url_open(f"/book-consultation/erase/{coming.reference}?token={old_token}")
            self.assertIn("This cannot be undone.", ask.text)
            self.assertEqual(coming.state, "confirmed", "opening the link changes nothing")
            answer = self.url_open(f"/book-consultation/erase/{coming.reference}", data={
                "csrf_token": CSRF_RE.search(ask.text).group(1), "token": old_token})
            self.assertEqual(answer.status_code, 200)
            self.assertIn("Your data is erased", answer.text)
            self.assertNotIn("Lena", answer.text)
        self.env.invalidate_all()
        # the coming consultation is cancelled through the service (the client is told), the past one stays
        self.assertRecordValues(coming | past, [
            {"state": "cancelled", "first_name": "Erased client", "email": f"erased-{coming.id}@erased.invalid",
             "phone": False, "message": False, "company": False, "subject": False},
            {"state": "completed", "first_name": "Erased client", "email": f"erased-{past.id}@erased.invalid",
             "phone": False, "message": False, "company": False, "subject": False},
        ])
        self.assertTrue(coming.data_erased_at and past.data_erased_at)
        self.assertIn("client_cancellation", self.kinds(coming))
        self.assertFalse(event.active)
        self.assertNotIn("Lena", event.name)
        self.assertRecordValues(lead, [{"contact_name": False, "email_from": False, "phone": False,
                                        "partner_name": False}])
        self.assertNotIn("Lena", lead.name)
        self.assertRecordValues(partner, [{"name": "Erased client", "email": False, "phone": False}])
        confirmation = self.env["mail.mail"].search([("subject", "=", "Your data has been erased")])
        self.assertEqual(confirmation.email_to, "lena@stadtwerke-nord.example")
        self.assertFalse(self.env["voltaic.booking"].search([("email", "ilike", "stadtwerke-nord")]))
        # the old links are dead
        with mute_logger("odoo.http"):
            self.assertEqual(self.url_open(self.manage_path(coming, token=old_token)).status_code, 404)
        # the statistics still count both consultations
        report = self.env["voltaic.booking.report"].search([("booking_id", "in", (past | coming).ids)])
        self.assertEqual(sorted(report.mapped("state")), ["cancelled", "completed"])

    def test_managers_handle_a_clients_data_from_the_contact(self):
        booking = self.book()
        partner = booking.partner_id
        manager = new_test_user(self.env, "vb_data_manager",
                                groups="voltaic_booking.group_manager,base.group_partner_manager")
        salesperson = new_test_user(self.env, "vb_data_sales",
                                    groups="voltaic_booking.group_user,base.group_partner_manager")
        action = partner.with_user(manager).action_voltaic_download_data()
        self.assertEqual(action["url"], f"/book-consultation/data/{booking.reference}?token={booking.access_token}")
        with self.assertRaises(AccessError):
            partner.with_user(salesperson).action_voltaic_erase_data()
        partner.with_user(manager).action_voltaic_erase_data()
        self.assertEqual(booking.first_name, "Erased client")
