#!/usr/bin/env python3
"""Seed a benchmark database: 20 consultants, 60 days, 50,000 calendar events, some bookings.

    python3 bench/seed.py -c ODOO_CONF -d DB [--consultants 20] [--events 50000] [--days 60]
    python3 bench/seed.py -c ODOO_CONF -d DB --other-events 450000     # on a seeded database: grow it

Run it on a database where ``voltaic_booking`` is installed (without demo
data). ``odoo`` must be importable (``bench/run`` sets ``PYTHONPATH`` from
``ODOO_PATH`` like ``run-tests`` does).

What it builds (deterministic, ``--seed``):

- four working-hour calendars in four zones (Europe/Berlin, Europe/London,
  America/New_York, Asia/Kolkata), Monday-Friday with a lunch break, a
  public holiday each, and one personal day off per consultant;
- ``--consultants`` consultants (internal users in ``voltaic_booking.group_user``
  and the sales group), spread over the calendars, with different rules
  (durations, buffers, notice, slot interval, some with a daily limit);
- ``--events`` ``calendar.event`` records over the next ``--days`` days,
  every one attended by at least one consultant: calls, internal meetings
  with a second consultant, client meetings with an external contact,
  any day between 06:00 and 22:00 local time, 15 minutes to 2 hours. That
  is ~45 events per consultant and day: to leave free time at all, many
  are not blocking, as in real synced calendars: 45% "free" (``show_as``),
  8% declined by the consultant, 2% archived, a few all-day; availability
  must tell them apart. They are written with SQL in batches (``calendar_event``,
  ``calendar_attendee`` and ``calendar_event_res_partner_rel`` rows exactly
  as the ORM writes them for an event created without alarms or
  recurrence, the attendance with its copy of the meeting's time and state):
  creating 50,000 events through the ORM takes many minutes;
- ``--bookings`` bookings per consultant through the booking service
  (``voltaic.booking._book``: partner, opportunity and meeting each);
- a published team ("Bench Team", round robin) of all the consultants, for
  the team slots (``/api/consultations/slots?team=``);
- ``voltaic_booking.rate_limit_per_minute`` = 0 (the benchmarks send more
  than the default 10 POSTs a minute from one address).

``--other-events N`` on a database seeded before adds N more events that no
consultant attends (the client contacts' own meetings), with SQL
(``INSERT ... SELECT`` over ``generate_series``): the consultants' calendars
stay the same while the calendar table grows (e.g. 50,000 -> 500,000 events),
to show that availability does not slow down with the size of the table.

Finally it checks through the ORM that availability sees the events
(the busy intervals of a consultant are exactly the busy, active, not
declined events it attends) and runs ``VACUUM ANALYZE`` so the planner knows
the new tables' sizes and index-only scans need not visit the rows, as
autovacuum would on a live database.
"""

import argparse
import logging
import random
import sys
import time
import uuid
from datetime import datetime, timedelta, timezone
from datetime import time as dtime
from zoneinfo import ZoneInfo

UTC = timezone.utc

_logger = logging.getLogger("bench.seed")

CALENDARS = [
    # name, zone, morning, afternoon (hours, lunch between)
    ("Bench Berlin Office", "Europe/Berlin", (9, 12.5), (13.5, 18)),
    ("Bench London Office", "Europe/London", (9, 12.5), (13.5, 17.5)),
    ("Bench New York Office", "America/New_York", (8, 12), (13, 17)),
    ("Bench Pune Office", "Asia/Kolkata", (10, 13), (14, 19)),
]
FIRST_NAMES = ["Anna", "James", "Maria", "Lukas", "Sophie", "Omar", "Yuki", "Elena", "Ravi", "Clara",
               "Jonas", "Aisha", "Mateo", "Freya", "Noah", "Ines", "Arjun", "Lea", "Tom", "Zoe"]
LAST_NAMES = ["Weber", "Carter", "Lopez", "Schmidt", "Brown", "Haddad", "Tanaka", "Rossi", "Iyer", "Novak",
              "Fischer", "Khan", "Garcia", "Olsen", "Miller", "Dubois", "Mehta", "Wolf", "Baker", "Young"]
