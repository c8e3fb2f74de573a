"""Calendly and Cal.com deliveries applied through the booking service: once, in any order, never lost."""

import copy
from datetime import datetime, timedelta, timezone
from unittest.mock import patch

import psycopg2

from odoo.exceptions import UserError, ValidationError
from odoo.tests import freeze_time, tagged
from odoo.tools import mute_logger

from .provider_common import (
    ANNA_EMAIL,
    LENA_NEW_UID,
    LENA_UID,
    TOM_NEW_UID,
    TOM_UID,
    ProviderCase,
    fixture,
)

UTC = timezone.utc

# the Calendly booking was made on Monday 2 March 2026 for Tuesday 10 March, 10:00 in Berlin
NOW = "2026-03-02 08:15:00"


@tagged("post_install", "-at_install")
@freeze_time(NOW)
class TestCalendlyProcessing(ProviderCase):

    def test_invitee_created_books_like_the_website(self):
        row = self.deliver("calendly", "calendly_invitee_created")
        self.assertEqual(row.state, "done", row.last_error)
        booking = row.booking_id
        self.assertTrue(booking)
        self.assertEqual(booking.source, "calendly")
        self.assertEqual(booking.consultant_id, self.anna, "found by the host's email (event membership)")
        self.assertEqual(booking.start, datetime(2026, 3, 10, 9, 0))
        self.assertEqual(booking.stop, datetime(2026, 3, 10, 9, 30))
        self.assertEqual(booking.duration, 30)
        self.assertEqual((booking.first_name, booking.last_name), ("Lena", "Fischer"))
        self.assertEqual(booking.email, "lena.fischer@stadtwerke-nord.example")
        self.assertEqual(booking.phone, "+49 40 1234567")
        self.assertEqual(booking.company, "Stadtwerke Nord")
        self.assertIn("Heat pumps for our three bus depots", booking.message)
        self.assertIn("How did you hear about us?: Through a colleague", booking.message)
        self.assertEqual(booking.client_tz, "Europe/Berlin")
        self.assertEqual(booking.meeting_type, "video")
        self.assertEqual(booking.location, "https://us06web.zoom.us/j/84512367890?pwd=Vm9sdGFpY0NvbnN1bHQ",
                         "the provider's meeting link, not the consultant's default")
        self.assertEqual((booking.external_provider, booking.external_uid, booking.external_event_id),
                         ("calendly", LENA_UID, "5e8b2a1c-3d4f-4a6b-9c7d-8e9f0a1b2c3d"))
        self.assertEqual(booking.external_reschedule_url, f"https://calendly.com/reschedulings/{LENA_UID}")
        self.assertFalse(booking.conflict)
        self.assertFalse(booking.terms_accepted, "provider bookings need no consents of ours")
        # the same service as the website: partner, opportunity, calendar event
        self.assertEqual(booking.partner_id.email, "lena.fischer@stadtwerke-nord.example")
        self.assertEqual(booking.lead_id.type, "opportunity")
        self.assertEqual(booking.lead_id.user_id, self.anna.user_id)
        self.assertEqual(booking.event_id.videocall_location, booking.location)
        self.assertIn(self.anna.partner_id, booking.event_id.partner_ids)

    def test_replayed_delivery_books_once(self):
        first = self.deliver("calendly", "calendly_invitee_created")
        data, raw = fixture("calendly_invitee_created")
        again, is_new = self.inbox._receive("calendly", data, raw)
        self.assertFalse(is_new)
        self.assertEqual(again, first)
        self.inbox._process_due()
        # the same change under another delivery key (a retry with a new timestamp) is not applied twice either
        retried = copy.deepcopy(data)
        retried["created_at"] = "2026-03-02T08:19:51.000000Z"
        row = self.deliver("calendly", retried)
        self.assertEqual(row.state, "done")
        self.assertEqual(row.booking_id, first.booking_id)
        self.assertEqual(len(self.provider_bookings("calendly")), 1)
        self.assertEqual(self.env["crm.lead"].search_count([("email_from", "=", data["payload"]["email"])]), 1)

    def test_cancel_then_create_out_of_order(self):
        cancel = self.deliver("calendly", "calendly_invitee_canceled")
        self.assertEqual(cancel.state, "done")
        self.assertFalse(self.provider_bookings("calendly"), "nothing to cancel yet")
        create = self.deliver("calendly", "calendly_invitee_created")
        self.assertEqual(create.state, "done")
        self.assertFalse(self.provider_bookings("calendly"),
                         "a meeting cancelled before its booking arrived is never booked")
        self.assertFalse(self.env["crm.lead"].search([("email_from", "=", "lena.fischer@stadtwerke-nord.example")]))

    def test_create_then_cancel(self):
        booking = self.deliver("calendly", "calendly_invitee_created").booking_id
        row = self.deliver("calendly", "calendly_invitee_canceled")
        self.assertEqual(row.state, "done")
        self.assertEqual(row.booking_id, booking)
        self.assertEqual(booking.state, "cancelled")
        self.assertIn("Our board meeting moved", booking.cancellation_reason)
        self.assertFalse(booking.event_id.active, "the meeting is archived with the booking")

    def test_reschedule_moves_the_booking(self):
        booking = self.deliver("calendly", "calendly_invitee_created").booking_id
        sequence = booking.ics_sequence
        cancel_half = self.deliver("calendly", "calendly_rescheduled_canceled")
        self.assertEqual(cancel_half.state, "done")
        self.assertEqual(booking.state, "confirmed", "the cancel half of a reschedule does not cancel")
        created_half = self.deliver("calendly", "calendly_rescheduled_created")
        self.assertEqual(created_half.state, "done", created_half.last_error)
        self.assertEqual(created_half.booking_id, booking, "moved, not a second booking")
        self.assertEqual(booking.state, "confirmed")
        self.assertEqual(booking.start, datetime(2026, 3, 12, 13, 0))
        self.assertEqual(booking.event_id.start, datetime(2026, 3, 12, 13, 0))
        self.assertEqual(booking.external_uid, LENA_NEW_UID)
        self.assertEqual(booking.location, "https://us06web.zoom.us/j/84598765432?pwd=TmV1ZXJUZXJtaW4")
        self.assertEqual(booking.ics_sequence, sequence + 1)
        self.assertEqual(len(self.provider_bookings("calendly")), 1)

    def test_an_erased_client_stays_erased_when_the_provider_writes_again(self):
        """The client erased their data; the provider's later deliveries about that booking (a reschedule,
        a replay of the create) bring nothing back, and the stored deliveries lose the client's details."""
        created = self.deliver("calendly", "calendly_invitee_created")
        booking = created.booking_id
        booking._erase_client_data()
        self.assertEqual(booking.state, "cancelled")
        self.assertEqual(created.payload, "{}")
        for name in ("calendly_rescheduled_canceled", "calendly_rescheduled_created", "calendly_invitee_created"):
            row = self.deliver("calendly", name)
            self.assertEqual(row.state, "done", row.last_error)
        bookings = self.provider_bookings("calendly")
        self.assertEqual(bookings, booking, "no booking made again from the provider's details")
        self.assertEqual(booking.first_name, "Erased client")
        self.assertFalse(self.env["voltaic.booking"].search_count(
            [("email", "=", "lena.fischer@stadtwerke-nord.example")]))
        rows = self.env["voltaic.webhook.inbox"].search([("booking_id", "=", booking.id)])
        self.assertTrue(rows)
        self.assertEqual(set(rows.mapped("payload")), {"{}"})

    def test_reschedule_halves_in_any_order(self):
        """New invitee first, then the old invitee's cancel, then (late) the original create."""
        orders = [
            ["calendly_invitee_created", "calendly_rescheduled_created", "calendly_rescheduled_canceled"],
            ["calendly_rescheduled_canceled", "calendly_invitee_created", "calendly_rescheduled_created"],
            ["calendly_rescheduled_created", "calendly_rescheduled_canceled", "calendly_invitee_created"],
            ["calendly_rescheduled_canceled", "calendly_rescheduled_created", "calendly_invitee_created"],
        ]
        for order in orders:
            with self.subTest(order=order), self.env.cr.savepoint() as savepoint:
                for name in order:
                    row = self.deliver("calendly", name)
                    self.assertEqual(row.state, "done", row.last_error)
                bookings = self.provider_bookings("calendly")
                self.assertEqual(len(bookings), 1)
                self.assertEqual(bookings.state, "confirmed")
                self.assertEqual(bookings.start, datetime(2026, 3, 12, 13, 0))
                self.assertEqual(bookings.external_uid, LENA_NEW_UID)
                savepoint.rollback()

    def test_no_show_and_its_removal(self):
        booking = self.deliver("calendly", "calendly_invitee_created").booking_id
        with freeze_time("2026-03-10 09:45:00"):
            row = self.deliver("calendly", "calendly_no_show_created")
            self.assertEqual(row.state, "done")
            self.assertEqual(booking.state, "no_show")
        with freeze_time("2026-03-10 11:06:00"):
            row = self.deliver("calendly", "calendly_no_show_deleted")
            self.assertEqual(row.state, "done")
            self.assertEqual(booking.state, "completed", "the meeting is over: it took place after all")

    @mute_logger("odoo.addons.voltaic_booking_calendly.models.webhook_inbox")
    def test_no_show_before_its_booking_waits_and_applies(self):
        row = self.deliver("calendly", "calendly_no_show_created")
        self.assertEqual(row.state, "pending", "retried: the booking may still arrive")
        self.assertEqual(row.attempts, 1)
        self.assertEqual(row.next_attempt_at, datetime(2026, 3, 2, 8, 16))
        booking = self.deliver("calendly", "calendly_invitee_created").booking_id
        # the retry after the meeting began (a no-show is only recorded once the meeting started)
        with freeze_time("2026-03-10 11:06:00"):
            self.inbox._process_due()
        self.assertEqual(row.state, "done")
        self.assertEqual(booking.state, "no_show")

    @mute_logger("odoo.addons.voltaic_booking_calendly.models.webhook_inbox")
    def test_unknown_host_fails_visibly_and_reprocesses_after_mapping(self):
        data, _raw = fixture("calendly_invitee_created")
        data["payload"]["scheduled_event"]["event_memberships"][0]["user_email"] = "anna@private-mail.example"
        row = self.deliver("calendly", data)
        self.assertEqual(row.state, "failed", "no retries: only a person can fix it")
        self.assertIn("anna@private-mail.example", row.last_error)
        self.assertFalse(self.provider_bookings("calendly"))
        self.assertIn(row, self.inbox.with_user(self.manager).search([("state", "=", "failed")]),
                      "managers see failed deliveries")
        self.env["voltaic.provider.mapping"].create({
            "provider": "calendly",
            "event_type_ref": "https://api.calendly.com/event_types/2c7e9b1d-5f3a-4c8e-a1b2-c3d4e5f6a7b8",
            "consultant_id": self.anna.id,
        })
        row.with_user(self.manager).action_reprocess()
        self.assertEqual(row.state, "done", row.last_error)
        self.assertEqual(row.booking_id.consultant_id, self.anna)

    def test_mapping_wins_over_the_host_email(self):
        self.env["voltaic.provider.mapping"].create({
            "provider": "calendly", "host_email": ANNA_EMAIL.upper(), "consultant_id": self.james.id,
        })
        row = self.deliver("calendly", "calendly_invitee_created")
        self.assertEqual(row.booking_id.consultant_id, self.james)

    def test_overlap_with_a_native_booking_is_recorded_as_a_conflict(self):
        self.anna.team_id = self.env["crm.team"].create({"name": "VB p8 team", "user_id": self.manager.id})
        native = self.bookings._book({
            "consultant_id": self.anna.id, "start": datetime(2026, 3, 10, 9, 0), "duration": 60,
            "meeting_type": "video", "first_name": "Tom", "last_name": "Native", "email": "tom@native.example",
            "source": "backend",
        })
        row = self.deliver("calendly", "calendly_invitee_created")
        self.assertEqual(row.state, "done", row.last_error)
        booking = row.booking_id
        self.assertTrue(booking.conflict)
        self.assertEqual(booking.state, "confirmed")
        self.assertEqual(native.state, "confirmed", "the native booking is kept too")
        activity = booking.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.manager)
        self.assertIn(native.reference, str(activity.note))
        with self.assertRaises(UserError):
            booking.with_user(self.manager).action_clear_conflict()
        native.action_cancel()
        # the conflicting booking still counts as busy time for the website
        slots = self.anna._get_slots(
            datetime(2026, 3, 10, 8, tzinfo=UTC), datetime(2026, 3, 10, 12, tzinfo=UTC), 30)[self.anna.id]
        starts = [start for start, _end in slots]
        self.assertNotIn(datetime(2026, 3, 10, 9, 0, tzinfo=UTC), starts)
        self.assertIn(datetime(2026, 3, 10, 10, 0, tzinfo=UTC), starts, "the cancelled native time is free again")
        booking.with_user(self.manager).action_clear_conflict()
        self.assertFalse(booking.conflict)
        self.assertFalse(booking.activity_ids)

    def test_native_booking_racing_in_is_caught_by_the_constraint(self):
        """A native booking committed between our overlap check and our insert: the database says so."""
        self.bookings._book({
            "consultant_id": self.anna.id, "start": datetime(2026, 3, 10, 9, 0), "duration": 30,
            "first_name": "Tom", "last_name": "Native", "email": "tom@native.example", "source": "backend",
        })
        booking_class = type(self.bookings)
        with patch.object(booking_class, "_overlapping_bookings", lambda *args, **kwargs: self.bookings.browse()):
            row = self.deliver("calendly", "calendly_invitee_created")
        self.assertEqual(row.state, "done", row.last_error)
        self.assertTrue(row.booking_id.conflict)

    def test_reschedule_onto_a_native_booking_is_flagged(self):
        booking = self.deliver("calendly", "calendly_invitee_created").booking_id
        native = self.bookings._book({
            "consultant_id": self.anna.id, "start": datetime(2026, 3, 12, 13, 0), "duration": 60,
            "first_name": "Tom", "last_name": "Native", "email": "tom@native.example", "source": "backend",
        })
        self.deliver("calendly", "calendly_rescheduled_canceled")
        self.deliver("calendly", "calendly_rescheduled_created")
        self.assertEqual(booking.start, datetime(2026, 3, 12, 13, 0), "moved all the same")
        self.assertTrue(booking.conflict)
        self.assertEqual(native.state, "confirmed")
        # a provider booking moves in the provider only (issue 15): the manager moves the native one instead
        with self.assertRaises(UserError):
            booking._reschedule(datetime(2026, 3, 12, 15, 0, tzinfo=UTC))
        native._reschedule(datetime(2026, 3, 12, 15, 0, tzinfo=UTC))
        booking.with_user(self.manager).action_clear_conflict()
        self.assertFalse(booking.conflict)

    def test_outside_working_hours_and_notice_is_still_recorded(self):
        data, _raw = fixture("calendly_invitee_created")
        event = data["payload"]["scheduled_event"]
        event["start_time"], event["end_time"] = "2026-03-07T20:00:00.000000Z", "2026-03-07T20:45:00.000000Z"
        self.anna.is_accepting_bookings = False
        booking = self.deliver("calendly", data).booking_id
        self.assertTrue(booking, "a Saturday-evening, 45-minute meeting agreed in Calendly is recorded")
        self.assertEqual(booking.duration, 45)
        self.assertFalse(booking.conflict, "nothing overlaps it")

    @mute_logger("odoo.addons.voltaic_booking_calendly.models.webhook_inbox")
    def test_a_failure_is_retried_with_backoff_and_then_succeeds(self):
        booking_class = type(self.bookings)
        original = booking_class._book
        calls = []

        def flaky_book(model, values):
            calls.append(values["email"])
            if len(calls) == 1:
                raise psycopg2.OperationalError("server closed the connection unexpectedly")
            return original(model, values)

        with patch.object(booking_class, "_book", flaky_book):
            row = self.deliver("calendly", "calendly_invitee_created")
            self.assertEqual(row.state, "pending")
            self.assertEqual(row.attempts, 1)
            self.assertIn("server closed the connection", row.last_error)
            self.assertEqual(row.next_attempt_at, datetime(2026, 3, 2, 8, 16))
            self.assertFalse(self.provider_bookings("calendly"), "nothing half-done is left behind")
            self.inbox._process_due()
            self.assertEqual(len(calls), 1, "not before its time")
            with freeze_time("2026-03-02 08:16:30"):
                self.inbox._process_due()
        self.assertEqual(row.state, "done")
        self.assertFalse(row.last_error)
        self.assertEqual(len(self.provider_bookings("calendly")), 1)

    @mute_logger("odoo.addons.voltaic_booking_calendly.models.webhook_inbox")
    def test_after_the_last_try_the_delivery_fails(self):
        booking_class = type(self.bookings)

        def broken_book(model, values):
            raise psycopg2.OperationalError("the database is in recovery mode")

        with patch.object(booking_class, "_book", broken_book):
            row = self.deliver("calendly", "calendly_invitee_created")
            waits = []
            moment = datetime(2026, 3, 2, 8, 15)
            while row.state == "pending":
                waits.append(row.next_attempt_at - moment)
                moment = row.next_attempt_at
                with freeze_time(moment):
                    self.inbox._process_due()
        self.assertEqual(waits, [timedelta(minutes=minutes) for minutes in (1, 2, 4, 8)], "exponential backoff")
        self.assertEqual(row.state, "failed")
        self.assertEqual(row.attempts, 5)
        self.assertIn("recovery mode", row.last_error)

    def test_unknown_event_type_is_ignored(self):
        row = self.deliver("calendly", {
            "created_at": "2026-03-02T08:20:00.000000Z", "event": "routing_form_submission.created",
            "payload": {"uri": "https://api.calendly.com/routing_form_submissions/abc"}})
        self.assertEqual(row.state, "ignored")
        self.assertFalse(self.provider_bookings("calendly"))

    def test_provider_confirmation_setting(self):
        booking = self.deliver("calendly", "calendly_invitee_created").booking_id
        self.assertFalse(booking._skip_client_confirmation())
        self.env["ir.config_parameter"].sudo().set_param("voltaic_booking.provider_skip_confirmation", "True")
        self.assertTrue(booking._skip_client_confirmation())
        native = self.bookings._book({
            "consultant_id": self.james.id, "start": datetime(2026, 3, 11, 9, 0), "duration": 30,
            "first_name": "Tom", "last_name": "Native", "email": "tom@native.example", "source": "backend",
        })
        self.assertFalse(native._skip_client_confirmation(), "our own bookings are always confirmed by us")


