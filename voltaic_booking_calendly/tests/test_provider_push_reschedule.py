"""A Cal.com booking moved in Odoo is moved at Cal.com too: through the usual checks here, sent once after the
commit, retried, and the webhook Cal.com sends back changes nothing. Calendly bookings, and Cal.com bookings
without an API key, are still moved at the provider (the client's mails link there).

Cal.com is faked at its HTTP boundary (``requests.Session.request``) with recorded API v2 answers.
"""

import json
import re
from datetime import datetime, timedelta, timezone
from unittest.mock import patch
from zoneinfo import ZoneInfo

from odoo.tests import HttpCase, freeze_time, tagged
from odoo.tools import mute_logger

from .provider_common import (
    CALCOM_KEY,
    LENA_UID,
    QUEUE_LOGGER,
    SERVER_ERROR,
    TOM_NEW_UID,
    TOM_UID,
    FakeProviderHttp,
    ProviderApiCase,
    ProviderCase,
    answer,
    fixture,
)
from odoo.addons.voltaic_booking.exceptions import BookingValidationError, SlotUnavailableError

UTC = timezone.utc
CALCOM = "https://api.cal.com"
GET_TOM = ("GET", f"{CALCOM}/v2/bookings/{TOM_UID}")
GET_TOM_NEW = ("GET", f"{CALCOM}/v2/bookings/{TOM_NEW_UID}")
RESCHEDULE_TOM = ("POST", f"{CALCOM}/v2/bookings/{TOM_UID}/reschedule")
# Friday 13 March 2026, 10:00 in London: the time of the recorded reschedule answer and webhook
NEW_START = datetime(2026, 3, 13, 10, 0, tzinfo=UTC)


def hrefs(html, text):
    """The targets of the links whose text is ``text``."""
    found = re.findall(rf'<a[^>]*href="([^"]+)"[^>]*>{re.escape(text)}</a>', html)
    return [href.replace("&amp;", "&") for href in found]