EXPERTISE = ["Photovoltaics", "Heat Pumps", "Battery Storage", "Energy Audits", "E-Mobility", "Subsidies"]
EVENT_NAMES = ["Client call", "Team sync", "Site survey debrief", "Proposal review", "Supplier call",
               "Internal training", "Project kick-off", "Follow-up", "Focus time", "Webinar prep"]
EVENT_DURATIONS = [15, 15, 15, 30, 30, 30, 45, 60, 90]
CLIENT_POOL = 300
BATCH = 2000


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-c", "--config", required=True, help="Odoo configuration file")
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--consultants", type=int, default=20)
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--bookings", type=int, default=5, help="bookings per consultant")
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--other-events", type=int, default=0,
                        help="on a seeded database: add this many events attended by no consultant")
    return parser.parse_args(argv)


def hours_to_time(hours):
    return dtime(int(hours), int(round((hours % 1) * 60)))


def make_calendars(env):
    calendars = env["resource.calendar"]
    for name, zone, morning, afternoon in CALENDARS:
        attendances = []
        for day in range(5):
            for period, (hour_from, hour_to) in (("morning", morning), ("lunch", (morning[1], afternoon[0])),
                                                 ("afternoon", afternoon)):
                attendances.append((0, 0, {
                    "name": f"{period} {day}", "dayofweek": str(day), "hour_from": hour_from,
                    "hour_to": hour_to, "day_period": period,
                }))
        calendars |= env["resource.calendar"].create({
            "name": name, "tz": zone, "attendance_ids": [(5, 0, 0), *attendances],
        })
    return calendars


def make_consultants(env, calendars, count, rng):
    team = env["crm.team"].create({"name": "Bench Energy Consulting"})
    expertise = env["voltaic.consultant.expertise"].create([{"name": name} for name in EXPERTISE])
    languages = env["res.lang"].with_context(active_test=False).search([("code", "in", ("en_US", "de_DE"))])
    groups = [env.ref("voltaic_booking.group_user").id, env.ref("sales_team.group_sale_salesman").id,
              env.ref("base.group_user").id]
    users_values, consultants_values = [], []
    for index in range(count):
        calendar = calendars[index % len(calendars)]
        name = f"{FIRST_NAMES[index % len(FIRST_NAMES)]} {LAST_NAMES[(index * 7) % len(LAST_NAMES)]}"
        login = f"bench_consultant_{index:02d}"
        users_values.append({
            "name": name, "login": login, "email": f"{login}@bench-voltaic.example", "tz": calendar.tz,
            "group_ids": [(6, 0, groups)],
        })
    users = env["res.users"].with_context(no_reset_password=True, mail_create_nolog=True).create(users_values)
    for index, user in enumerate(users):
        calendar = calendars[index % len(calendars)]
        durations = rng.choice([(30, 60), (30, 60, 90), (15, 30, 60), (60,), (30, 60, 120)])
        consultants_values.append({
            "name": user.name,
            "user_id": user.id,
            "team_id": team.id,
            "resource_calendar_id": calendar.id,
            "tz": calendar.tz,
            "job_title": rng.choice(["Energy Consultant", "Senior Energy Consultant", "Solar Engineer"]),
            "bio": f"<p>{user.name} advises businesses on {rng.choice(EXPERTISE).lower()}.</p>",
            "expertise_ids": [(6, 0, rng.sample(expertise.ids, 2))],
            "language_ids": [(6, 0, languages.ids if index % 3 else languages[:1].ids)],
            "is_accepting_bookings": True,
            "duration_ids": [(0, 0, {"duration": minutes}) for minutes in durations],
            "offers_video": True,
            "offers_phone": index % 2 == 0,
            "offers_in_person": index % 3 == 0,
            "video_url": f"https://meet.bench-voltaic.example/{user.login}",
            "location": "Voltaic GmbH, Friedrichstrasse 68, 10117 Berlin",
            "min_notice_hours": rng.choice([2, 4, 12, 24]),
            "max_advance_days": 90,
            "buffer_before_minutes": rng.choice([0, 5, 10]),
            "buffer_after_minutes": rng.choice([0, 10, 15]),
            "daily_booking_limit": rng.choice([0, 0, 0, 6, 8]),
            "slot_interval_minutes": rng.choice([15, 30, 30, 30]),
        })
    return env["voltaic.consultant"].with_context(mail_create_nolog=True, tracking_disable=True).create(
        consultants_values)


