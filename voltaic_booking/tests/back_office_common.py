"""Fixtures of the back-office tests: a schedule, consultants, sales people and managers.

The schedule and the consultants come from ``make_calendar`` / ``make_consultant`` (common.py).
"""

from contextlib import contextmanager
from datetime import datetime, timedelta, timezone

from odoo.tests import TransactionCase, freeze_time, new_test_user

from .common import OFFICE_HOURS, OFFICE_RULES, make_calendar, make_consultant

UTC = timezone.utc

# Monday 2 March 2026, 07:00 in Berlin (CET, UTC+1)
NOW = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)


def utc(*args):
    """An aware UTC datetime."""
    return datetime(*args, tzinfo=UTC)


def naive(*args):
    """A naive UTC datetime, as stored in Odoo."""
    return datetime(*args)


@contextmanager
def after_start(bookings, minutes=70):
    """The clock after the meetings of ``bookings`` began: only then can they be completed or marked no-show."""
    with freeze_time(max(bookings.mapped("start")) + timedelta(minutes=minutes)):
        yield


class BackOfficeCase(TransactionCase):
    """Two Berlin consultants on weekdays 9:00-17:00 with a lunch break, sales people and a manager."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True, mail_create_nolog=True))
        cls.calendar = make_calendar(cls.env, "VB weekdays", hours=OFFICE_HOURS)
        cls.salesman = new_test_user(
            cls.env, "vb_salesman", groups="sales_team.group_sale_salesman", name="Sam Sales", tz="Europe/Berlin")
        cls.manager = new_test_user(
            cls.env, "vb_manager", groups="voltaic_booking.group_manager,sales_team.group_sale_salesman",
            name="Mona Manager", tz="Europe/Berlin")
        cls.team = cls.env["crm.team"].create({"name": "VB Consulting"})
        cls.consultant = cls._make_consultant("Carla Consultant", "vb_consultant")
        cls.consultant_user = cls.consultant.user_id
        cls.other_consultant = cls._make_consultant("Otto Other", "vb_consultant2")
        cls.other_consultant_user = cls.other_consultant.user_id
        cls.stage_new, cls.stage_scheduled, cls.stage_met, cls.stage_follow_up = cls.env["crm.stage"].create([
            {"name": "VB New", "sequence": 1},
            {"name": "VB Consultation Scheduled", "sequence": 2},
            {"name": "VB Consultation Held", "sequence": 3},
            {"name": "VB Follow-up", "sequence": 4},
        ])
        cls.client = cls.env["res.partner"].create({
            "name": "Priya Sharma", "email": "priya@sharma-solar.example", "tz": "Asia/Kolkata",
            "phone": "+91 22 1234 5678", "lang": "en_US",
        })
        cls.lead = cls.env["crm.lead"].create({
            "name": "Solar roof for the warehouse",
            "type": "opportunity",
            "partner_id": cls.client.id,
            "contact_name": "Priya Sharma",
            "email_from": "priya@sharma-solar.example",
            "partner_name": "Sharma Solar",
            "user_id": cls.consultant_user.id,
            "team_id": cls.team.id,
            "stage_id": cls.stage_new.id,
            "expected_revenue": 12000,
        })

    @classmethod
    def _make_consultant(cls, name, login, **values):
        """A Berlin consultant on ``cls.calendar`` in ``cls.team`` with ``OFFICE_RULES`` (``values`` override)."""
        return make_consultant(cls.env, name, login, calendar=cls.calendar, **{
            "team_id": cls.team.id, **OFFICE_RULES, "video_url": f"https://meet.example.com/{login}", **values})

    def _configure_crm(self, **extra):
        parameters = self.env["ir.config_parameter"].sudo()
        parameters.set_param("voltaic_booking.stage_scheduled_id", self.stage_scheduled.id)
        parameters.set_param("voltaic_booking.stage_completed_id", self.stage_met.id)
        parameters.set_param("voltaic_booking.stage_follow_up_id", self.stage_follow_up.id)
        for key, value in extra.items():
            parameters.set_param(f"voltaic_booking.{key}", value)

    def _book(self, start, consultant=None, duration=60, lead=None, email="priya@sharma-solar.example", **values):
        return self.env["voltaic.booking"]._book({
            "consultant_id": (consultant or self.consultant).id,
            "start": start,
            "duration": duration,
            "meeting_type": "video",
            "client_tz": "Asia/Kolkata",
            "first_name": "Priya",
            "last_name": "Sharma",
            "email": email,
            "source": "backend",
            "lead_id": (lead or self.lead).id if lead is not False else False,
            **values,
        })