@tagged("post_install", "-at_install")
@freeze_time("2026-03-02 08:20:00")
class TestProviderPushReschedule(ProviderApiCase):

    def tom(self):
        booking = self.deliver("calcom", "calcom_booking_created").booking_id
        self.assertEqual((booking.state, booking.external_uid, booking.consultant_id),
                         ("confirmed", TOM_UID, self.james))
        return booking

    def test_moved_in_odoo_moved_at_calcom_once_and_its_webhook_changes_nothing(self):
        booking = self.tom()
        self.assertFalse(booking._external_reschedule_url(), "moved here: our own slot picker, not Cal.com's page")
        self.assertTrue(booking.with_user(self.manager).action_open_reschedule_wizard())
        cron = self.env.ref("voltaic_booking_calendly.ir_cron_provider_cancel")
        triggers = self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)])
        with FakeProviderHttp({}).installed() as http:
            booking.with_user(self.manager)._reschedule(NEW_START)
        # moved here through the service, nothing sent inside the booking's transaction
        self.assertFalse(http.calls)
        self.assertEqual(booking.start, datetime(2026, 3, 13, 10, 0))
        self.assertEqual((booking.provider_push_operation, booking.provider_push_state), ("reschedule", "pending"))
        self.assertEqual(self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)]), triggers + 1)
        sequence = booking.ics_sequence

        http = FakeProviderHttp({
            GET_TOM: answer("calcom_api_booking"),
            RESCHEDULE_TOM: answer("calcom_api_booking_rescheduled", 201),
        })
        with http.installed():
            self.bookings._provider_push_due()
            self.bookings._provider_push_due()  # a second run has nothing to send
        self.assertEqual([(call["method"], call["url"]) for call in http.calls], [GET_TOM, RESCHEDULE_TOM])
        call = http.calls[1]
        self.assertEqual(call["json"], {"start": "2026-03-13T10:00:00Z",
                                        "reschedulingReason": "The consultation was moved to a new time."})
        self.assertEqual(call["headers"]["cal-api-version"], "2024-08-13")
        self.assertEqual(call["headers"]["Authorization"], f"Bearer {CALCOM_KEY}")
        self.assertTrue(call["timeout"])
        self.assertEqual((booking.provider_push_state, booking.provider_push_attempts), ("done", 1))
        self.assertIn("Moved in Cal.com too.", booking.message_ids[0].body)
        # Cal.com answers a move with a new booking: its uid is the booking's now, the old one is superseded
        self.assertEqual((booking.external_uid, booking.external_event_id), (TOM_NEW_UID, "9340127"))
        self.assertEqual(booking.external_reschedule_url, f"https://cal.com/reschedule/{TOM_NEW_UID}")
        self.assertEqual(booking.external_cancel_url, f"https://cal.com/booking/{TOM_NEW_UID}?cancel=true")
        tombstone = self.env["voltaic.provider.tombstone"].search([("external_uid", "=", TOM_UID)])
        self.assertEqual((tombstone.kind, tombstone.replaced_by_uid, tombstone.booking_id),
                         ("superseded", TOM_NEW_UID, booking))

        # Cal.com's BOOKING_RESCHEDULED (old uid -> new uid) and a cancellation of the old uid come back
        mails, messages = self.mails(booking), len(booking.message_ids)
        with FakeProviderHttp({}).installed() as http:
            moved = self.deliver("calcom", "calcom_booking_rescheduled")
            old_cancelled = self.deliver("calcom", "calcom_booking_cancelled")
            self.bookings._provider_push_due()
        self.assertFalse(http.calls)
        self.assertEqual((moved.state, moved.booking_id), ("done", booking), moved.last_error)
        self.assertIn("Already recorded", moved.result)
        self.assertEqual(old_cancelled.state, "done", old_cancelled.last_error)
        self.assertEqual((booking.state, booking.start, booking.ics_sequence),
                         ("confirmed", datetime(2026, 3, 13, 10, 0), sequence))
        self.assertEqual(self.mails(booking), mails, "no second change mail")
        self.assertEqual(len(booking.message_ids), messages)
        self.assertEqual(self.bookings.search_count([("source", "=", "calcom")]), 1, "no second booking")

        # cancelled afterwards: the cancellation goes to the new uid
        booking.action_cancel(reason="Budget moved to next year.")
        http = FakeProviderHttp({("POST", f"{CALCOM}/v2/bookings/{TOM_NEW_UID}/cancel"):
                                 answer("calcom_api_booking_cancelled")})
        with http.installed():
            self.bookings._provider_push_due()
        self.assertEqual(len(http.calls), 1)
        self.assertEqual((booking.provider_push_operation, booking.provider_push_state), ("cancel", "done"))

    def test_webhook_of_our_move_before_our_answer_is_stored(self):
        """Cal.com's webhook may be applied before the job stores the new uid: the time is ours already, so only
        the ids are taken, and the job then finds the move done at Cal.com and moves nothing twice."""
        booking = self.tom()
        booking._reschedule(NEW_START)
        sequence, mails = booking.ics_sequence, self.mails(booking)
        row = self.deliver("calcom", "calcom_booking_rescheduled")
        self.assertEqual((row.state, row.booking_id), ("done", booking), row.last_error)
        self.assertEqual((booking.external_uid, booking.ics_sequence), (TOM_NEW_UID, sequence))
        self.assertEqual(self.mails(booking), mails)
        self.assertEqual(booking.provider_push_state, "done", "the webhook settles the queue")
        with FakeProviderHttp({}).installed() as http:
            self.bookings._provider_push_due()
        self.assertFalse(http.calls)

    def test_a_cancellation_of_the_old_uid_waits_for_our_move(self):
        """A cancellation of the booking's uid that comes while our move is on its way waits for it: once sent, the
        uid is superseded and the delivery changes nothing."""
        booking = self.tom()
        booking._reschedule(NEW_START)
        row = self.deliver("calcom", "calcom_booking_cancelled")
        self.assertEqual((row.state, row.attempts, booking.state), ("pending", 1, "confirmed"), row.result)
        http = FakeProviderHttp({
            GET_TOM: answer("calcom_api_booking"),
            RESCHEDULE_TOM: answer("calcom_api_booking_rescheduled", 201),
        })
        with http.installed():
            self.bookings._provider_push_due()
        with freeze_time("2026-03-02 08:21:30"):
            self.inbox._process_due()
        self.assertEqual(row.state, "done", row.last_error)
        self.assertEqual((booking.state, booking.external_uid), ("confirmed", TOM_NEW_UID))

    def test_a_lost_answer_is_not_moved_twice(self):
        """Our call went through but its answer was lost (timeout): Cal.com has the old booking moved to a new
        one at our time; the retry adopts it instead of moving again."""
        booking = self.tom()
        booking._reschedule(NEW_START)
        http = FakeProviderHttp({
            GET_TOM: answer("calcom_api_booking_superseded"),
            GET_TOM_NEW: answer("calcom_api_booking_rescheduled"),
        })
        with http.installed():
            self.bookings._provider_push_due()
        self.assertEqual([(call["method"], call["url"]) for call in http.calls], [GET_TOM, GET_TOM_NEW])
        self.assertEqual((booking.provider_push_state, booking.external_uid, booking.external_event_id),
                         ("done", TOM_NEW_UID, "9340127"))
        self.assertIn("Cal.com has the new time already.", booking.message_ids[0].body)
        self.assertEqual(self.env["voltaic.provider.tombstone"].search([("external_uid", "=", TOM_UID)]).kind,
                         "superseded")

    @mute_logger(QUEUE_LOGGER)
    def test_a_server_error_is_retried_with_backoff(self):
        booking = self.tom()
        booking._reschedule(NEW_START)
        http = FakeProviderHttp({
            GET_TOM: [SERVER_ERROR, answer("calcom_api_booking")],
            RESCHEDULE_TOM: answer("calcom_api_booking_rescheduled", 201),
        })
        with http.installed():
            self.bookings._provider_push_due()
            self.assertEqual((booking.provider_push_state, booking.provider_push_attempts), ("pending", 1))
            self.assertEqual(str(booking.provider_push_next_at), "2026-03-02 08:21:00", "first retry after 1 min")
            self.bookings._provider_push_due()
            self.assertEqual(len(http.calls), 1, "not due yet")
            with freeze_time("2026-03-02 08:21:30"):
                self.bookings._provider_push_due()
        self.assertEqual(len(http.calls_to(*RESCHEDULE_TOM)), 1)
        self.assertEqual((booking.provider_push_state, booking.provider_push_attempts), ("done", 2))
        self.assertEqual(booking.external_uid, TOM_NEW_UID)
        self.assertFalse(booking.activity_ids)

    @mute_logger(QUEUE_LOGGER)
    def test_repeated_failures_give_a_manager_an_activity_and_a_retry(self):
        self.james.team_id = self.env["crm.team"].create({"name": "VB p15 move team", "user_id": self.manager.id})
        booking = self.tom()
        booking._reschedule(NEW_START)
        http = FakeProviderHttp({GET_TOM: SERVER_ERROR})
        moments = ["2026-03-02 08:20:00", "2026-03-02 08:21:00", "2026-03-02 08:26:00", "2026-03-02 08:56:00",
                   "2026-03-02 10:56:00", "2026-03-02 12:00:00"]
        with http.installed():
            for moment in moments:
                with freeze_time(moment):
                    self.bookings._provider_push_due()
        self.assertEqual(len(http.calls), 5, "1 try and 4 retries (1, 5, 30, 120 min)")
        self.assertEqual((booking.provider_push_state, booking.provider_push_attempts), ("failed", 5))
        activity = booking.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertEqual((activity.user_id, activity.summary), (self.manager, "Not moved in Cal.com"))
        self.assertIn("Fri, Mar 13, 2026, 10:00 AM (Europe/London)", str(activity.note))
        self.assertIn("Move the meeting in Cal.com", str(activity.note))
        self.assertEqual(booking.start, datetime(2026, 3, 13, 10, 0), "the move here stands")

        http = FakeProviderHttp({
            GET_TOM: answer("calcom_api_booking"),
            RESCHEDULE_TOM: answer("calcom_api_booking_rescheduled", 201),
        })
        booking.with_user(self.manager).action_provider_push_retry()
        self.assertFalse(booking.activity_ids)
        self.assertEqual((booking.provider_push_operation, booking.provider_push_state), ("reschedule", "pending"))
        with http.installed():
            self.bookings._provider_push_due()
        self.assertEqual((booking.provider_push_state, booking.external_uid), ("done", TOM_NEW_UID))

    @mute_logger(QUEUE_LOGGER)
    def test_a_time_calcom_refuses_fails_at_once(self):
        booking = self.tom()
        booking._reschedule(NEW_START)
        http = FakeProviderHttp({
            GET_TOM: answer("calcom_api_booking"),
            RESCHEDULE_TOM: answer("calcom_api_reschedule_unavailable", 400),
        })
        with http.installed():
            self.bookings._provider_push_due()
        self.assertEqual(len(http.calls), 2)
        self.assertEqual(booking.provider_push_state, "failed")
        self.assertIn("already has booking at this time", booking.provider_push_error)
        self.assertEqual(booking.activity_ids.summary, "Not moved in Cal.com")
        self.assertEqual(booking.external_uid, TOM_UID)

    def test_a_taken_time_is_refused_here_and_nothing_is_sent(self):
        booking = self.tom()
        native = self.bookings._book({
            "consultant_id": self.james.id, "start": NEW_START, "duration": 30, "meeting_type": "video",
            "client_tz": "Europe/London", "first_name": "Ada", "last_name": "Lovelace",
            "email": "ada@analytical.example", "language": "en", "terms_accepted": True, "privacy_accepted": True,
            "source": "website",
        })
        self.assertEqual(native.state, "confirmed")
        with FakeProviderHttp({}).installed() as http, self.assertRaises(SlotUnavailableError):
            booking._reschedule(NEW_START)
        self.assertFalse(http.calls)
        self.assertEqual(booking.start, datetime(2026, 3, 11, 14, 0))
        self.assertFalse(booking.provider_push_state)
        # Cal.com keeps the meeting's length: a move cannot change it
        with self.assertRaises(BookingValidationError):
            booking._reschedule(NEW_START + timedelta(days=1), duration=30)
        self.assertFalse(booking.provider_push_state)

    def test_calendly_and_calcom_without_a_key_are_still_moved_at_the_provider(self):
        lena = self.deliver("calendly", "calendly_invitee_created").booking_id
        self.assertFalse(lena._provider_can_move(), "Calendly has no reschedule call")
        self.assertEqual(lena._external_reschedule_url(), f"https://calendly.com/reschedulings/{LENA_UID}")
        tom = self.tom()
        self.assertTrue(tom._provider_can_move())
        self.env["ir.config_parameter"].sudo().set_param("voltaic_booking.calcom_api_key", "")
        self.assertFalse(tom._provider_can_move())
        self.assertEqual(tom._external_reschedule_url(), f"https://cal.com/reschedule/{TOM_UID}")
        self.env["ir.config_parameter"].sudo().set_param("voltaic_booking.calcom_api_key", CALCOM_KEY)
        # a consultant who schedules through Cal.com is not in our slot picker: moved at Cal.com
        self.james.scheduling_url = "https://cal.com/james-carter-voltaic/energy-consultation-60"
        self.assertFalse(tom._provider_can_move())
        self.assertEqual(tom._external_reschedule_url(), f"https://cal.com/reschedule/{TOM_UID}")

    def test_client_mails_link_to_where_the_booking_is_moved(self):
        lena = self.deliver("calendly", "calendly_invitee_created").booking_id
        tom = self.tom()
        self.bookings._cron_prepare_emails()
        lena_mail = lena.email_log_ids.filtered(lambda log: log.kind == "client_confirmation").mail_id
        tom_mail = tom.email_log_ids.filtered(lambda log: log.kind == "client_confirmation").mail_id
        self.assertEqual(hrefs(lena_mail.body_html, "reschedule"), [f"https://calendly.com/reschedulings/{LENA_UID}"])
        self.assertEqual(hrefs(lena_mail.body_html, "cancel"), [f"{lena._manage_url()}#cancel"])
        self.assertEqual(hrefs(tom_mail.body_html, "reschedule"), [f"{tom._manage_url()}#reschedule"],
                         "Cal.com with an API key: moved on our manage page")


