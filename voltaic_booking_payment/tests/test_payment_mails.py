"""The client hears every payment outcome, in their language: time released unpaid, refund on its way
(after a cancellation or a late payment), refund by hand; the cancellation e-mail of a paid booking says
what the cancellation policy gave."""

from datetime import timedelta

from odoo.tests import freeze_time, tagged
from odoo.tools import file_open, html2plaintext
from odoo.tools.misc import format_amount
from odoo.tools.translate import TranslationImporter

from .test_payments import TUESDAY_10, PaymentCase
from odoo.addons.mail.tests.common import MockEmail
from odoo.addons.voltaic_booking.tests.common import NOW
from odoo.addons.voltaic_booking.tests.notification_common import load_german


@tagged("post_install", "-at_install")
@freeze_time(NOW)
class TestPaymentOutcomeMails(PaymentCase, MockEmail):

    def mail(self, booking, kind):
        """The client's e-mail ``kind`` of ``booking`` (rendered), as plain text with its subject."""
        logs = booking.email_log_ids.filtered(lambda log: log.kind == kind)
        self.assertEqual(len(logs), 1, f"one {kind} e-mail")
        mail = logs.mail_id
        self.assertEqual(mail.email_to, f'"{booking.client_name}" <{booking.email}>')
        return mail.subject, " ".join(html2plaintext(mail.body_html).replace("*", "").split())

    def amount(self, booking, value=120.0):
        return format_amount(self.env, value, booking.currency_id).replace("\xa0", " ")

    def kinds(self, booking):
        return sorted(booking.email_log_ids.mapped("kind"))

    def _paid_and_done(self, **values):
        booking = self._paid(**values)
        self._simulate(self._transaction(booking), "done")
        return booking

    def test_a_hold_that_expires_unpaid_tells_the_client(self):
        booking = self._paid()
        self._transaction(booking)
        with freeze_time(NOW + timedelta(minutes=20)):
            self.env["voltaic.booking"]._cron_release_expired_holds()
        self.assertEqual(booking.state, "abandoned")
        subject, body = self.mail(booking, "client_payment_released")
        self.assertEqual(subject, f"Not booked: your consultation with VBT Anja Berger ({booking.reference})")
        self.assertIn("the payment did not arrive in time, so the time is not booked and is free again", body)
        self.assertIn("Nothing was charged.", body)
        self.assertIn("Book again", body)

    def test_a_failed_payment_tells_the_client(self):
        booking = self._paid()
        self._simulate(self._transaction(booking), "error")
        self.assertEqual(booking.state, "payment_failed")
        _subject, body = self.mail(booking, "client_payment_released")
        self.assertIn("did not go through, so the time is not booked", body)

    def test_a_client_who_cancels_the_hold_is_not_told_it_was_released(self):
        booking = self._paid()
        booking.with_context(voltaic_client_cancel=True).action_cancel("Changed my mind")
        self.assertEqual(booking.state, "abandoned")
        self.assertNotIn("client_payment_released", self.kinds(booking))

    def test_a_cancellation_in_time_says_refunded_and_the_refund_mail_follows(self):
        booking = self._paid_and_done()
        booking.with_context(voltaic_client_cancel=True).action_cancel("Plans changed")
        self.assertEqual((booking.state, booking.cancellation_refund), ("refunded", "full"))
        _subject, cancellation = self.mail(booking, "client_cancellation")
        self.assertIn(f"You paid {self.amount(booking)}.", cancellation)
        self.assertIn("cancelled at least 24 hours before the start, it is refunded in full", cancellation)
        subject, refund = self.mail(booking, "client_refund")
        self.assertEqual(subject, f"Refund: your consultation with VBT Anja Berger ({booking.reference})")
        self.assertIn("was cancelled in time for a full refund", refund)
        self.assertIn(f"We are refunding {self.amount(booking)} to your payment method", refund)
        self.assertIn("to your payment method (Demo)", refund)
        self.assertIn("within 5 to 10 business days", refund)

    def test_a_late_cancellation_states_the_policy_and_refunds_nothing(self):
        booking = self._paid_and_done()
        with freeze_time(TUESDAY_10 - timedelta(hours=3)):
            booking.with_context(voltaic_client_cancel=True).action_cancel("Too late")
        self.assertEqual((booking.state, booking.cancellation_refund), ("cancelled", "none"))
        _subject, cancellation = self.mail(booking, "client_cancellation")
        self.assertIn("cancelled less than 24 hours before the start, it is not refunded. Cancellation policy: "
                      "Cancel at least 24 hours before the start and your payment is refunded in full", cancellation)
        self.assertNotIn("client_refund", self.kinds(booking))

    def test_a_free_consultation_cancelled_says_nothing_of_money(self):
        booking = self._book(TUESDAY_10, duration=30, source="website")
        booking.action_cancel()
        _subject, cancellation = self.mail(booking, "client_cancellation")
        self.assertNotIn("You paid", cancellation)
        self.assertNotIn("refund", cancellation.lower())

    def test_a_late_payment_for_a_taken_slot_is_refunded_and_the_client_told_why(self):
        booking = self._paid()
        transaction = self._transaction(booking)
        with freeze_time(NOW + timedelta(minutes=20)):
            self._paid(email="tom.baker@vbt-client.example")
            self._simulate(transaction, "done")
        self.assertEqual(booking.state, "refunded")
        _subject, refund = self.mail(booking, "client_refund")
        self.assertIn("arrived after the time had been given to someone else, so we refund it in full", refund)
        self.assertIn(f"We are refunding {self.amount(booking)} to your payment method", refund)

    def test_a_refund_that_cannot_be_made_automatically_says_what_happens_next(self):
        booking = self._paid_and_done()
        self.provider.support_refund = "none"
        booking.with_context(voltaic_client_cancel=True).action_cancel()
        self.assertEqual(booking.refund_state, "manual")
        subject, body = self.mail(booking, "client_refund_manual")
        self.assertEqual(subject, f"Your refund: consultation with VBT Anja Berger ({booking.reference})")
        self.assertIn(f"We owe you a refund of {self.amount(booking)} for your consultation", body)
        self.assertIn("cannot be refunded automatically, so our team refunds you by hand within 5 business days",
                      body)
        self.assertNotIn("client_refund", self.kinds(booking))

    def test_in_german(self):
        load_german(self.env)
        importer = TranslationImporter(self.env.cr, verbose=False)
        with file_open("voltaic_booking_payment/i18n/de.po", "rb") as po_file:
            importer.load(po_file, "po", "de_DE")
        importer.save(overwrite=True, force_overwrite=True)
        booking = self._paid_and_done(language="de")
        booking.with_context(voltaic_client_cancel=True).action_cancel("Termin passt nicht")
        subject, refund = self.mail(booking, "client_refund")
        self.assertEqual(subject, f"Erstattung: Ihre Beratung mit VBT Anja Berger ({booking.reference})")
        self.assertIn("wurde rechtzeitig für eine volle Erstattung abgesagt", refund)
        self.assertIn("5 bis 10 Werktagen", refund)
        _subject, cancellation = self.mail(booking, "client_cancellation")
        german_amount = format_amount(self.env(context={"lang": "de_DE"}), 120.0, booking.currency_id)
        self.assertIn(f"Sie haben {german_amount.replace(chr(160), ' ')}", cancellation)
        self.assertIn("in voller Höhe erstattet", cancellation)
