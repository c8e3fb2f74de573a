"""Next to Odoo's own Outlook sync (``microsoft_calendar``): Outlook consultants, as they really sync.

What Odoo's sync brings in from Outlook is a ``calendar.event`` like any other: busy ones block
the consultant's slots (on the API and the booking page), free ones do not, tentative and
out-of-office ones do (Odoo maps every ``showAs`` but ``free`` to busy). A booking's meeting is
copied into the consultant's Outlook calendar once, by Odoo's sync, whoever booked it, and into
no one else's; what the consultant does to it in Outlook comes back through the sync and follows
the guard's rule for calendar syncs (``models/calendar_event.py``): a move is flagged, not applied;
a deletion cancels an upcoming booking and lets a begun one be.

Graph is faked at its HTTP boundary (``microsoft_common.FakeGraph``); Odoo's sync runs for real.
The classes of ``OutlookCase`` skip where ``microsoft_calendar`` is not installed; the consultant's
"Calendar Sync" decision is also tested without it, with the Odoo-side facts faked.
"""

import re
from datetime import datetime, timedelta, timezone
from unittest.mock import patch
from urllib.parse import urlencode

from lxml import etree

from odoo.tests import freeze_time, tagged
from odoo.tools.safe_eval import safe_eval

from ..lib.slots import to_utc_iso
from ..models import google_sync
from ..models.consultant_calendar_sync import VoltaicConsultant as CalendarSyncConsultant
from ..models.consultant_google import VoltaicConsultant as GoogleConsultant
from ..models.google_sync import VoltaicGoogleConnection
from .common import VoltaicBookingCase
from .google_common import FakeGoogle, event_answer
from .google_common import token_answer as google_token_answer
from .microsoft_common import (
    DELTA,
    EVENTS,
    TOKEN_ENDPOINT,
    OutlookCase,
    created_event,
    delta_page,
    event_ids,
    graph_event,
    removed_event,
    token_answer,
)

UTC = timezone.utc

API = "/api/consultations"
PAGE = "/book-consultation"
CLIENT = "priya.sharma@vbt-client.example"
OLIVIA_TOKEN = "Bearer EwBYA8l6BAAUvbtoliviaAccessToken"
BOTH = "Google Calendar, through Voltaic; Outlook, through Odoo's Outlook sync"


