"""A Calendly or Cal.com booking cancelled in Odoo is cancelled at the provider: once, after the commit, retried.

The providers are faked at their HTTP boundary (``requests.Session.request``) with recorded answers.
"""

import copy

from odoo.tests import freeze_time, tagged
from odoo.tools import mute_logger

from .provider_common import (
    CALCOM_KEY,
    CALENDLY_TOKEN,
    QUEUE_LOGGER,
    SERVER_ERROR,
    TOM_UID,
    FakeProviderHttp,
    ProviderApiCase,
    answer,
    fixture,
)

CALENDLY = "https://api.calendly.com"
CALCOM = "https://api.cal.com"
LENA_EVENT = "5e8b2a1c-3d4f-4a6b-9c7d-8e9f0a1b2c3d"
CALENDLY_CANCEL = f"{CALENDLY}/scheduled_events/{LENA_EVENT}/cancellation"
CALCOM_CANCEL = f"{CALCOM}/v2/bookings/{TOM_UID}/cancel"



@tagged("post_install", "-at_install")
@freeze_time("2026-03-02 08:20:00")
class TestProviderCancel(ProviderApiCase):

    def lena(self):
        booking = self.deliver("calendly", "calendly_invitee_created").booking_id
        self.assertEqual(booking.state, "confirmed")
        return booking

    def test_calendly_cancel_in_odoo_reaches_calendly_once(self):
        booking = self.lena()
        cron = self.env.ref("voltaic_booking_calendly.ir_cron_provider_cancel")
        triggers = self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)])
        booking.with_user(self.manager).action_cancel(reason="The client asked to cancel by phone.")
        # nothing is sent inside the booking's transaction: queued, and the job woken after the commit
        self.assertEqual(booking.provider_push_state, "pending")
        self.assertEqual(self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)]), triggers + 1)
        http = FakeProviderHttp({("POST", CALENDLY_CANCEL): answer("calendly_api_cancellation", 201)})
        with http.installed():
            self.bookings._provider_push_due()
            self.bookings._provider_push_due()  # a second run has nothing to send
        calls = http.calls_to("POST", CALENDLY_CANCEL)
        self.assertEqual(len(http.calls), 1)
        self.assertEqual(len(calls), 1, "exactly one cancellation call")
        self.assertEqual(calls[0]["json"], {"reason": "The client asked to cancel by phone."})
        self.assertEqual(calls[0]["headers"]["Authorization"], f"Bearer {CALENDLY_TOKEN}")
        self.assertTrue(calls[0]["timeout"])
        self.assertEqual((booking.provider_push_state, booking.provider_push_attempts), ("done", 1))
        self.assertIn("Cancelled in Calendly too.", booking.message_ids[0].body)

        # Calendly's webhook for that cancellation: recognised, nothing changes twice
        mails, messages = self.mails(booking), len(booking.message_ids)
        echo, _raw = fixture("calendly_invitee_canceled")
        echo["payload"]["cancellation"] = {
            "canceled_by": "Mona Manager", "canceler_type": "host",
            "created_at": "2026-03-02T08:20:03.482911Z", "reason": "The client asked to cancel by phone."}
        echo["payload"]["scheduled_event"]["cancellation"] = echo["payload"]["cancellation"]
        with FakeProviderHttp({}).installed():
            row = self.deliver("calendly", echo)
            self.bookings._provider_push_due()
        self.assertEqual(row.state, "done", row.last_error)
        self.assertEqual(row.booking_id, booking)
        self.assertIn("cancelled here first", row.result)
        self.assertEqual(booking.state, "cancelled")
        self.assertEqual(booking.cancellation_reason, "The client asked to cancel by phone.", "not overwritten")
        self.assertEqual(self.mails(booking), mails, "no second cancellation mail")
        self.assertEqual(len(booking.message_ids), messages)
        self.assertEqual(booking.provider_push_state, "done")

    def test_calcom_cancel_through_the_manage_page_rules(self):
        booking = self.deliver("calcom", "calcom_booking_created").booking_id
        # the client's manage page and the API cancel through the same service call
        booking.sudo().action_cancel(reason="Our plans changed; we will call again in May.")
        http = FakeProviderHttp({("POST", CALCOM_CANCEL): answer("calcom_api_booking_cancelled")})
        with http.installed():
            self.bookings._provider_push_due()
        calls = http.calls_to("POST", CALCOM_CANCEL)
        self.assertEqual(len(calls), 1)
        self.assertEqual(calls[0]["json"], {"cancellationReason": "Our plans changed; we will call again in May."})
        self.assertEqual(calls[0]["headers"]["cal-api-version"], "2024-08-13")
        self.assertEqual(calls[0]["headers"]["Authorization"], f"Bearer {CALCOM_KEY}")
        self.assertEqual(booking.provider_push_state, "done")
        # Cal.com's BOOKING_CANCELLED comes back: no second cancellation, no error
        mails = self.mails(booking)
        echo, _raw = fixture("calcom_booking_cancelled")
        echo["payload"]["cancellationReason"] = "Our plans changed; we will call again in May."
        with FakeProviderHttp({}).installed():
            row = self.deliver("calcom", echo)
        self.assertEqual((row.state, row.booking_id), ("done", booking), row.last_error)
        self.assertEqual(self.mails(booking), mails)

    def test_without_reason_a_neutral_one_is_sent(self):
        booking = self.deliver("calcom", "calcom_booking_created").booking_id
        booking.action_cancel()
        http = FakeProviderHttp({("POST", CALCOM_CANCEL): answer("calcom_api_booking_cancelled")})
        with http.installed():
            self.bookings._provider_push_due()
        self.assertEqual(http.calls[0]["json"], {"cancellationReason": "The consultation was cancelled."})

    def test_already_cancelled_at_the_provider_counts_as_done(self):
        lena = self.lena()
        tom = self.deliver("calcom", "calcom_booking_created").booking_id
        (lena | tom).action_cancel(reason="Duplicate booking.")
        http = FakeProviderHttp({
            ("POST", CALENDLY_CANCEL): answer("calendly_api_already_canceled", 403),
            ("POST", CALCOM_CANCEL): answer("calcom_api_already_cancelled", 400),
        })
        with http.installed():
            self.bookings._provider_push_due()
        self.assertEqual(len(http.calls), 2)
        self.assertEqual((lena.provider_push_state, tom.provider_push_state), ("done", "done"))
        self.assertIn("already", lena.message_ids[0].body)
        self.assertFalse(lena.activity_ids | tom.activity_ids)

    @mute_logger(QUEUE_LOGGER)
    def test_a_server_error_is_retried_with_backoff(self):
        booking = self.lena()
        booking.action_cancel(reason="Moved to a visit on site.")
        http = FakeProviderHttp({("POST", CALENDLY_CANCEL): [SERVER_ERROR, answer("calendly_api_cancellation", 201)]})
        with http.installed():
            self.bookings._provider_push_due()
            self.assertEqual((booking.provider_push_state, booking.provider_push_attempts), ("pending", 1))
            self.assertIn("unexpected condition", booking.provider_push_error)
            self.assertEqual(str(booking.provider_push_next_at), "2026-03-02 08:21:00", "first retry after 1 min")
            self.bookings._provider_push_due()
            self.assertEqual(len(http.calls), 1, "not due yet")
            with freeze_time("2026-03-02 08:21:30"):
                self.bookings._provider_push_due()
        self.assertEqual(len(http.calls_to("POST", CALENDLY_CANCEL)), 2)
        self.assertEqual((booking.provider_push_state, booking.provider_push_attempts), ("done", 2))
        self.assertFalse(booking.provider_push_error)
        self.assertFalse(booking.activity_ids)

    @mute_logger(QUEUE_LOGGER)
    def test_repeated_failures_give_a_manager_an_activity(self):
        self.anna.team_id = self.env["crm.team"].create({"name": "VB p15 team", "user_id": self.manager.id})
        booking = self.lena()
        booking.action_cancel(reason="Moved to a visit on site.")
        http = FakeProviderHttp({("POST", CALENDLY_CANCEL): SERVER_ERROR})
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
        self.assertEqual(activity.user_id, self.manager)
        self.assertEqual(activity.summary, "Not cancelled in Calendly")
        self.assertIn("Cancel the meeting in Calendly", str(activity.note))

        # the manager retries once the cause is fixed; the activity is closed
        http = FakeProviderHttp({("POST", CALENDLY_CANCEL): answer("calendly_api_cancellation", 201)})
        booking.with_user(self.manager).action_provider_push_retry()
        self.assertFalse(booking.activity_ids)
        with http.installed():
            self.bookings._provider_push_due()
        self.assertEqual(booking.provider_push_state, "done")

    @mute_logger(QUEUE_LOGGER)
    def test_a_refused_token_fails_at_once(self):
        booking = self.lena()
        booking.action_cancel()
        unauthenticated = (401, {"title": "Unauthenticated", "message": "The access token is invalid"})
        with FakeProviderHttp({("POST", CALENDLY_CANCEL): unauthenticated}).installed() as http:
            self.bookings._provider_push_due()
        self.assertEqual(len(http.calls), 1)
        self.assertEqual(booking.provider_push_state, "failed")
        self.assertIn("The access token is invalid", booking.provider_push_error)
        self.assertEqual(len(booking.activity_ids), 1)

    @mute_logger(QUEUE_LOGGER)
    def test_without_a_token_the_failure_is_visible(self):
        booking = self.deliver("calcom", "calcom_booking_created").booking_id
        self.env["ir.config_parameter"].sudo().set_param("voltaic_booking.calcom_api_key", "")
        booking.action_cancel()
        with FakeProviderHttp({}).installed() as http:
            self.bookings._provider_push_due()
        self.assertFalse(http.calls)
        self.assertEqual(booking.provider_push_state, "failed")
        self.assertIn("API key", booking.provider_push_error)
        self.assertEqual(booking.activity_ids.summary, "Not cancelled in Cal.com")

    def test_cancelled_at_the_provider_is_not_sent_back(self):
        booking = self.lena()
        with FakeProviderHttp({}).installed() as http:
            self.deliver("calendly", "calendly_invitee_canceled")
            self.bookings._provider_push_due()
        self.assertEqual(booking.state, "cancelled")
        self.assertFalse(booking.provider_push_state)
        self.assertFalse(http.calls)

    def test_webhook_before_our_call_settles_the_queue(self):
        # the client cancelled in Calendly while our own cancellation was still waiting for its retry
        booking = self.lena()
        booking.action_cancel(reason="Moved to a visit on site.")
        self.deliver("calendly", copy.deepcopy(fixture("calendly_invitee_canceled")[0]))
        self.assertEqual(booking.provider_push_state, "done")
        with FakeProviderHttp({}).installed() as http:
            self.bookings._provider_push_due()
        self.assertFalse(http.calls)

    def test_native_bookings_are_not_sent(self):
        booking = self.lena()
        booking.write({"external_provider": False, "external_uid": False})
        booking.action_cancel()
        self.assertFalse(booking.provider_push_state)
