"""Paid consultations with Odoo's demo payment provider (payment_demo): hold, pay, release, refund.

``payment_demo`` is installed next to the addon by ./run-tests (VB_WITH_MODULES). The payment
itself goes through the real routes: our transaction route creates the transaction, the demo
provider's simulation route processes it, ``/payment/status/poll`` post-processes it.
"""

import json
import unittest
from datetime import datetime, timedelta, timezone

from odoo import SUPERUSER_ID, Command, api
from odoo.exceptions import UserError
from odoo.tests import BaseCase, HttpCase, freeze_time, tagged

from odoo.addons.voltaic_booking.exceptions import SlotUnavailableError
from odoo.addons.voltaic_booking.tests.common import NOW, VoltaicBookingCase, local
from odoo.addons.voltaic_booking.tests.test_concurrency import ConcurrencyMixin

UTC = timezone.utc

MONDAY_10 = local("Europe/Berlin", 2027, 3, 1, 10, 0)
TUESDAY_10 = local("Europe/Berlin", 2027, 3, 2, 10, 0)


class PaymentCase(VoltaicBookingCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if not cls.env["ir.module.module"].search_count([("name", "=", "payment_demo"), ("state", "=", "installed")]):
            raise unittest.SkipTest("payment_demo is not installed in this database (./run-tests installs it)")
        cls.consultant.duration_ids.filtered(lambda line: line.duration == 60).price = 120.0
        cls.provider = cls.env.ref("payment.payment_provider_demo")
        cls.provider.write({"state": "test", "is_published": True})
        cls.method = cls.env.ref("payment_demo.payment_method_demo")
        cls.env["ir.config_parameter"].sudo().set_param("voltaic_booking.payment_hold_minutes", "15")
        cls.env["ir.config_parameter"].sudo().set_param("voltaic_booking.refund_window_hours", "24")

    def _free_starts(self, day_start, now=NOW):
        """Free 60-minute starts of the consultant on the day of ``day_start``."""
        return [start for start, _end in self._slots(self.consultant, day_start - timedelta(hours=2),
                                                     day_start + timedelta(hours=10), 60, now=now)]

    def _paid(self, start=TUESDAY_10, **values):
        return self._book(start, duration=60, source="website", **values)

    def _transaction(self, booking):
        return self.env["payment.transaction"].sudo().create({
            "provider_id": self.provider.id,
            "payment_method_id": self.method.id,
            "amount": booking.amount,
            "currency_id": booking.currency_id.id,
            "partner_id": booking.partner_id.id,
            "reference": self.env["payment.transaction"]._compute_reference(
                "demo", voltaic_booking_ids=[Command.set(booking.ids)]),
            "voltaic_booking_ids": [Command.set(booking.ids)],
        })

    def _simulate(self, transaction, state):
        """What the demo provider's form does: process the simulated answer, then post-process."""
        transaction._process("demo", {"reference": transaction.reference, "simulated_state": state})
        transaction._post_process()


@tagged("post_install", "-at_install")
@freeze_time(NOW)
class TestPaidConsultations(PaymentCase):

    def test_free_consultations_are_confirmed_at_once(self):
        booking = self._book(TUESDAY_10, duration=30, source="website")
        self.assertEqual((booking.state, booking.amount), ("confirmed", 0.0))
        self.assertTrue(booking.event_id)

    def test_a_price_on_a_duration_line_makes_the_booking_paid(self):
        thirty = self.consultant.duration_ids.filtered(lambda line: line.duration == 30)
        self.assertEqual(self.consultant._price_for(30), 0.0)
        thirty.price = 45.0
        self.assertEqual(thirty.currency_id, self.consultant.company_id.currency_id)
        self.assertEqual((self.consultant._price_for(30), self.consultant._price_for(60)), (45.0, 120.0))
        self.assertEqual(self.consultant._price_for(90), 0.0, "no line, no price")
        booking = self._book(TUESDAY_10, duration=30, source="website")
        self.assertEqual((booking.state, booking.amount), ("pending_payment", 45.0))
        thirty.active = False
        self.assertEqual(self.consultant._price_for(30), 0.0, "an archived line is not offered, nor priced")

    def test_paid_booking_holds_the_slot_without_confirming(self):
        booking = self._paid()
        self.assertEqual(booking.state, "pending_payment")
        self.assertEqual(booking.amount, 120.0)
        self.assertEqual(booking.hold_expires_at, NOW.replace(tzinfo=None) + timedelta(minutes=15))
        self.assertFalse(booking.event_id, "the meeting waits for the payment")
        self.assertFalse(booking.email_log_ids, "no confirmation before the payment")
        self.assertFalse(self.env["mail.mail"].search([("model", "=", "voltaic.booking"), ("res_id", "=", booking.id)]),
                         "no confirmation before the payment")
        # the held slot is not offered, and the database refuses a second booking on it
        self.assertNotIn(TUESDAY_10, self._free_starts(TUESDAY_10))
        with self.assertRaises(SlotUnavailableError):
            self._paid(email="tom.baker@vbt-client.example")

    def test_payment_done_confirms_with_meeting_lead_and_receipt(self):
        booking = self._paid()
        lead = booking.lead_id
        transaction = self._transaction(booking)
        self.assertTrue(transaction.reference.startswith(booking.reference))
        self._simulate(transaction, "done")
        self.assertEqual(booking.state, "confirmed")
        self.assertEqual(booking.amount_paid, 120.0)
        self.assertFalse(booking.hold_expires_at)
        self.assertTrue(booking.event_id)
        self.assertEqual(booking.event_id.start, booking.start)
        self.assertEqual(lead.expected_revenue, 120.0)
        self.assertIn(transaction.reference, " ".join(booking.message_ids.mapped("body")))
        # the confirmation e-mail carries the receipt (rendered by the e-mail job after the commit)
        self.env["voltaic.booking"]._cron_prepare_emails()
        mail = self.env["mail.mail"].search([("model", "=", "voltaic.booking"), ("res_id", "=", booking.id),
                                             ("email_to", "ilike", booking.email)], limit=1) \
            or self.env["mail.mail"].search([("model", "=", "voltaic.booking"), ("res_id", "=", booking.id)], limit=1)
        self.assertTrue(mail, "the confirmation goes out once paid")
        self.assertIn("120", mail.body_html)
        # the same payment seen again changes nothing
        transaction._post_process()
        self.assertEqual((booking.state, lead.expected_revenue), ("confirmed", 120.0))

    def test_payment_failure_frees_the_slot(self):
        booking = self._paid()
        self._simulate(self._transaction(booking), "error")
        self.assertEqual(booking.state, "payment_failed")
        self.assertIn(TUESDAY_10, self._free_starts(TUESDAY_10))
        other = self._paid(email="tom.baker@vbt-client.example")
        self.assertEqual(other.state, "pending_payment")

    def test_payment_cancelled_by_the_client_frees_the_slot(self):
        booking = self._paid()
        self._simulate(self._transaction(booking), "cancel")
        self.assertEqual(booking.state, "abandoned")
        self.assertIn(TUESDAY_10, self._free_starts(TUESDAY_10))

    def test_pending_then_done(self):
        booking = self._paid()
        transaction = self._transaction(booking)
        self._simulate(transaction, "pending")
        self.assertEqual((transaction.state, booking.state), ("pending", "pending_payment"))
        self._simulate(transaction, "done")
        self.assertEqual(booking.state, "confirmed")

    def test_hold_expiry_by_the_cron_and_by_the_next_client(self):
        booking = self._paid()
        transaction = self._transaction(booking)
        with freeze_time(NOW + timedelta(minutes=14)):
            self.env["voltaic.booking"]._cron_release_expired_holds()
            self.assertEqual(booking.state, "pending_payment")
        with freeze_time(NOW + timedelta(minutes=16)):
            # the slot is offered again before any cron ran ...
            self.assertIn(TUESDAY_10, self._free_starts(TUESDAY_10, now=NOW + timedelta(minutes=16)))
            # ... and the next client gets it: the service releases the expired hold first
            other = self._paid(email="tom.baker@vbt-client.example")
            self.assertEqual(other.state, "pending_payment")
            self.assertEqual(booking.state, "abandoned")
            self.assertEqual(transaction.state, "draft", "a payment still running is left to finish")
        other_booking = self._paid(MONDAY_10 + timedelta(days=2), email="ada@vbt-client.example")
        with freeze_time(NOW + timedelta(minutes=20)):
            self.env["voltaic.booking"]._cron_release_expired_holds()
        self.assertEqual(other_booking.state, "abandoned")

    def test_late_payment_retakes_a_free_slot(self):
        booking = self._paid()
        transaction = self._transaction(booking)
        with freeze_time(NOW + timedelta(minutes=20)):
            self.env["voltaic.booking"]._cron_release_expired_holds()
            self.assertEqual(booking.state, "abandoned")
            self._simulate(transaction, "done")
        self.assertEqual(booking.state, "confirmed")
        self.assertTrue(booking.event_id)
        self.assertEqual(booking.refund_state, "none")

    def test_late_payment_for_a_taken_slot_is_refunded(self):
        booking = self._paid()
        transaction = self._transaction(booking)
        with freeze_time(NOW + timedelta(minutes=20)):
            other = self._paid(email="tom.baker@vbt-client.example")
            self._simulate(transaction, "done")
        self.assertEqual(other.state, "pending_payment")
        self.assertEqual(booking.state, "refunded")
        self.assertEqual(booking.refund_state, "done")
        refund = booking.transaction_ids.filtered(lambda t: t.operation == "refund")
        self.assertEqual((refund.amount, refund.state), (-120.0, "done"))

    def test_client_cancellation_inside_the_refund_window_refunds(self):
        booking = self._paid()
        self._simulate(self._transaction(booking), "done")
        booking.with_context(voltaic_client_cancel=True).action_cancel("Plans changed")
        self.assertEqual(booking.state, "refunded")
        self.assertEqual((booking.refund_state, booking.amount_paid), ("done", 0.0))
        self.assertFalse(booking.event_id.active)

    def test_client_cancellation_outside_the_refund_window_is_not_refunded(self):
        booking = self._paid()
        self._simulate(self._transaction(booking), "done")
        with freeze_time(TUESDAY_10 - timedelta(hours=3)):
            self.assertFalse(booking._in_refund_window())
            booking.with_context(voltaic_client_cancel=True).action_cancel("Too late")
        self.assertEqual(booking.state, "cancelled")
        self.assertEqual((booking.refund_state, booking.amount_paid), ("none", 120.0))
        self.assertFalse(booking.transaction_ids.filtered(lambda t: t.operation == "refund"))
        self.assertIn("24 hours", booking._cancellation_policy())

    def test_provider_without_refunds_gives_the_manager_an_activity(self):
        booking = self._paid()
        self._simulate(self._transaction(booking), "done")
        self.provider.support_refund = "none"
        booking.with_context(voltaic_client_cancel=True).action_cancel()
        self.assertEqual((booking.state, booking.refund_state), ("cancelled", "manual"))
        self.assertTrue(booking.activity_ids.filtered(lambda a: "Refund" in (a.summary or "")))

    def test_invalid_transitions_are_refused(self):
        booking = self._paid()
        with self.assertRaises(UserError):
            booking.state = "completed"
        self._simulate(self._transaction(booking), "error")
        for state in ("pending_payment", "cancelled", "completed"):
            with self.assertRaises(UserError):
                booking.state = state
        self.assertEqual(booking.state, "payment_failed")

    def test_transitions_are_logged(self):
        booking = self._paid()
        self._simulate(self._transaction(booking), "done")
        tracked = booking.message_ids.tracking_value_ids.filtered(lambda t: t.field_id.name == "state")
        self.assertTrue(tracked, "the state change is in the chatter")

    def test_analysis_report_has_the_revenue(self):
        booking = self._paid()
        self._simulate(self._transaction(booking), "done")
        self.env.flush_all()
        rows = self.env["voltaic.booking.report"]._read_group(
            [("consultant_id", "=", self.consultant.id)], ["source"], ["revenue:sum"])
        self.assertEqual(dict(rows).get("website"), 120.0)


@tagged("post_install", "-at_install")
class TestPaymentPages(HttpCase, PaymentCase):
    """The pay page and the transaction route, with the real clock (HTTP requests)."""

    def _slot(self):
        now = datetime.now(UTC)
        free = self.consultant._get_slots(now + timedelta(days=2), now + timedelta(days=9), 60)[self.consultant.id]
        return free[0][0]

    def _jsonrpc(self, url, params):
        response = self.url_open(url, data=json.dumps({"jsonrpc": "2.0", "method": "call", "params": params}),
                                 headers={"Content-Type": "application/json"})
        self.assertEqual(response.status_code, 200, response.text)
        return response.json()

    def test_pay_page_token_and_transaction_route(self):
        booking = self._paid(self._slot())
        self.assertEqual(self.url_open(f"/book-consultation/pay/{booking.reference}?token=wrong").status_code, 404)
        page = self.url_open(f"/book-consultation/pay/{booking.reference}?token={booking.access_token}")
        self.assertEqual(page.status_code, 200)
        self.assertIn("o_payment_form", page.text)
        self.assertIn("120", page.text)
        # the confirmation page of an unpaid booking leads to the payment
        confirmed = self.url_open(f"/book-consultation/confirmed/{booking.reference}?token={booking.access_token}",
                                  allow_redirects=False)
        self.assertIn(f"/book-consultation/pay/{booking.reference}", confirmed.headers.get("Location", ""))

        params = {"provider_id": self.provider.id, "payment_method_id": self.method.id, "token_id": None,
                  "amount": 1.0, "flow": "direct", "tokenization_requested": False,
                  "landing_route": f"/book-consultation/confirmed/{booking.reference}?token={booking.access_token}"}
        refused = self._jsonrpc(f"/book-consultation/pay/{booking.reference}/transaction",
                                {**params, "access_token": "wrong"})
        self.assertIn("error", refused)
        answer = self._jsonrpc(f"/book-consultation/pay/{booking.reference}/transaction",
                               {**params, "access_token": booking.access_token})
        self.assertNotIn("error", answer, answer)
        transaction = booking.transaction_ids
        self.assertEqual(transaction.amount, 120.0, "the price is the booking's, not the request's")
        # the demo provider's form, then the status page's polling
        self._jsonrpc("/payment/demo/simulate_payment", {
            "reference": transaction.reference, "payment_details": "4242", "simulated_state": "done"})
        self._jsonrpc("/payment/status/poll", {})
        self.assertEqual(booking.state, "confirmed")
        self.assertEqual(transaction.state, "done")

    def test_start_over_keeps_the_details(self):
        booking = self._paid(self._slot(), company="Sharma Solar")
        self._simulate(self._transaction(booking), "error")
        page = self.url_open(f"/book-consultation/pay/{booking.reference}?token={booking.access_token}").text
        self.assertIn("o_vb_pay_restart", page)
        restart = self.url_open(
            f"/book-consultation?consultant={self.consultant.id}&restart={booking.reference}"
            f"&token={booking.access_token}").text
        self.assertIn(booking.email, restart)
        self.assertIn("Sharma Solar", restart)
        # without the token nothing is filled in
        stranger = self.url_open(f"/book-consultation?consultant={self.consultant.id}&restart={booking.reference}")
        self.assertNotIn(booking.email, stranger.text)

    def test_tour_paid_booking_with_the_demo_provider(self):
        self.consultant.duration_ids.price = 150.0  # 30 and 60 minutes
        self.start_tour(f"/book-consultation?consultant={self.consultant.id}", "voltaic_booking_paid", login=None)
        booking = self.env["voltaic.booking"].search([("email", "=", "paula.payer@example.com")])
        self.assertEqual(booking.state, "confirmed")
        self.assertEqual(booking.amount_paid, 150.0)
        transaction = booking.transaction_ids
        self.assertEqual((transaction.state, transaction.provider_id), ("done", self.provider))
        self.assertEqual(booking.lead_id.expected_revenue, 150.0)
        self.assertTrue(booking.event_id)

    def test_api_answers_a_paid_booking_with_its_payment_url(self):
        start = self._slot()
        payload = {**self._api_payload(start)}
        response = self.url_open("/api/consultations", json=payload, method="POST")
        self.assertEqual(response.status_code, 201, response.text)
        data = response.json()
        self.assertEqual(data["state"], "pending_payment")
        self.assertEqual(data["amount"], 120.0)
        self.assertIn(f"/book-consultation/pay/{data['reference']}?token=", data["payment_url"])
        booking = self.env["voltaic.booking"].search([("reference", "=", data["reference"])])
        self.assertEqual(booking.state, "pending_payment")

    def _api_payload(self, start):
        return {
            "consultant": self.consultant.id, "start": start.isoformat(), "duration": 60, "meeting_type": "video",
            "tz": "Europe/Berlin", "first_name": "Priya", "last_name": "Sharma", "email": "priya@vbt-client.example",
            "terms_accepted": True, "privacy_accepted": True,
        }


@tagged("post_install", "-at_install")
class TestPaidSlotRace(ConcurrencyMixin, BaseCase):
    """Two clients race for a paid slot with real concurrent transactions (see test_concurrency.py)."""

    consultant_values = {"duration_ids": [Command.create({"duration": 30, "price": 80.0})]}

    def _booking(self, booking_id):
        with self.registry.cursor() as cr:
            booking = api.Environment(cr, SUPERUSER_ID, {})["voltaic.booking"].browse(booking_id)
            return booking.state, booking.amount

    def test_the_second_client_gets_the_slot_only_after_the_hold_is_released(self):
        start, _later = self._free_slots_of_one_day()
        asha = self._service_values(start, "asha@vbt-client.example")
        ben = self._service_values(start, "ben@vbt-client.example")
        outcomes, _attempts = self._service_race(asha, ben)
        holds = [outcome for outcome in outcomes if isinstance(outcome, int)]
        refused = [outcome for outcome in outcomes if not isinstance(outcome, int)]
        self.assertEqual(len(holds), 1, outcomes)
        self.assertIsInstance(refused[0], SlotUnavailableError)
        self.assertEqual(self._booking(holds[0]), ("pending_payment", 80.0))
        first_email = asha["email"] if outcomes[0] == holds[0] else ben["email"]
        second = ben if first_email == asha["email"] else asha

        # while the first client pays, the second one keeps being refused
        outcomes, _attempts = self._service_race(second)
        self.assertIsInstance(outcomes[0], SlotUnavailableError)

        # the first payment fails: the hold is released (committed), and only now the second client gets it
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["voltaic.booking"].browse(holds[0])._payment_release("payment_failed", "Card declined")
        self.assertEqual(self._booking(holds[0])[0], "payment_failed")
        outcomes, _attempts = self._service_race(second)
        self.assertIsInstance(outcomes[0], int, outcomes)
        self.assertEqual(self._booking(outcomes[0]), ("pending_payment", 80.0))