class TestOutlookBusyTimes(OutlookCase):
    """Olivia's Outlook calendar, as Odoo's sync brings it in, against the slots clients see."""

    def api_slot_times(self, duration=60):
        query = urlencode({"consultant": self.olivia.id, "duration": duration, "start": self.day.isoformat(),
                           "end": self.day.isoformat(), "tz": "Europe/Berlin"})
        self.env.flush_all()
        response = self.url_open(f"{API}/slots?{query}")
        self.assertEqual(response.status_code, 200, response.text)
        return [slot["local_start"][11:16] for slot in response.json()["slots"]]

    def page_card(self):
        """The data the booking page's script reads from Olivia's card."""
        self.env.flush_all()
        response = self.url_open(PAGE)
        self.assertEqual(response.status_code, 200)
        card = re.search(r'<div class="[^"]*o_vbw_card_col[^"]*"([^>]*)data-name="VBT Olivia Outlook"([^>]*)>',
                         response.text)
        self.assertTrue(card, "Olivia has a card on the page")
        return dict(re.findall(r'(data-[\w-]+)="([^"]*)"', card.group(1) + card.group(2)))

    def test_outlook_events_block_the_api_slots_by_their_show_as(self):
        self.assertEqual(self.api_slot_times(), [
            "10:00", "10:30", "11:00", "11:30", "12:00",
            "14:00", "14:30", "15:00", "15:30", "16:00", "16:30", "17:00", "17:30", "18:00"])
        page = delta_page([
            graph_event("site-visit", "Site visit Potsdam", self.at(10), self.at(11)),
            graph_event("focus", "Focus time", self.at(11), self.at(12), show_as="free"),
            graph_event("hold", "Hold: supplier call", self.at(14), self.at(15), show_as="tentative"),
            graph_event("partner-sync", "Partner sync", self.at(15, 30), self.at(16, 30),
                        organizer=("Jonas Weber", "jonas.weber@partner-firm.example"), is_organizer=False,
                        response="declined", attendees=[
                            ("VBT Olivia Outlook", "olivia@vbt-voltaic.example", "none"),
                            ("Lea Kranz", "lea.kranz@partner-firm.example", "accepted")]),
            graph_event("dentist", "Dentist", self.at(17), self.at(18), show_as="oof"),
        ], "R0usmcCM996atia_olivia_2")
        graph, fake = self.fake_graph([("GET", DELTA, 200, page)])
        with fake:
            self.sync_outlook()
        graph.assert_done(self)
        _url, headers, params = graph.calls("GET", DELTA)[0]
        self.assertEqual(params, {"$deltatoken": "R0usmcCM996atia_olivia_s4P3pQ"}, "changes since the last run")
        self.assertEqual(headers["Authorization"], OLIVIA_TOKEN)

        events = self.env["calendar.event"].search([("ms_universal_event_id", "in", [
            event_ids(label)[1] for label in ("site-visit", "focus", "hold", "partner-sync", "dentist")])])
        self.assertEqual({event.name: event.show_as for event in events}, {
            "Site visit Potsdam": "busy", "Focus time": "free", "Hold: supplier call": "busy",
            "Partner sync": "busy", "Dentist": "busy"})
        declined = events.filtered(lambda event: event.name == "Partner sync").attendee_ids.filtered(
            lambda attendee: attendee.partner_id == self.olivia.partner_id)
        self.assertEqual(declined.state, "declined")
        # busy, tentative and out of office block; free and declined do not
        self.assertEqual(self.api_slot_times(), [
            "11:00", "11:30", "12:00", "15:00", "15:30", "16:00", "18:00"])

    def test_outlook_busy_event_blocks_the_booking_page(self):
        first = self.olivia._next_available(duration=30)[self.olivia.id]
        busy_start, busy_end = first, first + timedelta(hours=3)
        card = self.page_card()
        self.assertLess(datetime.fromisoformat(card["data-next"]), busy_end, "the page offers that time before")

        graph, fake = self.fake_graph([("GET", DELTA, 200, delta_page([
            graph_event("workshop", "Workshop Leipzig", busy_start, busy_end)], "R0usmcCM996atia_olivia_3"))])
        with fake:
            self.sync_outlook()
        graph.assert_done(self)

        card = self.page_card()
        self.assertGreaterEqual(datetime.fromisoformat(card["data-next"]), busy_end)
        start_minute, end_minute = int(busy_start.timestamp()) // 60, int(busy_end.timestamp()) // 60
        for run in card["data-free"].split():
            first_start, last_start = (int(minute) for minute in run.split("-"))
            self.assertTrue(last_start + 30 <= start_minute or first_start >= end_minute,
                            f"the page's free times {run} overlap the Outlook event")


