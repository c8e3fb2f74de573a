"""Real concurrent transactions against the database guarantees of the booking service.

Each test runs two threads, each with its own connection (``db_connect(...).cursor()``,
REPEATABLE READ like every Odoo cursor), synchronised with a barrier so that both
transactions are in flight together. They write plain SQL, as the service's final
INSERT/UPDATE do: inside the test runner, ORM work on extra cursors can wait behind
the runner's own transaction (see ODOO19.md), while plain SQL on committed rows races
for real.

The consultant the threads book is COMMITTED data (made through a separate cursor in
``setUpClass`` and removed again in a class cleanup), so the other connections see it;
the class holds no transaction of its own (``BaseCase``), and runs post-install, when
the module loading transaction is over. Every connection sets ``lock_timeout`` and
``statement_timeout``, and every wait has a timeout: a broken guarantee fails, it never hangs.
"""

import secrets
import threading
import time
from datetime import datetime, timedelta, timezone
from unittest.mock import patch
from zoneinfo import ZoneInfo

import psycopg2.errors

from odoo import SUPERUSER_ID, Command, api, sql_db
from odoo.modules.registry import Registry
from odoo.orm.registry import DummyRLock
from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY, retrying
from odoo.tests import BaseCase, get_db_name, tagged
from odoo.tools import mute_logger

from ..exceptions import SlotUnavailableError
from ..models.booking import BOOKING_LOCK_NAMESPACE
from .common import make_consultant
from odoo.addons.base.models.ir_model import MODULE_UNINSTALL_FLAG

UTC = timezone.utc

WAIT = 10            # seconds: barrier, joins, waiting for the other transaction to block
# far from any other test data: naive UTC, as stored
DAY = datetime(2031, 6, 3)