def make_leaves(env, calendars, consultants, today, rng):
    leaves = []
    for calendar in calendars:
        day = today + timedelta(days=rng.randint(10, 50))
        zone = ZoneInfo(calendar.tz)
        leaves.append({
            "name": "Bench public holiday", "calendar_id": calendar.id, "resource_id": False, "time_type": "leave",
            "date_from": datetime.combine(day, dtime.min, tzinfo=zone).astimezone(UTC).replace(tzinfo=None),
            "date_to": datetime.combine(day, dtime(23, 59, 59), tzinfo=zone).astimezone(UTC).replace(tzinfo=None),
        })
    for consultant in consultants:
        day = today + timedelta(days=rng.randint(3, 58))
        zone = consultant._zone()
        leaves.append({
            "name": "Bench day off", "calendar_id": consultant.resource_calendar_id.id,
            "resource_id": consultant.resource_id.id, "time_type": "leave",
            "date_from": datetime.combine(day, dtime.min, tzinfo=zone).astimezone(UTC).replace(tzinfo=None),
            "date_to": datetime.combine(day, dtime(23, 59, 59), tzinfo=zone).astimezone(UTC).replace(tzinfo=None),
        })
    env["resource.calendar.leaves"].create(leaves)


def make_clients(env, count):
    return env["res.partner"].with_context(mail_create_nolog=True, tracking_disable=True).create([
        {"name": f"Bench Client {index:03d}", "email": f"client{index:03d}@bench-client.example",
         "company_name": f"Bench Customer {index % 60:02d} GmbH"}
        for index in range(count)
    ])


def event_rows(consultants, clients, count, days, now, rng):
    """Plain rows: (event values, [(partner_id, name, state)]) for ``count`` events."""
    people = [(c.partner_id.id, c.name, c.user_id.id, c._zone()) for c in consultants]
    client_people = [(p.id, p.name) for p in clients]
    today = now.date()
    for _index in range(count):
        partner_id, name, user_id, zone = rng.choice(people)
        local_day = today + timedelta(days=rng.randrange(days))
        minutes = rng.choice(EVENT_DURATIONS)
        allday = rng.random() < 0.002
        if allday:
            start = datetime.combine(local_day, dtime(8, 0))
            stop = datetime.combine(local_day, dtime(18, 0))
        else:
            local_start = datetime.combine(local_day, dtime(6, 0), tzinfo=zone) + timedelta(
                minutes=15 * rng.randrange(16 * 4))
            start = local_start.astimezone(UTC).replace(tzinfo=None)
            stop = start + timedelta(minutes=minutes)
        own_state = rng.choices(["accepted", "tentative", "needsAction", "declined"], [80, 6, 6, 8])[0]
        attendees = [(partner_id, name, own_state)]
        if rng.random() < 0.1:
            other = rng.choice(people)
            if other[0] != partner_id:
                attendees.append((other[0], other[1], rng.choice(["accepted", "needsAction"])))
        if rng.random() < 0.5:
            client_id, client_name = rng.choice(client_people)
            attendees.append((client_id, client_name, rng.choice(["accepted", "needsAction", "tentative"])))
        yield {
            "name": f"{rng.choice(EVENT_NAMES)}",
            "start": start,
            "stop": stop,
            "start_date": local_day if allday else None,
            "stop_date": local_day if allday else None,
            "allday": allday,
            "duration": 24.0 if allday else minutes / 60,
            "user_id": user_id,
            "show_as": "free" if rng.random() < 0.45 else "busy",
            "active": rng.random() >= 0.02,
        }, attendees