@tagged("post_install", "-at_install")
class TestProviderPushRescheduleHttp(HttpCase, ProviderCase):
    """The client's manage page and the API move a Cal.com booking by the same rules as a native one."""

    def setUp(self):
        super().setUp()
        parameters = self.env["ir.config_parameter"].sudo()
        parameters.set_param("voltaic_booking.rate_limit_per_minute", "0")
        parameters.set_param("voltaic_booking.calcom_api_key", CALCOM_KEY)
        # a weekday three weeks ahead of the real clock (the manage page and the API use it), 10:00 in London
        day = datetime.now(UTC).date() + timedelta(days=21)
        while day.weekday() >= 5:
            day += timedelta(days=1)
        self.target = datetime(day.year, day.month, day.day, 10, 0, tzinfo=ZoneInfo("Europe/London")).astimezone(UTC)
        data, raw = fixture("calcom_booking_created")
        raw = raw.decode().replace("2026-03-11T14:00:00Z", (self.target + timedelta(hours=4)).strftime(
            "%Y-%m-%dT%H:%M:%SZ")).replace("2026-03-11T15:00:00Z", (self.target + timedelta(hours=5)).strftime(
                "%Y-%m-%dT%H:%M:%SZ"))
        self.tom = self.deliver("calcom", json.loads(raw)).booking_id
        self.assertEqual(self.tom.state, "confirmed")
        self.token = self.tom.sudo()._portal_ensure_token()
        self.bookings._book({
            "consultant_id": self.james.id, "start": self.target, "duration": 60, "meeting_type": "video",
            "client_tz": "Europe/London", "first_name": "Ada", "last_name": "Lovelace",
            "email": "ada@analytical.example", "language": "en", "terms_accepted": True, "privacy_accepted": True,
            "source": "website",
        })

    def api_reschedule(self, start):
        return self.url_open(
            f"/api/consultations/{self.tom.reference}/reschedule",
            data=json.dumps({"start": start.strftime("%Y-%m-%dT%H:%M:%SZ")}),
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {self.token}"}, method="POST")

    def test_manage_page_and_api(self):
        start = self.tom.start
        page = self.url_open(f"/book-consultation/manage/{self.tom.reference}?token={self.token}")
        self.assertEqual(page.status_code, 200)
        self.assertNotIn("o_vb_external_reschedule", page.text)
        self.assertIn(f"/book-consultation/manage/{self.tom.reference}/reschedule", page.text, "our slot picker")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        sync_class = type(self.env["voltaic.provider.sync"])
        # url_open itself goes through ``requests``: the provider calls are watched one level up
        with patch.object(sync_class, "_request", side_effect=AssertionError("no provider call in a request")) \
                as provider_calls:
            # the time is taken here: the usual refusal, nothing moves, nothing is sent
            refused = self.url_open(
                f"/book-consultation/manage/{self.tom.reference}/reschedule", allow_redirects=False,
                data={"token": self.token, "csrf_token": csrf,
                      "start": self.target.strftime("%Y-%m-%dT%H:%M:%SZ")})
            self.assertEqual(refused.status_code, 409, refused.text[:300])
            conflict = self.api_reschedule(self.target)
            self.assertEqual(conflict.status_code, 409, conflict.text)
            self.assertEqual(conflict.json()["error"]["code"], "slot_unavailable")
            self.assertEqual((self.tom.start, self.tom.provider_push_state), (start, False))
            # a free time: moved here, and queued for Cal.com (sent after the commit, not in the request)
            moved = self.api_reschedule(self.target + timedelta(hours=2))
            self.assertEqual(moved.status_code, 200, moved.text)
        self.assertFalse(provider_calls.called)
        self.assertEqual(self.tom.start, (self.target + timedelta(hours=2)).replace(tzinfo=None))
        self.assertEqual((self.tom.provider_push_operation, self.tom.provider_push_state), ("reschedule", "pending"))