class ConcurrencyMixin:
    """Committed consultant, threads with their own connections, and the request-like booking race.

    Shared with companion addons (``consultant_values`` adds their own consultant fields).
    """

    consultant_values = {}


    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.dbname = get_db_name()
        cls.registry = Registry(cls.dbname)
        token = secrets.token_hex(4)
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            rules = {
                "daily_booking_limit": 1, "min_notice_hours": 0, "max_advance_days": 365,
                "buffer_before_minutes": 0, "buffer_after_minutes": 0, "slot_interval_minutes": 30,
                "duration_ids": [Command.create({"duration": 30})], "offers_video": True,
                "video_url": "https://meet.vbt-voltaic.example/race",
                **cls.consultant_values,
            }
            consultant = make_consultant(
                env(context={"mail_create_nolog": True}), f"VBT Race Consultant {token}", f"vbt_race_{token}",
                calendar=env.company.resource_calendar_id, groups="voltaic_booking.group_user",
                email=f"vbt.race.{token}@vbt-voltaic.example", **rules)
            user = consultant.user_id
            cls.user_id, cls.partner_id = user.id, user.partner_id.id
            cls.consultant_id, cls.resource_id = consultant.id, consultant.resource_id.id
            cr.commit()  # pylint: disable=invalid-commit  # the other connections must see it
        cls.addClassCleanup(cls._remove_committed_data)

    @classmethod
    def _remove_committed_data(cls):
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["voltaic.booking"].search([("consultant_id", "=", cls.consultant_id)]).with_context(
                **{MODULE_UNINSTALL_FLAG: True}).unlink()  # test data: confirmed bookings are not deletable otherwise
            env["voltaic.consultant"].browse(cls.consultant_id).unlink()
            env["resource.resource"].browse(cls.resource_id).unlink()
            env["res.users"].browse(cls.user_id).unlink()
            env["res.partner"].browse(cls.partner_id).unlink()
            cr.commit()  # pylint: disable=invalid-commit

    def setUp(self):
        super().setUp()
        self.addCleanup(self._delete_bookings)

    def _delete_bookings(self):
        """Remove what the tests committed: bookings, and the meetings, opportunities and clients of the service."""
        with self.registry.cursor() as cr:
            cr.execute("SELECT event_id, lead_id, partner_id FROM voltaic_booking WHERE consultant_id = %s",
                       [self.consultant_id])
            event_ids, lead_ids, partner_ids = (set(filter(None, column)) for column in zip(*cr.fetchall(), [0, 0, 0]))
            env = api.Environment(cr, SUPERUSER_ID, {})
            # through the ORM: the messages and queued mails of the bookings go with them
            env["voltaic.booking"].search([("consultant_id", "=", self.consultant_id)]).with_context(
                **{MODULE_UNINSTALL_FLAG: True}).unlink()  # test data: confirmed bookings are not deletable otherwise
            env["calendar.event"].browse(event_ids).with_context(active_test=False).exists().unlink()
            env["crm.lead"].browse(lead_ids).with_context(active_test=False).exists().unlink()
            env["res.partner"].browse(partner_ids).exists().unlink()

    # ------------------------------------------------------------------
    # Two transactions in flight
    # ------------------------------------------------------------------

    def _insert_sql(self, cr, start, minutes, buffer_after=15):
        """The row ``_book`` inserts (plain SQL, no ORM): blocked range = meeting plus its buffer."""
        stop = start + timedelta(minutes=minutes)
        cr.execute("""
            INSERT INTO voltaic_booking (reference, consultant_id, start, stop, blocked_start, blocked_stop,
                                         duration, meeting_type, first_name, last_name, email, language,
                                         state, blocks_time, source, access_token, create_date, write_date)
            VALUES (%s, %s, %s, %s, %s, %s, %s, 'video', 'Race', 'Client', 'race@vbt-client.example', 'en',
                    'confirmed', TRUE, 'api', %s, now() at time zone 'UTC', now() at time zone 'UTC')
        """, [f"VLT-RACE-{secrets.token_hex(4).upper()}", self.consultant_id, start, stop,
              start, stop + timedelta(minutes=buffer_after), minutes, secrets.token_urlsafe(32)])

    def _race(self, *transactions, wait_for_block=True, retry=False):
        """Run each ``transaction(cr)`` in its own thread and connection, all released by one barrier.

        A transaction that finished its statements waits until the others are
        blocked by it (``pg_blocking_pids``) or done before committing, so all
        are really in flight together. With ``retry``, a transaction failing
        with an error Odoo retries a request on (deadlock, serialization
        failure, lock timeout) runs again in a new transaction, as Odoo would.

        :return: ``(outcomes, retried)``: per transaction ``"committed"`` or the
            exception it finally raised, and the errors it was retried on.
        """
        barrier = threading.Barrier(len(transactions), timeout=WAIT)
        pids, outcomes, finished = {}, {}, set()
        retried = {index: [] for index in range(len(transactions))}

        def attempt(cr, index, transaction, first):
            cr.execute(f"SET LOCAL lock_timeout = '{WAIT}s'")
            cr.execute(f"SET LOCAL statement_timeout = '{2 * WAIT}s'")
            cr.execute("SELECT pg_backend_pid(), current_setting('transaction_isolation')")
            pids[index], outcomes[f"isolation{index}"] = cr.fetchone()
            if first:
                barrier.wait()
            transaction(cr)
            deadline = time.monotonic() + WAIT
            while wait_for_block and time.monotonic() < deadline:
                others = [pid for key, pid in pids.items() if key != index and key not in finished]
                cr.execute("SELECT coalesce(bool_and(%s = ANY(pg_blocking_pids(pid))), true) FROM unnest(%s) AS pid",
                           [pids[index], others])
                if cr.fetchone()[0]:
                    break
                time.sleep(0.02)
            cr.commit()  # pylint: disable=invalid-commit

        def worker(index, transaction):
            cr = sql_db.db_connect(self.dbname).cursor()
            try:
                first = True
                while True:
                    try:
                        attempt(cr, index, transaction, first)
                        outcomes[index] = "committed"
                        break
                    except psycopg2.OperationalError as error:
                        cr.rollback()
                        if not (retry and isinstance(error, PG_CONCURRENCY_EXCEPTIONS_TO_RETRY)) \
                                or len(retried[index]) >= 3:
                            raise
                        retried[index].append(error)
                        first = False
            except Exception as error:  # pylint: disable=broad-exception-caught  # reported to the test thread
                cr.rollback()
                outcomes[index] = error
            finally:
                finished.add(index)
                cr.close()

        threads = [threading.Thread(target=worker, args=(index, transaction), daemon=True)
                   for index, transaction in enumerate(transactions)]
        with mute_logger("odoo.sql_db"):
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=3 * WAIT)
        self.assertFalse([thread for thread in threads if thread.is_alive()], "a transaction hung")
        for index in range(len(transactions)):
            self.assertEqual(outcomes[f"isolation{index}"], "repeatable read", "Odoo cursors run REPEATABLE READ")
        return [outcomes[index] for index in range(len(transactions))], retried

    def assert_one_commits_other_excluded(self, outcomes, retried):
        """Exactly one commits; the other ends with an exclusion violation.

        Two inserts checking the constraint at the same instant may deadlock
        instead (PostgreSQL aborts one of them): Odoo retries the request on
        that, and the retry then meets the committed booking.
        """
        self.assertEqual(outcomes.count("committed"), 1, outcomes)
        loser = next(index for index, outcome in enumerate(outcomes) if outcome != "committed")
        self.assertIsInstance(outcomes[loser], psycopg2.errors.ExclusionViolation)
        for error in retried[loser]:
            self.assertIsInstance(error, psycopg2.errors.DeadlockDetected)
        self.assertFalse(retried[1 - loser])

    def _committed_bookings(self):
        with sql_db.db_connect(self.dbname).cursor() as cr:
            cr.execute("SELECT start FROM voltaic_booking WHERE consultant_id = %s ORDER BY start",
                       [self.consultant_id])
            return [start for (start,) in cr.fetchall()]

    # ------------------------------------------------------------------
    # Tests
    # ------------------------------------------------------------------


    def _free_slots_of_one_day(self):
        """Two 30-minute slots an hour apart on the consultant's first free working day (real clock)."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            consultant = env["voltaic.consultant"].browse(self.consultant_id)
            now = datetime.now(UTC)
            free = consultant._get_slots(now + timedelta(days=1), now + timedelta(days=15), 30)[consultant.id]
        zone = ZoneInfo("Europe/Berlin")
        by_day = {}
        for start, _end in free:
            by_day.setdefault(start.astimezone(zone).date(), []).append(start)
        for starts in by_day.values():
            later = [start for start in starts if start >= starts[0] + timedelta(hours=1)]
            if later:
                return starts[0], later[0]
        raise AssertionError("no working day with two free slots in the next two weeks")

    def _service_values(self, start, email):
        return {
            "consultant_id": self.consultant_id, "start": start, "duration": 30, "meeting_type": "video",
            "client_tz": "Asia/Kolkata", "first_name": "Race", "last_name": email.split("@")[0].title(),
            "email": email, "source": "api", "terms_accepted": True, "privacy_accepted": True,
        }

    def _service_race(self, *values_list, book=None, snapshot=None):
        """Each ``_book(values)`` as one request would run it: own cursor, Odoo's ``retrying`` loop.

        Both transactions take their snapshot before either may commit (barrier on the first try).
        ``book(env, values)`` books another way (default: the service's ``_book``); ``snapshot`` is the
        ``(query, params)`` that takes the snapshot (default: reading the consultant).
        Returns ``(outcomes, attempts)``: the booking id or the exception of each request, and how
        many times each one ran.
        """
        book = book or (lambda env, values: env["voltaic.booking"]._book(values))
        snapshot = snapshot or ("SELECT id FROM voltaic_consultant WHERE id = %s", [self.consultant_id])
        barrier = threading.Barrier(len(values_list), timeout=WAIT)
        outcomes, attempts = {}, dict.fromkeys(range(len(values_list)), 0)

        def worker(index, values):
            with self.registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})

                def request():
                    attempts[index] += 1
                    cr.execute(f"SET LOCAL lock_timeout = '{WAIT}s'")
                    cr.execute(f"SET LOCAL statement_timeout = '{2 * WAIT}s'")
                    cr.execute(*snapshot)
                    if attempts[index] == 1:
                        barrier.wait()
                    return book(env, values).id

                try:
                    outcomes[index] = retrying(request, env)
                except Exception as error:  # pylint: disable=broad-exception-caught  # reported to the test thread
                    cr.rollback()
                    outcomes[index] = error

        threads = [threading.Thread(target=worker, args=item, daemon=True) for item in enumerate(values_list)]
        # Odoo's test runner holds the registry lock while tests run; the request threads need the
        # registry as HTTP workers do, so let them through as Odoo's own test mode does for HttpCase
        with patch.object(Registry, "_lock", DummyRLock()), mute_logger("odoo.sql_db", "odoo.service.model"):
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=3 * WAIT)
        self.assertFalse([thread for thread in threads if thread.is_alive()], "a request hung")
        return [outcomes[index] for index in range(len(values_list))], attempts

    def _committed_service_records(self):
        with self.registry.cursor() as cr:
            cr.execute("""
                SELECT count(*), count(DISTINCT lead_id), count(DISTINCT event_id), count(DISTINCT partner_id)
                  FROM voltaic_booking WHERE consultant_id = %s
            """, [self.consultant_id])
            return cr.fetchone()


@tagged("post_install", "-at_install")
class TestConcurrentBookings(ConcurrencyMixin, BaseCase):

    def test_overlapping_bookings_exactly_one_commits(self):
        outcomes, retried = self._race(
            lambda cr: self._insert_sql(cr, DAY.replace(hour=9), 60),
            lambda cr: self._insert_sql(cr, DAY.replace(hour=9, minute=30), 60),
            retry=True,
        )
        self.assert_one_commits_other_excluded(outcomes, retried)
        self.assertEqual(len(self._committed_bookings()), 1)

    def test_same_slot_exactly_one_commits(self):
        outcomes, retried = self._race(*[lambda cr: self._insert_sql(cr, DAY.replace(hour=14), 30)] * 2, retry=True)
        self.assert_one_commits_other_excluded(outcomes, retried)
        self.assertEqual(self._committed_bookings(), [DAY.replace(hour=14)])

    def test_buffer_overlap_is_a_conflict_too(self):
        # 10:00-11:00 blocks until 11:15: an 11:00 booking collides with the buffer only
        outcomes, retried = self._race(
            lambda cr: self._insert_sql(cr, DAY.replace(hour=10), 60),
            lambda cr: self._insert_sql(cr, DAY.replace(hour=11), 60),
            retry=True,
        )
        self.assert_one_commits_other_excluded(outcomes, retried)

    def test_separate_bookings_both_commit(self):
        outcomes, retried = self._race(
            lambda cr: self._insert_sql(cr, DAY.replace(hour=10), 60, buffer_after=0),
            # back to back: the ranges are half-open
            lambda cr: self._insert_sql(cr, DAY.replace(hour=11), 60, buffer_after=0),
            wait_for_block=False,
        )
        self.assertEqual(outcomes, ["committed", "committed"])
        self.assertEqual(self._committed_bookings(), [DAY.replace(hour=10), DAY.replace(hour=11)])

    def test_fresh_snapshot_under_the_lock_sees_the_previous_holder(self):
        """Why the daily limit counts on a fresh transaction (``_check_daily_limit``).

        Both transactions take their snapshot, then the consultant's advisory lock, as a request
        does. The second gets the lock once the first committed its booking: its own snapshot
        still counts none, a transaction begun under the lock counts it. Nothing is updated, so
        neither fails serialization.
        """
        counts = {}

        def count(cr):
            cr.execute("SELECT count(*) FROM voltaic_booking WHERE consultant_id = %s AND start >= %s AND start < %s",
                       [self.consultant_id, DAY, DAY + timedelta(days=1)])
            return cr.fetchone()[0]

        def book(hour):
            def transaction(cr):
                assert count(cr) == 0, "the snapshot (taken before the lock) sees no booking yet"
                cr.execute("SELECT pg_advisory_xact_lock(%s, %s)", [BOOKING_LOCK_NAMESPACE, self.consultant_id])
                with sql_db.db_connect(self.dbname).cursor() as fresh:
                    counts[hour] = (count(cr), count(fresh))
                self._insert_sql(cr, DAY.replace(hour=hour), 30)
            return transaction

        outcomes, retried = self._race(book(9), book(15), wait_for_block=False)
        self.assertEqual(outcomes, ["committed", "committed"])
        self.assertFalse(retried[0] + retried[1])
        self.assertEqual(sorted(counts.values()), [(0, 0), (0, 1)], "only the fresh snapshot sees the first booking")

    # ------------------------------------------------------------------
    # The whole booking service in two concurrent "requests"
    # ------------------------------------------------------------------

    def test_service_same_slot_one_booking_one_clean_refusal(self):
        start, _later = self._free_slots_of_one_day()
        outcomes, _attempts = self._service_race(
            self._service_values(start, "asha@vbt-client.example"),
            self._service_values(start, "ben@vbt-client.example"),
        )
        winners = [outcome for outcome in outcomes if isinstance(outcome, int)]
        losers = [outcome for outcome in outcomes if not isinstance(outcome, int)]
        self.assertEqual(len(winners), 1, outcomes)
        self.assertIsInstance(losers[0], SlotUnavailableError, "a clean 'slot no longer available', not a 500")
        self.assertNotIn(start, [alternative[0] for alternative in losers[0].alternatives])
        self.assertEqual(self._committed_service_records(), (1, 1, 1, 1), "one booking, lead, meeting, client")

    def test_service_daily_limit_holds_under_concurrency(self):
        first, second = self._free_slots_of_one_day()
        outcomes, attempts = self._service_race(
            self._service_values(first, "asha@vbt-client.example"),
            self._service_values(second, "ben@vbt-client.example"),
        )
        winners = [index for index, outcome in enumerate(outcomes) if isinstance(outcome, int)]
        self.assertEqual(len(winners), 1, outcomes)
        loser = 1 - winners[0]
        self.assertIsInstance(outcomes[loser], SlotUnavailableError)
        self.assertEqual(attempts, {0: 1, 1: 1}, "no serialization failure: the day's count sees the winner at once")
        self.assertEqual(self._committed_service_records(), (1, 1, 1, 1))

    def test_service_burst_of_one_consultant_daily_limit_exact(self):
        """N clients book one consultant at N different times of one day, daily limit N - 1.

        Exactly N - 1 bookings commit, the last one to get the consultant's lock is refused
        cleanly (fully booked, with alternatives), and no request fails serialization: every
        request runs once, none is redone by Odoo's retry loop.
        """
        clients = 4
        self._set_daily_limit(clients - 1)
        starts = self._free_starts_of_one_day(clients)
        outcomes, attempts = self._service_race(*[
            self._service_values(start, f"burst{index}@vbt-client.example") for index, start in enumerate(starts)])
        created = [outcome for outcome in outcomes if isinstance(outcome, int)]
        refused = [outcome for outcome in outcomes if not isinstance(outcome, int)]
        self.assertEqual(len(created), clients - 1, outcomes)
        self.assertEqual(len(refused), 1, outcomes)
        self.assertIsInstance(refused[0], SlotUnavailableError)
        self.assertIn("fully booked", refused[0].args[0])
        self.assertEqual(attempts, dict.fromkeys(range(clients), 1), "no request was retried")
        self.assertEqual(self._committed_service_records(), (clients - 1,) * 4)

    def _set_daily_limit(self, limit):
        with self.registry.cursor() as cr:
            cr.execute("SELECT daily_booking_limit FROM voltaic_consultant WHERE id = %s", [self.consultant_id])
            previous = cr.fetchone()[0]
            cr.execute("UPDATE voltaic_consultant SET daily_booking_limit = %s WHERE id = %s",
                       [limit, self.consultant_id])
        self.addCleanup(self._restore_daily_limit, previous)

    def _restore_daily_limit(self, limit):
        with self.registry.cursor() as cr:
            cr.execute("UPDATE voltaic_consultant SET daily_booking_limit = %s WHERE id = %s",
                       [limit, self.consultant_id])

    def _free_starts_of_one_day(self, count):
        """``count`` free 30-minute slots that do not overlap, on the consultant's first day that has them."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            consultant = env["voltaic.consultant"].browse(self.consultant_id)
            now = datetime.now(UTC)
            free = consultant._get_slots(now + timedelta(days=1), now + timedelta(days=15), 30)[consultant.id]
        zone = ZoneInfo("Europe/Berlin")
        by_day = {}
        for start, _end in free:
            starts = by_day.setdefault(start.astimezone(zone).date(), [])
            if not starts or start >= starts[-1] + timedelta(minutes=30):
                starts.append(start)
        for starts in by_day.values():
            if len(starts) >= count:
                return starts[:count]
        raise AssertionError(f"no working day with {count} free slots in the next two weeks")