def insert_events(env, rows):
    """Insert events, attendees and the event/partner relation with SQL, in batches."""
    from psycopg2.extras import execute_values

    cr = env.cr
    now = datetime.now(UTC).replace(tzinfo=None)
    uid = env.uid
    inserted = 0
    batch = []

    def flush(batch):
        event_ids = execute_values(cr._obj, """
            INSERT INTO calendar_event (name, start, stop, start_date, stop_date, allday, duration, user_id,
                                        show_as, active, recurrency, follow_recurrence,
                                        create_uid, create_date, write_uid, write_date)
            VALUES %s RETURNING id
        """, [
            (values["name"], values["start"], values["stop"], values["start_date"], values["stop_date"],
             values["allday"], values["duration"], values["user_id"], values["show_as"], values["active"],
             False, False, uid, now, uid, now)
            for values, _attendees in batch
        ], page_size=len(batch), fetch=True)
        attendee_rows, relation_rows = [], []
        for (event_id,), (values, attendees) in zip(event_ids, batch):
            for partner_id, name, state in attendees:
                # the attendance carries a copy of its meeting's time and state (voltaic_event_*), as the ORM keeps it
                attendee_rows.append((event_id, partner_id, name, uuid.uuid4().hex, state, uid, now, uid, now,
                                      values["start"], values["stop"], values["allday"], values["active"],
                                      values["show_as"]))
                relation_rows.append((event_id, partner_id))
        execute_values(cr._obj, """
            INSERT INTO calendar_attendee (event_id, partner_id, common_name, access_token, state,
                                           create_uid, create_date, write_uid, write_date,
                                           voltaic_event_start, voltaic_event_stop, voltaic_event_allday,
                                           voltaic_event_active, voltaic_event_show_as)
            VALUES %s
        """, attendee_rows, page_size=5000)
        execute_values(cr._obj, """
            INSERT INTO calendar_event_res_partner_rel (calendar_event_id, res_partner_id) VALUES %s
        """, relation_rows, page_size=5000)
        return len(batch)

    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            inserted += flush(batch)
            batch = []
    if batch:
        inserted += flush(batch)
    env.invalidate_all()
    return inserted


def make_bookings(env, consultants, per_consultant, now, rng):
    booking_model = env["voltaic.booking"].with_context(tracking_disable=True)
    made = 0
    for index, consultant in enumerate(consultants):
        duration = consultant._allowed_durations()[0]
        free = consultant._get_slots(now, now + timedelta(days=21), duration)[consultant.id]
        for position in range(per_consultant):
            if not free:
                break
            start = free[rng.randrange(len(free))][0]
            client = f"booked{index:02d}x{position}"
            booking_model._book({
                "consultant_id": consultant.id, "start": start, "duration": duration,
                "meeting_type": consultant._meeting_types()[0], "client_tz": "Europe/Berlin",
                "first_name": "Bench", "last_name": f"Client {client}", "email": f"{client}@bench-client.example",
                "company": "Bench Booked GmbH", "subject": "Existing booking", "language": "en",
                "terms_accepted": True, "privacy_accepted": True, "source": "website",
            })
            made += 1
            # the slot list must follow: recompute (the booking and its buffers are busy now)
            free = consultant._get_slots(now, now + timedelta(days=21), duration)[consultant.id]
    return made


def make_team(env, consultants):
    """A published round-robin team of all the consultants (``/api/consultations/slots?team=``)."""
    return env["voltaic.booking.team"].create({
        "name": "Bench Team",
        "assignment_method": "round_robin",
        "website_published": True,
        "member_ids": [(0, 0, {"consultant_id": consultant.id, "sequence": index})
                       for index, consultant in enumerate(consultants)],
    })