@tagged("post_install", "-at_install")
@freeze_time("2026-03-02 09:32:00")
class TestCalcomProcessing(ProviderCase):

    def test_booking_created(self):
        row = self.deliver("calcom", "calcom_booking_created")
        self.assertEqual(row.state, "done", row.last_error)
        booking = row.booking_id
        self.assertEqual(booking.source, "calcom")
        self.assertEqual(booking.consultant_id, self.james, "found by the organizer's email")
        self.assertEqual((booking.start, booking.duration), (datetime(2026, 3, 11, 14, 0), 60))
        self.assertEqual((booking.first_name, booking.last_name, booking.company), ("Tom", "Baker", "Baker Logistics"))
        self.assertEqual(booking.phone, "+44 20 7946 0321")
        self.assertEqual(booking.location, "https://meet.google.com/abc-defg-hij")
        self.assertEqual(booking.external_uid, TOM_UID)
        self.assertEqual(booking.external_event_type, "energy-consultation-60")
        self.assertEqual(booking.message, "We run 40 vans from two sites and want to plan charging.")

    def test_rescheduled_moves_and_cancelled_cancels(self):
        booking = self.deliver("calcom", "calcom_booking_created").booking_id
        row = self.deliver("calcom", "calcom_booking_rescheduled")
        self.assertEqual(row.booking_id, booking)
        self.assertEqual(booking.start, datetime(2026, 3, 13, 10, 0))
        self.assertEqual(booking.external_uid, TOM_NEW_UID)
        self.assertEqual(len(self.provider_bookings("calcom")), 1)
        # a late cancel of the old uid does not touch the moved booking
        self.deliver("calcom", "calcom_booking_cancelled")
        self.assertEqual(booking.state, "confirmed")
        cancel_new, _raw = fixture("calcom_booking_cancelled")
        cancel_new["payload"]["uid"] = TOM_NEW_UID
        self.deliver("calcom", cancel_new)
        self.assertEqual(booking.state, "cancelled")
        self.assertIn("in-house solution", booking.cancellation_reason)

    def test_rescheduled_before_created(self):
        row = self.deliver("calcom", "calcom_booking_rescheduled")
        self.assertEqual(row.state, "done", row.last_error)
        late = self.deliver("calcom", "calcom_booking_created")
        self.assertEqual(late.state, "done")
        bookings = self.provider_bookings("calcom")
        self.assertEqual(len(bookings), 1, "the late original is recognised as rescheduled")
        self.assertEqual(bookings.start, datetime(2026, 3, 13, 10, 0))

    def test_no_show_and_meeting_ended(self):
        booking = self.deliver("calcom", "calcom_booking_created").booking_id
        with freeze_time("2026-03-11 15:01:00"):
            self.deliver("calcom", "calcom_meeting_ended")
        self.assertEqual(booking.state, "completed")
        with freeze_time("2026-03-11 15:13:00"):
            self.deliver("calcom", "calcom_no_show_updated")
        self.assertEqual(booking.state, "no_show")
        unmark, _raw = fixture("calcom_no_show_updated")
        unmark["createdAt"] = "2026-03-11T16:02:10.118Z"
        unmark["payload"]["attendees"][0]["noShow"] = False
        unmark["payload"]["message"] = "tom.baker@baker-logistics.example unmarked as no-show"
        with freeze_time("2026-03-11 16:03:00"):
            self.deliver("calcom", unmark)
        self.assertEqual(booking.state, "completed")


@tagged("post_install", "-at_install")
class TestLinkedScheduling(ProviderCase):

    def test_scheduling_link(self):
        self.anna.scheduling_url = "https://calendly.com/anna-weber-voltaic/consultation"
        self.assertEqual(self.anna.scheduling_provider, "calendly")
        url = self.anna._scheduling_embed_url(
            {"name": "Lena Fischer", "email": "lena@example.com", "company": "Stadtwerke Nord"}, "voltaic.example")
        self.assertTrue(url.startswith("https://calendly.com/anna-weber-voltaic/consultation?"))
        self.assertIn("name=Lena+Fischer", url)
        self.assertIn("email=lena%40example.com", url)
        self.assertIn("a1=Stadtwerke+Nord", url)
        self.assertIn("embed_domain=voltaic.example", url)
        self.james.scheduling_url = "https://cal.com/james-carter-voltaic/energy-consultation-60"
        self.assertEqual(self.james.scheduling_provider, "calcom")
        self.assertIn("notes=Vans", self.james._scheduling_embed_url({"message": "Vans"}))
        with self.assertRaises(ValidationError):
            self.james.scheduling_url = "https://evil.example.com/cal"
