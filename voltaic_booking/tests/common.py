"""Shared fixtures of the voltaic_booking tests: the one place that makes consultants.

Module functions, usable with any ``env`` (a test's, or one on a cursor of its
own for tests on committed data):

- ``make_calendar(env, name, tz, hours=..., weekdays=..., extra=...)``: weekly
  working hours, ``hours`` being ``(day_period, hour_from, hour_to)`` on each of
  ``weekdays`` (0 = Monday; a ``lunch`` period is left out of the working time,
  as Odoo does), ``extra`` more ``(day, day_period, hour_from, hour_to)`` lines;
  ``hours=None`` gives the company's default hours, as a new calendar in the UI.
  Ready-made hours: ``CONSULTATION_HOURS`` (10-13, lunch, 14-19),
  ``OFFICE_HOURS`` (9-12, lunch, 13-17), ``AROUND_THE_CLOCK`` (0-24);
- ``make_consultant(env, name, login, *, calendar=None, tz=..., groups=..., **values)``:
  a ``voltaic.consultant`` with its own internal user (``new_test_user``, in
  ``CONSULTANT_GROUPS`` unless ``groups`` says otherwise; ``email`` defaults to
  ``<login>@vbt-voltaic.example``, ``user_values`` adds user fields, ``user=``
  uses an existing user instead). ``values`` are consultant fields as they
  are, nothing else is assumed: pass the rules a test needs, e.g.
  ``**CONSULTANT_DEFAULTS`` or ``**OFFICE_RULES`` (duration offers are
  ``duration_ids`` lines, ``voltaic.consultant.duration``).

Every fixture base calls them: ``VoltaicBookingCase`` below,
``BackOfficeCase`` (back_office_common.py), ``GoogleCase`` (google_common.py),
``NotificationCase`` (notification_common.py), ``ConcurrencyMixin``
(test_concurrency.py) and the cases of test_google_oauth.py,
test_self_service.py, test_reporting.py, test_notifications.py and the
companion addons' test cases.

Use ``VoltaicBookingCase`` from any test module of the addon::

    from .common import NOW, VoltaicBookingCase, local, utc

    @freeze_time(NOW)                     # odoo.tests.freeze_time: "now" for the service
    class TestSomething(VoltaicBookingCase):
        def test_it(self):
            booking = self._book(local("Europe/Berlin", 2027, 3, 2, 10, 0))

``VoltaicBookingCase`` (a ``TransactionCase``) creates once per class, without
relying on demo data (every login, email and name is prefixed ``vbt``):

- ``cls.calendar``: working hours "VBT Consultation Hours" (Europe/Berlin),
  Monday-Friday ``CONSULTATION_HOURS``: 10:00-13:00 and 14:00-19:00 with a
  ``day_period='lunch'`` attendance 13:00-14:00 (Odoo leaves lunch out of the
  working time);
- ``cls.team``: a sales team for the consultants' opportunities;
- ``cls.manager``: an internal user in ``voltaic_booking.group_manager``;
- ``cls.consultant_user`` / ``cls.consultant`` and ``cls.other_consultant_user``
  / ``cls.other_consultant``: two consultants in Europe/Berlin (users in
  ``group_user`` and the sales "own documents" group), made by
  ``_make_consultant`` with ``CONSULTANT_DEFAULTS``;
- ``cls.portal_user`` (a portal user) and ``cls.public_user`` (``base.public_user``).

Helpers: ``_make_calendar()`` and ``_make_consultant()`` (``make_calendar`` and
``make_consultant`` with the class's defaults: ``cls.calendar``, ``cls.team``,
``CONSULTANT_DEFAULTS``; any zone, any calendar, any rule), ``_book()``
(through ``voltaic.booking._book`` with ``BOOKING_DEFAULTS``),
``_create_booking()`` (a bare ORM row, no service), ``_slots()`` / ``_day()`` /
``_local_starts()`` (availability with an explicit ``now``), ``_busy_event()``,
``_leave()`` and ``_monday_without_time_off()`` (a bookable Monday ahead, for
tests on the real clock); module functions ``utc()``, ``local()`` and
``naive()`` build datetimes, ``next_monday()`` a Monday ahead.

"Now": the class is NOT frozen, so HTTP subclasses keep a real clock.
``_get_slots`` takes ``now=``; for the booking service (``_book``,
``_reschedule``: they read the clock) decorate the test class or method with
``freeze_time(NOW)`` (``odoo.tests.freeze_time``). ``NOW`` is Monday
1 March 2027, 08:00 in Berlin; the consultants accept bookings from then on
(``min_notice_hours`` 0) up to a year ahead.
"""

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from odoo import Command
from odoo.tests import TransactionCase, new_test_user