def insert_other_events(env, count, days, now, seed):
    """``count`` events attended by client contacts only (no consultant), in SQL, over ``days`` days.

    Same shape as the consultants' events (15 minutes to 2 hours, 45 % free, 2 % archived); each has
    one attendee, one of the seeded client contacts.
    """
    cr = env.cr
    cr.execute("SELECT array_agg(id ORDER BY id) FROM res_partner WHERE email LIKE %s", ["%@bench-client.example"])
    people = cr.fetchone()[0]
    if not people:
        raise SystemExit("no client contacts: seed the database first")
    cr.execute("SELECT setseed(%s)", [(seed % 1000) / 1000.0])
    cr.execute("""
        INSERT INTO calendar_event (name, start, stop, allday, duration, user_id, show_as, active,
                                    recurrency, follow_recurrence, create_uid, create_date, write_uid, write_date)
        SELECT 'Bench other meeting', slot.start, slot.start + slot.minutes * interval '1 minute', FALSE,
               slot.minutes / 60.0, %(uid)s, CASE WHEN random() < 0.45 THEN 'free' ELSE 'busy' END,
               random() >= 0.02, FALSE, FALSE, %(uid)s, %(now)s, %(uid)s, %(now)s
          FROM (SELECT %(first)s + floor(random() * %(quarters)s) * interval '15 minutes' AS start,
                       (ARRAY[15, 15, 30, 30, 45, 60, 90, 120])[1 + floor(random() * 8)::int] AS minutes
                  FROM generate_series(1, %(count)s)) slot
    """, {"uid": env.uid, "now": now.replace(tzinfo=None), "count": count, "quarters": days * 96,
          "first": now.replace(tzinfo=None, hour=0, minute=0, second=0, microsecond=0)})
    cr.execute("""
        INSERT INTO calendar_attendee (event_id, partner_id, common_name, access_token, state,
                                       create_uid, create_date, write_uid, write_date,
                                       voltaic_event_start, voltaic_event_stop, voltaic_event_allday,
                                       voltaic_event_active, voltaic_event_show_as)
        SELECT event.id, (%(people)s::int[])[1 + event.id %% %(size)s], 'Bench Client', md5(event.id::text),
               'accepted', %(uid)s, %(now)s, %(uid)s, %(now)s,
               event.start, event.stop, event.allday, event.active, event.show_as
          FROM calendar_event event
          LEFT JOIN calendar_attendee attendee ON attendee.event_id = event.id
         WHERE event.name = 'Bench other meeting' AND attendee.id IS NULL
    """, {"people": people, "size": len(people), "uid": env.uid, "now": now.replace(tzinfo=None)})
    cr.execute("""
        INSERT INTO calendar_event_res_partner_rel (calendar_event_id, res_partner_id)
        SELECT attendee.event_id, attendee.partner_id
          FROM calendar_attendee attendee
          JOIN calendar_event event ON event.id = attendee.event_id
          LEFT JOIN calendar_event_res_partner_rel rel ON rel.calendar_event_id = event.id
         WHERE event.name = 'Bench other meeting' AND rel.calendar_event_id IS NULL
    """)
    return count


def vacuum(registry):
    with registry.cursor() as cr:
        cr._cnx.autocommit = True  # VACUUM runs outside a transaction
        try:
            cr.execute("VACUUM ANALYZE calendar_event, calendar_attendee, calendar_event_res_partner_rel, "
                       "voltaic_booking")
        finally:
            cr._cnx.autocommit = False
        cr.execute("SELECT count(*) FROM calendar_event")
        return cr.fetchone()[0]


def check_busy(env, consultants, now, days):
    """Availability sees the seeded events: the busy time of a consultant is exactly that of the busy, active,
    not declined events it attends (read here from calendar_event itself; all-day ones as whole local days)
    and of its bookings. Returns the number of those events and bookings."""
    from odoo.addons.voltaic_booking.lib.slots import merge_intervals, to_seconds

    consultant = consultants[0]
    zone = consultant._zone()
    start, end = now, now + timedelta(days=days)
    busy, _day_counts = consultant._get_busy_intervals(start, end)
    env.cr.execute("""
        SELECT DISTINCT event.id, event.start, event.stop, event.allday, event.start_date, event.stop_date
          FROM calendar_event event
          JOIN calendar_attendee attendee ON attendee.event_id = event.id
         WHERE attendee.partner_id = %s AND attendee.state != 'declined'
           AND event.active AND event.show_as = 'busy'
           AND event.start < %s AND event.stop > %s
    """, [consultant.partner_id.id, end.replace(tzinfo=None), (start - timedelta(days=1)).replace(tzinfo=None)])
    expected = []
    for _id, event_start, event_stop, allday, start_date, stop_date in env.cr.fetchall():
        if allday and start_date and stop_date:
            expected.append((datetime.combine(start_date, datetime.min.time(), tzinfo=zone),
                             datetime.combine(stop_date + timedelta(days=1), datetime.min.time(), tzinfo=zone)))
        else:
            expected.append((event_start.replace(tzinfo=UTC), event_stop.replace(tzinfo=UTC)))
    bookings = env["voltaic.booking"].search([("consultant_id", "=", consultant.id), ("state", "=", "confirmed")])
    expected += [(booking.blocked_start.replace(tzinfo=UTC), booking.blocked_stop.replace(tzinfo=UTC))
                 for booking in bookings]

    def in_utc(intervals):  # busy time comes in seconds since the epoch (lib/slots.to_seconds)
        return merge_intervals([(to_seconds(a), to_seconds(b, ceil=True)) for a, b in intervals])

    if in_utc(busy[consultant.id]) != in_utc(expected):
        raise SystemExit(f"seed check failed: the busy time of {consultant.name} is not that of its "
                         f"{len(expected)} busy events and bookings")
    return len(expected)