class TestOutlookBookings(OutlookCase):
    """Each booking's meeting reaches the consultant's Outlook calendar once, through Odoo's sync."""

    def insert_through_sync(self, label="booking", extra=()):
        """Olivia's next sync: nothing new in Outlook, the new meeting is copied. Returns the body sent."""
        graph, fake = self.fake_graph([
            *extra,
            ("GET", DELTA, 200, delta_page([], "R0usmcCM996atia_olivia_2")),
            ("POST", EVENTS, 201, lambda body: created_event(label, body)),
        ])
        with fake:
            self.sync_outlook()
        graph.assert_done(self)
        [(_url, headers, body)] = graph.calls("POST", EVENTS)
        return headers, body

    def test_booking_reaches_outlook_once(self):
        self.env.flush_all()
        response = self.url_open(API, method="POST", json={
            "consultant": self.olivia.id, "start": to_utc_iso(self.at(10)), "duration": 60,
            "meeting_type": "video", "tz": "Asia/Kolkata", "first_name": "Priya", "last_name": "Sharma",
            "email": CLIENT, "phone": "+91 22 1234 5678", "company": "Sharma Solar", "language": "en",
            "terms_accepted": True, "privacy_accepted": True})
        self.assertEqual(response.status_code, 201, response.text)
        booking = self.env["voltaic.booking"].search([("reference", "=", response.json()["reference"])])
        event = booking.event_id
        self.assertRecordValues(event, [{"need_sync_m": True, "microsoft_id": False}])
        link = event.videocall_location
        self.assertTrue(link)

        # the access token has expired: Odoo's sync renews it first
        self.olivia_user.sudo().microsoft_calendar_token_validity = datetime.now() - timedelta(minutes=5)
        headers, body = self.insert_through_sync(extra=[
            ("POST", TOKEN_ENDPOINT, 200, token_answer("EwBYA8l6BAAUvbtoliviaRenewed"))])
        self.assertEqual(headers["Authorization"], "Bearer EwBYA8l6BAAUvbtoliviaRenewed", "Olivia's own calendar")
        self.assertEqual(body["subject"], event.name)
        self.assertEqual((body["start"]["dateTime"], body["end"]["dateTime"]),
                         (self.at(10).isoformat(), self.at(11).isoformat()))
        self.assertEqual([attendee["emailAddress"]["address"] for attendee in body["attendees"]], [CLIENT])
        self.assertEqual(body["showAs"], "busy")
        self.assertFalse(body["isOnlineMeeting"], "the client's video link, no Teams call of Outlook's own")
        event_id, ical_uid = event_ids("booking")
        self.assertRecordValues(event, [{"microsoft_id": event_id, "ms_universal_event_id": ical_uid,
                                         "need_sync_m": False}])

        # the next run lists the event back: it is the booking's meeting, and nothing is sent again
        graph, fake = self.fake_graph([("GET", DELTA, 200, delta_page(
            [created_event("booking", body)], "R0usmcCM996atia_olivia_3"))])
        with fake:
            self.sync_outlook()
        graph.assert_done(self)
        self.assertEqual(self.env["calendar.event"].search_count([("ms_universal_event_id", "=", ical_uid)]), 1)
        self.assertRecordValues(booking, [{"state": "confirmed", "event_id": event.id, "needs_review": False}])
        self.assertEqual((event.start, event.videocall_location), (booking.start, link))

    def test_a_manager_who_syncs_books_into_the_consultants_outlook(self):
        """Odoo copies the meeting right after the commit, as its organizer: once, into Olivia's calendar."""
        self._connect_outlook(self.manager, "mona")
        graph, fake = self.fake_graph([("POST", EVENTS, 201, lambda body: created_event("from-lead", body))])
        with fake:
            booking = self.env["voltaic.booking"].with_user(self.manager)._book(
                self._booking_values(self.at(14), self.olivia, source="backend"))
            self.run_outlook_after_commit()
        graph.assert_done(self)
        [(_url, headers, _body)] = graph.calls("POST", EVENTS)
        self.assertEqual(headers["Authorization"], OLIVIA_TOKEN, "not into the manager's calendar")
        self.assertEqual(booking.event_id.ms_universal_event_id, event_ids("from-lead")[1])

        for user, token in ((self.olivia_user, "olivia_2"), (self.manager, "mona_2")):
            graph, fake = self.fake_graph([("GET", DELTA, 200, delta_page([], f"R0usmcCM996atia_{token}"))])
            with fake:
                self.sync_outlook(user)
            graph.assert_done(self)  # nothing copied a second time

    def test_a_manager_who_syncs_books_for_a_consultant_without_outlook(self):
        """Odoo's sync would refuse the meeting, or copy it into the manager's calendar: neither."""
        self._connect_outlook(self.manager, "mona")
        self.assertEqual(self.consultant.calendar_sync, "none")
        graph, fake = self.fake_graph([])
        with fake:
            booking = self.env["voltaic.booking"].with_user(self.manager)._book(
                self._booking_values(self.at(14), self.consultant, source="backend"))
            self.run_outlook_after_commit()
        graph.assert_done(self)
        self.assertEqual(booking.state, "confirmed")

        graph, fake = self.fake_graph([("GET", DELTA, 200, delta_page([], "R0usmcCM996atia_mona_2"))])
        with fake:
            self.sync_outlook(self.manager)
        graph.assert_done(self)
        self.assertFalse(booking.event_id.microsoft_id)

    def test_google_consultant_and_outlook_consultant_each_get_one_event(self):
        """Our Google push for Anja, Odoo's Outlook sync for Olivia: each booking once, in its own calendar."""
        parameters = self.env["ir.config_parameter"].sudo()
        parameters.set_param("voltaic_booking.google_auth_mode", "oauth")
        parameters.set_param("voltaic_booking.google_client_id", "1234567890-abc.apps.googleusercontent.com")
        parameters.set_param("voltaic_booking.google_client_secret", "GOCSPX-test-secret")
        parameters.set_param("voltaic_booking.google_meet", False)
        google_sync._TOKEN_CACHE.clear()
        self.env.cr.cache.pop(google_sync.BUSY_STASH_KEY, None)
        self.addCleanup(self.env.cr.cache.pop, google_sync.BUSY_STASH_KEY, None)
        self.consultant.google_sync_enabled = True
        self.consultant._google_connection().write({
            "refresh_token": "1//0gRefreshToken-anja", "state": "connected",
            "busy_refreshed_at": datetime.now()})
        google_booking = self.book_as_client(self.at(10), self.consultant)
        outlook_booking = self.book_as_client(self.at(10), self.olivia)

        headers, body = self.insert_through_sync()
        self.assertEqual(body["subject"], outlook_booking.event_id.name)
        self.assertFalse(google_booking.event_id.microsoft_id, "Anja's meeting stays out of Outlook")

        google = FakeGoogle([
            ("POST", "oauth2.googleapis.com/token", 200, google_token_answer()),
            ("POST", "/calendars/primary/events", 200, event_answer({"id": google_booking._google_new_event_id()})),
        ])
        with patch.object(VoltaicGoogleConnection, "_google_http", lambda self, timeout=None: google):
            self.env["voltaic.booking"]._google_push_due()
        google.assert_done(self)
        self.assertEqual(google_booking.google_sync_state, "synced")
        self.assertFalse(outlook_booking.google_sync_state, "Olivia's booking stays out of Google")

    def test_a_reschedule_patches_and_a_cancel_deletes_the_one_event(self):
        booking = self.book_as_client(self.at(10))
        self.insert_through_sync()
        event_id, _ical_uid = event_ids("booking")

        booking._reschedule(self.at(15))
        graph, fake = self.fake_graph([
            ("GET", DELTA, 200, delta_page([], "R0usmcCM996atia_olivia_3")),
            ("PATCH", f"{EVENTS}/{event_id}", 200, lambda body: created_event("booking", body)),
        ])
        with fake:
            self.sync_outlook()
        graph.assert_done(self)
        [(_url, headers, body)] = graph.calls("PATCH")
        self.assertEqual(headers["Authorization"], OLIVIA_TOKEN)
        self.assertEqual(body["start"]["dateTime"], self.at(15).isoformat())

        booking.action_cancel()
        graph, fake = self.fake_graph([
            ("GET", DELTA, 200, delta_page([], "R0usmcCM996atia_olivia_4")),
            ("DELETE", f"{EVENTS}/{event_id}", 204, None),
        ])
        with fake:
            self.sync_outlook()
        graph.assert_done(self)