from ..lib.slots import local_day_bounds, to_local_iso

UTC = timezone.utc

# Monday 1 March 2027, 07:00 UTC = 08:00 in Berlin (CET, UTC+1)
NOW = datetime(2027, 3, 1, 7, 0, tzinfo=UTC)

BERLIN = ZoneInfo("Europe/Berlin")

# the groups of a consultant's user made by ``make_consultant`` unless told otherwise
CONSULTANT_GROUPS = "voltaic_booking.group_user,sales_team.group_sale_salesman"

# working hours for ``make_calendar``: (day_period, hour_from, hour_to) on each working day
CONSULTATION_HOURS = (("morning", 10, 13), ("lunch", 13, 14), ("afternoon", 14, 19))
OFFICE_HOURS = (("morning", 9, 12), ("lunch", 12, 13), ("afternoon", 13, 17))
AROUND_THE_CLOCK = (("morning", 0, 24),)

# rules of the consultants made by ``VoltaicBookingCase._make_consultant`` unless overridden:
# no notice, no buffers, no limit, so that each test sets only the rule it tests
CONSULTANT_DEFAULTS = {
    "min_notice_hours": 0,
    "max_advance_days": 365,
    "buffer_before_minutes": 0,
    "buffer_after_minutes": 0,
    "daily_booking_limit": 0,
    "slot_interval_minutes": 30,
    "duration_ids": [Command.create({"duration": 30}), Command.create({"duration": 60})],
    "offers_video": True,
    "offers_phone": True,
    "offers_in_person": True,
    "video_url": False,
    "phone_info": "We call you on the number you gave us.",
    "location": "Voltaic GmbH, Friedrichstrasse 68, 10117 Berlin",
    "is_accepting_bookings": True,
}

# rules of the back-office and Google consultants (besides their own ``video_url``)
OFFICE_RULES = {
    "min_notice_hours": 0,
    "max_advance_days": 60,
    "buffer_before_minutes": 0,
    "buffer_after_minutes": 0,
    "slot_interval_minutes": 30,
    "duration_ids": [Command.create({"duration": 30}), Command.create({"duration": 60})],
    "offers_video": True,
    "offers_phone": True,
    "phone_info": "We call you.",
}

# the client of ``_book`` unless overridden
BOOKING_DEFAULTS = {
    "duration": 60,
    "meeting_type": "video",
    "client_tz": "Asia/Kolkata",
    "first_name": "Priya",
    "last_name": "Sharma",
    "email": "priya.sharma@vbt-client.example",
    "phone": "+91 22 1234 5678",
    "company": "Sharma Solar",
    "subject": "Rooftop solar for our warehouse",
    "message": "We would like to discuss a 500 kWp installation.",
    "language": "en",
    "terms_accepted": True,
    "privacy_accepted": True,
    "marketing_consent": False,
    "source": "api",
}


def utc(*args):
    """An aware UTC datetime: ``utc(2027, 3, 1, 9, 0)``."""
    return datetime(*args, tzinfo=UTC)


def local(tz_name, *args):
    """The UTC instant of a wall-clock time in a zone: ``local("Europe/Berlin", 2027, 3, 1, 10, 0)``."""
    return datetime(*args, tzinfo=ZoneInfo(tz_name)).astimezone(UTC)


def naive(value):
    """An aware datetime as Odoo stores it (naive UTC)."""
    return value.astimezone(UTC).replace(tzinfo=None)


def next_monday(weeks_ahead=2):
    """A Monday at least ``weeks_ahead`` weeks from today (in Berlin), so its slots are bookable whatever the time."""
    today = datetime.now(UTC).astimezone(BERLIN).date()
    return today + timedelta(days=7 * weeks_ahead - today.weekday())


