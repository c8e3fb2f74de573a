"""Clients racing for one time of a team, in real concurrent transactions (issue 14).

N clients book the same time of a team of K free members at once, each ``_book`` on its own
connection with Odoo's retry loop (``ConcurrencyMixin._service_race`` of test_concurrency.py).
Exactly K bookings are made, one per member, and the N - K others get a clean "no longer
available" with the team's alternatives: a member whose time another client took meanwhile is
skipped (the exclusion constraint, in a savepoint that also releases the member's lock), so no
client is refused while a member is free.
"""

import secrets
from datetime import datetime, timedelta, timezone

from odoo import SUPERUSER_ID, Command, api
from odoo.tests import BaseCase, tagged

from ..exceptions import SlotUnavailableError
from .common import make_consultant
from .test_concurrency import ConcurrencyMixin

UTC = timezone.utc

RACE_RULES = {
    "daily_booking_limit": 0, "min_notice_hours": 0, "max_advance_days": 365,
    "buffer_before_minutes": 0, "buffer_after_minutes": 0, "slot_interval_minutes": 30,
    "duration_ids": [Command.create({"duration": 30})], "offers_video": True,
    "video_url": "https://meet.vbt-voltaic.example/team-race",
}


@tagged("post_install", "-at_install")
class TestTeamRace(ConcurrencyMixin, BaseCase):

    consultant_values = {"daily_booking_limit": 0}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        token = secrets.token_hex(4)
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            first = env["voltaic.consultant"].browse(cls.consultant_id)
            others = env["voltaic.consultant"]
            for index in (2, 3):
                others |= make_consultant(
                    env(context={"mail_create_nolog": True}), f"VBT Team Race {index} {token}",
                    f"vbt_team_race_{index}_{token}", calendar=first.resource_calendar_id,
                    groups="voltaic_booking.group_user", email=f"vbt.team.race.{index}.{token}@vbt-voltaic.example",
                    **RACE_RULES)
            team = env["voltaic.booking.team"].create({
                "name": f"VBT Race Team {token}",
                "member_ids": [Command.create({"consultant_id": consultant.id, "sequence": index})
                               for index, consultant in enumerate(first | others)],
            })
            cls.team_id = team.id
            cls.member_ids = (first | others).ids
            cls.other_records = [(consultant.id, consultant.resource_id.id, consultant.user_id.id,
                                  consultant.user_id.partner_id.id) for consultant in others]
            cr.commit()  # pylint: disable=invalid-commit  # the other connections must see it
        cls.addClassCleanup(cls._remove_team_data)

    @classmethod
    def _remove_team_data(cls):
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["voltaic.booking.team"].browse(cls.team_id).unlink()
            for consultant_id, resource_id, user_id, partner_id in cls.other_records:
                env["voltaic.consultant"].browse(consultant_id).unlink()
                env["resource.resource"].browse(resource_id).unlink()
                env["res.users"].browse(user_id).unlink()
                env["res.partner"].browse(partner_id).unlink()
            cr.commit()  # pylint: disable=invalid-commit

    def setUp(self):
        super().setUp()
        self.addCleanup(self._delete_other_members_bookings)

    def _delete_other_members_bookings(self):
        """The mixin's clean-up (which covers the first member) for the other members."""
        first_id = self.consultant_id
        try:
            for consultant_id in self.member_ids[1:]:
                self.consultant_id = consultant_id
                ConcurrencyMixin._delete_bookings(self)
        finally:
            self.consultant_id = first_id

    def _free_team_start(self):
        """A time at which every member is free (real clock, a day ahead at least)."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            team = env["voltaic.booking.team"].browse(self.team_id)
            now = datetime.now(UTC)
            members = team._members(duration=30)
            for start, _end in team._get_slots(now + timedelta(days=1), now + timedelta(days=15), 30):
                if len(team._free_members(members, start, 30)) == len(self.member_ids):
                    return start
        raise AssertionError("no time at which the whole team is free in the next two weeks")

    def _team_values(self, start, email):
        values = self._service_values(start, email)
        values.pop("consultant_id")
        return {**values, "team_id": self.team_id}

    def test_clients_racing_for_a_team_time_get_one_member_each(self):
        start = self._free_team_start()
        clients, members = 5, len(self.member_ids)
        outcomes, _attempts = self._service_race(*[
            self._team_values(start, f"team{index}@vbt-client.example") for index in range(clients)])
        created = [outcome for outcome in outcomes if isinstance(outcome, int)]
        refused = [outcome for outcome in outcomes if not isinstance(outcome, int)]
        self.assertEqual(len(created), members, outcomes)
        self.assertEqual(len(refused), clients - members, outcomes)
        for error in refused:
            self.assertIsInstance(error, SlotUnavailableError, "a clean 'slot no longer available', not a 500")
            self.assertTrue(error.alternatives, "with the team's next free times")
            self.assertNotIn(start, [alternative[0] for alternative in error.alternatives])
        with self.registry.cursor() as cr:
            cr.execute("""
                SELECT consultant_id, team_id, start, lead_id, event_id, partner_id
                  FROM voltaic_booking WHERE consultant_id = ANY(%s)
            """, [self.member_ids])
            rows = cr.fetchall()
        self.assertEqual(sorted(row[0] for row in rows), sorted(self.member_ids), "one booking per member")
        self.assertEqual({row[1] for row in rows}, {self.team_id})
        self.assertEqual({row[2] for row in rows}, {start.replace(tzinfo=None)})
        for column in (3, 4, 5):
            self.assertEqual(len({row[column] for row in rows}), members, "a lead, a meeting and a client each")