class TestOutlookChanges(OutlookCase):
    """The consultant moves or deletes a booking's meeting in Outlook: the guard's rule for calendar syncs."""

    def setUp(self):
        super().setUp()
        self.booking = self.book_as_client(self.at(10))
        graph, fake = self.fake_graph([
            ("GET", DELTA, 200, delta_page([], "R0usmcCM996atia_olivia_2")),
            ("POST", EVENTS, 201, lambda body: created_event("booking", body)),
        ])
        with fake:
            self.sync_outlook()
        graph.assert_done(self)
        self.event = self.booking.event_id
        self.assertEqual(self.event.ms_universal_event_id, event_ids("booking")[1])

    def outlook_round(self, changes, extra=()):
        graph, fake = self.fake_graph([*extra, ("GET", DELTA, 200, delta_page(changes, "R0usmcCM996atia_olivia_3"))])
        with fake:
            self.sync_outlook()
        graph.assert_done(self)  # nothing is sent back to Outlook

    def test_a_meeting_moved_in_outlook_is_flagged_not_moved(self):
        moved = graph_event("booking", self.event.name, self.at(14, day=self.day + timedelta(days=1)),
                            self.at(15, day=self.day + timedelta(days=1)),
                            modified=datetime.now(UTC) + timedelta(minutes=1),
                            attendees=[("Priya Sharma", CLIENT, "accepted")])
        self.outlook_round([moved])
        self.assertRecordValues(self.booking, [{"state": "confirmed", "start": self.at(10).replace(tzinfo=None),
                                                "needs_review": True}])
        self.assertEqual(self.event.start, self.at(10).replace(tzinfo=None), "the meeting keeps the booked time")
        self.assertIn("moved to Tue", str(self.booking.review_activity_id.note))
        self.assertIn("synchronised calendar (Google or Outlook)", str(self.booking.review_activity_id.note))

    def test_a_meeting_deleted_in_outlook_cancels_the_booking(self):
        self.outlook_round([removed_event("booking")])
        self.assertRecordValues(self.booking, [{
            "state": "cancelled", "cancellation_reason": "The meeting was deleted in the calendar.",
            "event_id": False}])
        self.assertFalse(self.event.exists())
        self.assertIn(self.at(10), [start for start, _end in self.olivia._get_slots(
            self.at(9), self.at(12), 60)[self.olivia.id]], "the time is free again")

    def test_a_begun_meeting_deleted_in_outlook_does_not_stop_the_sync(self):
        """Refusing the deletion would fail Olivia's whole sync, at every run: the booking is let be."""
        with freeze_time(self.booking.start + timedelta(minutes=20)):
            self.assertTrue(self.booking.meeting_started)
            self.outlook_round([removed_event("booking")], extra=[
                ("POST", TOKEN_ENDPOINT, 200, token_answer("EwBYA8l6BAAUvbtoliviaRenewed"))])
        self.assertEqual(self.booking.state, "confirmed", "mark it completed or no-show as usual")
        self.assertFalse(self.event.exists())
        self.assertEqual(self.olivia_user.res_users_settings_id.sudo().microsoft_calendar_sync_token,
                         "R0usmcCM996atia_olivia_3", "the run went through")