def make_calendar(env, name, tz="Europe/Berlin", hours=CONSULTATION_HOURS, weekdays=range(5), extra=()):
    """Weekly working hours: ``hours`` (``(day_period, hour_from, hour_to)``) on each of ``weekdays`` (0 = Monday).

    ``extra``: more ``(day, day_period, hour_from, hour_to)`` lines; empty periods
    (``hour_from`` None or not before ``hour_to``) are left out. ``hours=None``:
    the company's default working hours, as a calendar made in the UI gets.
    """
    values = {"name": name, "tz": tz}
    if hours is not None:
        lines = [(day, *period) for day in weekdays for period in hours] + list(extra)
        values["attendance_ids"] = [Command.clear()] + [
            Command.create({
                "name": f"{day_period.title()} {day}", "dayofweek": str(day),
                "hour_from": hour_from, "hour_to": hour_to, "day_period": day_period,
            })
            for day, day_period, hour_from, hour_to in lines
            if hour_from is not None and hour_from < hour_to
        ]
    return env["resource.calendar"].create(values)


def make_consultant(env, name, login, *, calendar=None, tz="Europe/Berlin", groups=CONSULTANT_GROUPS, email=None,
                    user=None, user_values=None, **values):
    """A consultant ``name`` with an own internal user ``login`` (or ``user``), in ``tz``, on ``calendar``.

    The user is made like ``new_test_user`` (its password is its login, padded
    to 8 characters) in ``groups`` (xml ids, comma-separated), with ``email``
    (default ``<login>@vbt-voltaic.example``) and ``user_values``. ``calendar``
    None leaves the consultant on the model's default hours. ``values`` are
    consultant fields, written as they are (no rule is assumed).
    """
    if user is None:
        user = new_test_user(env, login, groups=groups, name=name, email=email or f"{login}@vbt-voltaic.example",
                             tz=tz, **(user_values or {}))
    if calendar is not None:
        values["resource_calendar_id"] = calendar.id
    return env["voltaic.consultant"].create({"name": name, "user_id": user.id, "tz": tz, **values})