def main(argv=None):
    args = parse_args(argv if argv is not None else sys.argv[1:])
    import odoo
    from odoo import api
    from odoo.modules.registry import Registry
    from odoo.tools import config

    config.parse_config(["-c", args.config, "-d", args.database, "--log-level=warn"], setup_logging=True)
    rng = random.Random(args.seed)
    clock = time.monotonic()
    registry = Registry(args.database)
    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True, "mail_create_nolog": True,
                                                      "mail_create_nosubscribe": True,
                                                      "no_mail_to_attendees": True})
        seeded = env["voltaic.consultant"].search([("user_id.login", "=like", "bench_consultant_%")])
        if args.other_events:
            if not seeded:
                raise SystemExit(f"{args.database} is not seeded yet: seed it first, then add --other-events")
            before = check_busy(env, seeded, datetime.now(UTC), args.days)
            step = time.monotonic()
            insert_other_events(env, args.other_events, args.days, datetime.now(UTC), args.seed)
            after = check_busy(env, seeded, datetime.now(UTC), args.days)
            if after != before:
                raise SystemExit(f"seed check failed: {seeded[0].name} went from {before} to {after} busy intervals")
            print(f"seed: {args.other_events} events of other people, {seeded[0].name} still has {after} busy "
                  f"intervals [{time.monotonic() - step:.1f}s]", flush=True)
            cr.commit()
        elif seeded:
            raise SystemExit(f"{args.database} is already seeded")
    if args.other_events:
        total = vacuum(registry)
        print(f"seed: done, {total} calendar events in {args.database} [{time.monotonic() - clock:.1f}s]", flush=True)
        return
    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {"tracking_disable": True, "mail_create_nolog": True,
                                                      "mail_create_nosubscribe": True,
                                                      "no_mail_to_attendees": True})
        env["ir.config_parameter"].set_param("voltaic_booking.rate_limit_per_minute", "0")
        now = datetime.now(UTC)
        calendars = make_calendars(env)
        consultants = make_consultants(env, calendars, args.consultants, rng)
        make_leaves(env, calendars, consultants, now.date(), rng)
        clients = make_clients(env, CLIENT_POOL)
        env.flush_all()
        print(f"seed: {len(consultants)} consultants on {len(calendars)} calendars "
              f"({', '.join(calendars.mapped('tz'))}), {len(clients)} client contacts "
              f"[{time.monotonic() - clock:.1f}s]", flush=True)

        step = time.monotonic()
        inserted = insert_events(env, event_rows(consultants, clients, args.events, args.days, now, rng))
        print(f"seed: {inserted} calendar events over {args.days} days [{time.monotonic() - step:.1f}s]", flush=True)

        step = time.monotonic()
        made = make_bookings(env, consultants, args.bookings, now, rng)
        env.flush_all()
        print(f"seed: {made} bookings through the booking service [{time.monotonic() - step:.1f}s]", flush=True)
        team = make_team(env, consultants)
        print(f"seed: team {team.name!r} of {len(consultants)} consultants", flush=True)
        found = check_busy(env, consultants, now, args.days)
        print(f"seed: check ok, {consultants[0].name} has {found} busy intervals in {args.days} days", flush=True)
        cr.commit()
    total = vacuum(registry)
    print(f"seed: done, {total} calendar events in {args.database} [{time.monotonic() - clock:.1f}s]", flush=True)


if __name__ == "__main__":
    main()