class TestCalendarSyncOnTheForm(OutlookCase):
    """The consultant form says which calendar each consultant syncs, with the real Outlook connection."""

    def test_outlook_consultant(self):
        self.assertEqual(self.olivia.calendar_sync, "outlook")
        self.assertEqual(self.consultant.calendar_sync, "none")
        self.olivia_user.res_users_settings_id.sudo().microsoft_synchronization_stopped = True
        self.olivia.invalidate_recordset(["calendar_sync"])
        self.assertEqual(self.olivia.calendar_sync, "none", "stopped in the Calendar app")

    def test_google_and_outlook_is_warned(self):
        self.olivia.google_sync_enabled = True
        self.assertRecordValues(self.olivia, [{"calendar_sync": "several", "calendar_sync_conflict": BOTH}])
        if "google.calendar.sync" in self.env:
            self.olivia.google_sync_enabled = False
            self.olivia_user.res_users_settings_id.sudo().write({
                "google_calendar_rtoken": "1//0gOdooSyncRefreshToken", "google_synchronization_stopped": False})
            self.olivia.invalidate_recordset(["calendar_sync", "calendar_sync_conflict"])
            self.assertRecordValues(self.olivia, [{
                "calendar_sync": "several",
                "calendar_sync_conflict": "Google Calendar, through Odoo's Google sync; "
                                          "Outlook, through Odoo's Outlook sync"}])


@tagged("post_install", "-at_install")
class TestCalendarSyncDecision(VoltaicBookingCase):
    """The decision behind "Calendar Sync", with the facts of Odoo's modules faked (they need not be installed)."""

    def outlook(self, synced):
        return patch.object(CalendarSyncConsultant, "_outlook_user_synced", lambda self: synced)

    def odoo_google(self, synced):
        return patch.object(GoogleConsultant, "_google_odoo_user_synced", lambda self: synced)

    def sync_of(self, consultant):
        consultant.invalidate_recordset(["calendar_sync", "calendar_sync_conflict"])
        return consultant.calendar_sync, consultant.calendar_sync_conflict

    def test_one_calendar_or_several(self):
        anja = self.consultant
        with self.outlook(False), self.odoo_google(False):
            self.assertEqual(self.sync_of(anja), ("none", False))
        with self.outlook(True), self.odoo_google(False):
            self.assertEqual(self.sync_of(anja), ("outlook", False))
        with self.outlook(False), self.odoo_google(True):
            self.assertEqual(self.sync_of(anja), ("odoo_google", False))
        anja.google_sync_enabled = True
        with self.outlook(False), self.odoo_google(True):
            self.assertEqual(self.sync_of(anja), ("voltaic_google", False), "one writer into one Google calendar")
        with self.outlook(True), self.odoo_google(False):
            self.assertEqual(self.sync_of(anja), ("several", BOTH))

    def test_outlook_only_for_a_connected_user(self):
        """Without Odoo's module, or with a user who never connected Outlook: no Outlook."""
        self.assertFalse(self.consultant._outlook_user_synced())

    def test_the_form_warns_only_when_two_calendars_get_the_bookings(self):
        views = self.env["voltaic.consultant"].with_user(self.manager).get_views([(False, "form")])
        form = etree.fromstring(views["views"]["form"]["arch"])
        [warning] = form.xpath("//div[@name='calendar_sync_warning']")
        self.assertIn("alert", warning.get("class"))
        self.assertTrue(form.xpath("//field[@name='calendar_sync']"), "the form shows the calendar")
        for value in ("none", "voltaic_google", "odoo_google", "outlook", "several"):
            hidden = safe_eval(warning.get("invisible"), {"calendar_sync": value})
            self.assertEqual(hidden, value != "several", value)