class VoltaicBookingCase(TransactionCase):
    """Two Berlin consultants on Mon-Fri 10:00-19:00 (lunch 13:00-14:00), a manager, portal and public users."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.calendar = cls._make_calendar("VBT Consultation Hours")
        cls.team = cls.env["crm.team"].create({"name": "VBT Energy Consulting"})
        cls.manager = new_test_user(
            cls.env, "vbt_manager", groups="voltaic_booking.group_manager,sales_team.group_sale_salesman_all_leads",
            name="VBT Mona Manager", email="vbt.manager@vbt-voltaic.example", tz="Europe/Berlin")
        cls.consultant = cls._make_consultant("VBT Anja Berger", "vbt_anja")
        cls.consultant_user = cls.consultant.user_id
        cls.other_consultant = cls._make_consultant("VBT Bruno Keller", "vbt_bruno")
        cls.other_consultant_user = cls.other_consultant.user_id
        cls.portal_user = new_test_user(
            cls.env, "vbt_portal", groups="base.group_portal", name="VBT Paul Portal",
            email="vbt.portal@vbt-client.example")
        cls.public_user = cls.env.ref("base.public_user")

    # ------------------------------------------------------------------
    # Fixture builders
    # ------------------------------------------------------------------

    @classmethod
    def _make_calendar(cls, name, tz="Europe/Berlin", weekdays=range(5), morning=(10, 13), lunch=(13, 14),
                       afternoon=(14, 19)):
        """``make_calendar``: ``morning`` and ``afternoon`` (hours) with a lunch break on ``weekdays`` (0 = Monday)."""
        hours = (("morning", *morning), ("lunch", *lunch), ("afternoon", *afternoon))
        return make_calendar(cls.env, name, tz, hours=hours, weekdays=weekdays)

    @classmethod
    def _make_consultant(cls, name, login, tz="Europe/Berlin", calendar=None, user=None, **values):
        """``make_consultant`` in ``tz`` on ``calendar`` (default ``cls.calendar``) in ``cls.team``.

        ``values`` override ``CONSULTANT_DEFAULTS`` and any other consultant field.
        """
        return make_consultant(cls.env, name, login, calendar=calendar or cls.calendar, tz=tz, user=user,
                               **{"team_id": cls.team.id, **CONSULTANT_DEFAULTS, **values})

    @classmethod
    def _booking_values(cls, start, consultant=None, **values):
        """The service input of ``_book``: ``BOOKING_DEFAULTS`` overridden by ``values``."""
        return {
            **BOOKING_DEFAULTS,
            "consultant_id": (consultant or cls.consultant).id,
            "start": start,
            **values,
        }

    @classmethod
    def _book(cls, start, consultant=None, **values):
        """Book ``start`` (aware datetime) through the booking service, as a client would.

        Returns the booking (sudo, as the service does). The service reads the
        clock: freeze it (``freeze_time(NOW)``) or book in the real future.
        """
        return cls.env["voltaic.booking"]._book(cls._booking_values(start, consultant, **values))

    @classmethod
    def _create_booking(cls, start, consultant=None, duration=60, **values):
        """A bare ``voltaic.booking`` row written with the ORM in the service's context (no lead, no event, no checks).

        For availability tests and the database constraint; real bookings go through ``_book``.
        """
        booking = cls.env["voltaic.booking"].with_context(voltaic_booking_service=True).create({
            "consultant_id": (consultant or cls.consultant).id,
            "start": naive(start),
            "stop": naive(start + timedelta(minutes=duration)),
            "duration": duration,
            "first_name": "Tom",
            "last_name": "Baker",
            "email": "tom.baker@vbt-client.example",
            "source": "backend",
            **values,
        })
        return booking.with_env(cls.env)  # later writes are guarded again, as in real use

    @classmethod
    def _busy_event(cls, consultant, start, stop, **values):
        """A ``calendar.event`` the consultant attends (busy unless ``show_as`` says otherwise), without mails."""
        return cls.env["calendar.event"].with_context(no_mail_to_attendees=True).create({
            "name": values.pop("name", "VBT Busy"),
            "start": naive(start),
            "stop": naive(stop),
            "user_id": consultant.user_id.id,
            "partner_ids": [Command.set(consultant.partner_id.ids)],
            **values,
        })

    @classmethod
    def _leave(cls, start, stop, consultant=None, calendar=None, **values):
        """Time off: of ``consultant`` only, or company-wide on ``calendar`` (or every calendar) without one."""
        return cls.env["resource.calendar.leaves"].create({
            "name": values.pop("name", "VBT Time Off"),
            "date_from": naive(start),
            "date_to": naive(stop),
            "resource_id": consultant.resource_id.id if consultant else False,
            "calendar_id": calendar.id if calendar else (consultant.resource_calendar_id.id if consultant else False),
            "time_type": "leave",
            **values,
        })

    @classmethod
    def _monday_without_time_off(cls, weeks_ahead=2):
        """The first Monday ``weeks_ahead`` weeks on or later that no public holiday touches (real clock)."""
        for weeks in range(weeks_ahead, 30):
            day = next_monday(weeks)
            start, end = local_day_bounds(day, day + timedelta(days=1), BERLIN)
            if not cls.env["resource.calendar.leaves"].search_count([
                ("resource_id", "=", False),
                ("calendar_id", "in", [False, cls.calendar.id]),
                ("date_from", "<", end.replace(tzinfo=None)),
                ("date_to", ">", start.replace(tzinfo=None)),
            ]):
                return day
        raise AssertionError("no Monday without public holidays in the next 30 weeks")

    # ------------------------------------------------------------------
    # Availability shortcuts
    # ------------------------------------------------------------------

    def _slots(self, consultant, start, end, duration=60, now=NOW):
        """``consultant._get_slots`` for one consultant: a list of ``(start, end)`` aware UTC tuples."""
        return consultant._get_slots(start, end, duration, now=now)[consultant.id]

    def _local_starts(self, slots, tz_name="Europe/Berlin"):
        """Slot starts as ISO strings with the offset of ``tz_name``, e.g. ``2027-03-01T10:00:00+01:00``."""
        return [to_local_iso(slot_start, ZoneInfo(tz_name)) for slot_start, _slot_end in slots]

    def _day(self, consultant, tz_name, year, month, day, duration=60, now=NOW):
        """The slots of one local day of ``tz_name``."""
        start, end = local_day_bounds(date(year, month, day), date(year, month, day), ZoneInfo(tz_name))
        return self._slots(consultant, start, end, duration, now=now)
