"""Fixtures of the notification and self-service tests: a Berlin consultant, German loaded, booking helpers."""

import os
from datetime import datetime, timedelta, timezone

from freezegun import freeze_time
from icalendar import Calendar

from odoo import Command
from odoo.tests import TransactionCase
from odoo.tools.translate import TranslationImporter

from .common import OFFICE_HOURS, make_calendar, make_consultant
from odoo.addons.mail.tests.common import MockEmail

UTC = timezone.utc

# Monday 2 March 2026, 07:00 UTC (08:00 in Berlin)
NOW = datetime(2026, 3, 2, 7, 0)
# Thursday 5 March 2026, 10:00 in Berlin
MEETING = datetime(2026, 3, 5, 9, 0)

ADDON_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GERMAN_PO_FILES = (
    os.path.join(ADDON_DIR, "i18n", "de.po"),
)


def aware(value):
    return value.replace(tzinfo=UTC)


def load_german(env):
    """Activate German and load the module's German translations (i18n/de.po)."""
    env["res.lang"]._activate_lang("de_DE")
    importer = TranslationImporter(env.cr, verbose=False)
    for path in GERMAN_PO_FILES:
        with open(path, "rb") as po_file:
            importer.load(po_file, "po", "de_DE")
    importer.save(overwrite=True, force_overwrite=True)  # the files win, even over noupdate templates


class NotificationCase(TransactionCase, MockEmail):
    """A consultant in Berlin on weekdays 9:00-17:00 (lunch 12-13), video calls, English and German clients."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        load_german(cls.env)
        cls.env["ir.config_parameter"].sudo().set_param("web.base.url", "https://book.example.com")
        for name in ("reminder_client_first_hours", "reminder_client_last_hours", "reminder_consultant_hours",
                     "feedback_delay_hours", "no_show_delay_hours", "auto_complete_minutes"):
            cls.env["ir.config_parameter"].sudo().set_param(f"voltaic_booking.{name}", False)
        cls.calendar = make_calendar(cls.env, "VB notifications weekdays", hours=OFFICE_HOURS)
        cls.consultant = make_consultant(
            cls.env, "Carla Consultant", "vb_notify_consultant", calendar=cls.calendar, email="carla@voltaic.example",
            user_values={"lang": "en_US"},
            job_title="Energy Consultant",
            duration_ids=[Command.create({"duration": 30}), Command.create({"duration": 60})],
            offers_video=True,
            video_url="https://meet.example.com/carla",
            min_notice_hours=1,
            max_advance_days=60,
            buffer_after_minutes=0,
            edit_deadline_hours=12,
        )
        cls.consultant_user = cls.consultant.user_id
        cls.company = cls.consultant.company_id or cls.env.company
        cls.company.write({"email": "hello@voltaic.example", "name": "Voltaic Energy"})

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    def book(self, start=MEETING, at=NOW, language="en", email="priya@sharma-solar.example", **values):
        """Book through the booking service at the (frozen) moment ``at``."""
        vals = {
            "consultant_id": self.consultant.id,
            "start": aware(start),
            "duration": 60,
            "meeting_type": "video",
            "client_tz": "Asia/Kolkata" if language == "en" else "Europe/Berlin",
            "first_name": "Priya" if language == "en" else "Lena",
            "last_name": "Sharma" if language == "en" else "Fischer",
            "email": email,
            "phone": "+91 22 1234 5678",
            "company": "Sharma Solar",
            "subject": "Solar roof for the warehouse",
            "message": "We would like to cover 2,000 m² of roof.",
            "language": language,
            "terms_accepted": True,
            "privacy_accepted": True,
            "source": "website",
        }
        vals.update(values)
        with freeze_time(at):
            booking = self.env["voltaic.booking"]._book(vals)
            self.prepare_emails()
            return booking

    def prepare_emails(self):
        """The e-mail job that runs right after a booking commits: claimed e-mails into the mail queue."""
        return self.env["voltaic.booking"]._cron_prepare_emails()

    def run_cron(self, at):
        with freeze_time(at):
            return self.env["voltaic.booking"]._cron_send_notifications()

    def logs(self, booking, kind=None):
        logs = booking.email_log_ids
        return logs.filtered(lambda log: log.kind == kind) if kind else logs

    def kinds(self, booking):
        return sorted(booking.email_log_ids.mapped("kind"))

    def mail(self, booking, kind):
        logs = self.logs(booking, kind)
        self.assertEqual(len(logs), 1, f"expected one {kind} e-mail, got {len(logs)}")
        return logs.mail_id

    def ics(self, mail):
        """The invitation attached to ``mail``, parsed: ``(calendar, event)``."""
        attachment = mail.attachment_ids.filtered(lambda a: a.name.endswith(".ics"))
        self.assertEqual(len(attachment), 1)
        self.assertEqual(attachment.mimetype, "text/calendar")
        calendar = Calendar.from_ical(attachment.raw)
        events = calendar.walk("VEVENT")
        self.assertEqual(len(events), 1)
        return calendar, events[0]

    def deliver(self):
        """Run Odoo's mail queue with a working (mocked) SMTP server; returns the e-mails sent."""
        with self.mock_mail_gateway():
            self.env["mail.mail"].process_email_queue()
            return list(self._mails)


def hours(value):
    return timedelta(hours=value)
