#!/usr/bin/env python3
"""200 clients book the same slot at the same moment: exactly one wins.

    python3 bench/bench_concurrent_booking.py --url http://127.0.0.1:8124 -d DB
    python3 bench/bench_concurrent_booking.py -c ODOO_CONF -d DB --port 8124   # starts a server with workers

Picks a free slot of a consultant from the API, then releases ``--clients``
threads at once (a barrier), each POSTing ``/api/consultations`` for that
slot with its own client email and its own ``Idempotency-Key``, all to
127.0.0.1. At most ``--connections`` requests are open at a time (default
20): Odoo's prefork server listens with a backlog of 8 x workers (16 for
two workers) and the kernel resets connections beyond it, where a reverse
proxy would queue them. The server works on ``--workers`` requests at a
time whatever the client does, so all of them still race for the slot. A
request whose connection fails is retried with its Idempotency-Key, as a
client should (counted as "retries"). Prints the answers (201 / 409 /
other 4xx / 5xx / connection errors) and then checks in the database
(``-d``; PostgreSQL through libpq, ``PGHOST`` etc. honoured) that the slot
has exactly one booking, one opportunity and one meeting, and that the
409 answers are clean ``slot_unavailable`` errors with alternatives.

The per-IP rate limit must be off (``voltaic_booking.rate_limit_per_minute``
= 0, as ``bench/seed.py`` sets it), or most answers would be 429.
Exits non-zero unless: one 201, all others 409, no 5xx, and 1/1/1 in the DB.
"""

import argparse
import random
import threading
import time
import uuid
from collections import Counter
from datetime import datetime, timedelta, timezone

import psycopg2
import requests
from benchlib import main_with_server

UTC = timezone.utc


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="base URL of a running server (with workers)")
    parser.add_argument("-c", "--config", help="Odoo config, to start a server when --url is not given")
    parser.add_argument("-d", "--database", required=True, help="the server's database, for the checks")
    parser.add_argument("--port", type=int, default=8124)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--connections", type=int, default=20, help="requests open at a time")
    parser.add_argument("--retries", type=int, default=3, help="retries of a request whose connection fails")
    parser.add_argument("--consultant", type=int, help="consultant id (default: a random one)")
    parser.add_argument("--timeout", type=float, default=180.0)
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args(argv)
    if not args.url and not args.config:
        parser.error("give --url, or -c CONFIG to start a server")
    return args


def sql(dbname, query, params=()):
    with psycopg2.connect(dbname=dbname) as connection, connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall()


def pick_slot(url, rng, consultant_id=None):
    consultants = requests.get(f"{url}/api/consultations/consultants", timeout=60).json()["consultants"]
    if consultant_id:
        consultants = [c for c in consultants if c["id"] == consultant_id]
    rng.shuffle(consultants)
    today = datetime.now(UTC).date()
    for consultant in consultants:
        duration = consultant["durations"][0]
        answer = requests.get(f"{url}/api/consultations/slots", timeout=60, params={
            "consultant": consultant["id"], "duration": duration, "tz": "Europe/Berlin",
            "start": (today + timedelta(days=2)).isoformat(), "end": (today + timedelta(days=15)).isoformat(),
        }).json()
        if answer["slots"]:
            return consultant, duration, answer["slots"][len(answer["slots"]) // 2]["start"]
    raise SystemExit("no free slot found: seed the database first (bench/seed.py)")


def run(url, args):
    rng = random.Random(args.seed)
    limit = sql(args.database, "SELECT value FROM ir_config_parameter WHERE key = %s",
                ["voltaic_booking.rate_limit_per_minute"])
    if not limit or limit[0][0].strip() != "0":
        raise SystemExit("set the system parameter voltaic_booking.rate_limit_per_minute to 0 first "
                         f"(it is {limit[0][0] if limit else 'unset (10)'}): the rate limit would answer 429")
    consultant, duration, start = pick_slot(url, rng, args.consultant)
    run_id = uuid.uuid4().hex[:8]
    email_pattern = f"race-{run_id}-%@bench-client.example"
    print(f"slot: consultant {consultant['id']} ({consultant['name']}), {start}, {duration} min; "
          f"{args.clients} clients race-{run_id}-NNN@bench-client.example released at once, "
          f"at most {args.connections} connections open")

    barrier = threading.Barrier(args.clients)
    gate = threading.BoundedSemaphore(args.connections)
    results = [None] * args.clients
    retries = Counter()

    def client(index):
        payload = {
            "consultant": consultant["id"], "start": start, "duration": duration,
            "meeting_type": consultant["meeting_types"][0], "tz": "Europe/Berlin",
            "first_name": "Race", "last_name": f"Client {index:03d}",
            "email": f"race-{run_id}-{index:03d}@bench-client.example",
            "subject": "Concurrency benchmark", "language": "en",
            "terms_accepted": True, "privacy_accepted": True,
        }
        headers = {"Idempotency-Key": f"race-{run_id}-{index:03d}"}
        barrier.wait()
        started = time.perf_counter()
        for attempt in range(args.retries + 1):
            try:
                with gate:
                    response = requests.post(f"{url}/api/consultations", json=payload, headers=headers,
                                             timeout=args.timeout)
                break
            except requests.ConnectionError as error:
                if attempt == args.retries:
                    results[index] = ("error", f"{type(error).__name__}: {error}", time.perf_counter() - started)
                    return
                retries[index] += 1
                time.sleep(0.2 * (attempt + 1))
            except requests.RequestException as error:
                results[index] = ("error", f"{type(error).__name__}: {error}", time.perf_counter() - started)
                return
        try:
            body = response.json()
        except ValueError:
            body = response.text[:200]
        results[index] = (response.status_code, body, time.perf_counter() - started)

    threads = [threading.Thread(target=client, args=(index,)) for index in range(args.clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started

    statuses = Counter(result[0] for result in results)
    created = [result for result in results if result[0] == 201]
    conflicts = [result for result in results if result[0] == 409]
    clean_conflicts = [
        result for result in conflicts
        if isinstance(result[1], dict) and result[1].get("error", {}).get("code") == "slot_unavailable"
        and isinstance(result[1]["error"].get("alternatives"), list)
    ]
    with_alternatives = [result for result in clean_conflicts if result[1]["error"]["alternatives"]]
    other_4xx = {code: count for code, count in statuses.items() if isinstance(code, int) and 400 <= code < 500
                 and code != 409}
    server_errors = {code: count for code, count in statuses.items() if isinstance(code, int) and code >= 500}
    latencies = sorted(result[2] for result in results)
    print(f"answers in {wall:.1f}s: 201={statuses.get(201, 0)} 409={statuses.get(409, 0)} "
          f"(clean slot_unavailable {len(clean_conflicts)}, with alternatives {len(with_alternatives)}) "
          f"other 4xx={sum(other_4xx.values())} {other_4xx or ''} 5xx={sum(server_errors.values())} "
          f"{server_errors or ''} connection errors={statuses.get('error', 0)} "
          f"(retried connections: {sum(retries.values())})")
    print(f"latency: fastest {latencies[0] * 1000:.0f} ms, median {latencies[len(latencies) // 2] * 1000:.0f} ms, "
          f"slowest {latencies[-1] * 1000:.0f} ms")
    for code in [*other_4xx, *server_errors, *(["error"] if statuses.get("error") else [])]:
        sample = next(result[1] for result in results if result[0] == code)
        print(f"  sample {code}: {str(sample)[:300]}")

    naive_start = datetime.fromisoformat(start.replace("Z", "+00:00")).astimezone(UTC).replace(tzinfo=None)
    slot_bookings = sql(args.database, """
        SELECT count(*) FROM voltaic_booking
         WHERE consultant_id = %s AND start = %s AND state IN ('confirmed', 'completed', 'no_show')
    """, [consultant["id"], naive_start])[0][0]
    race_bookings = sql(args.database, "SELECT count(*) FROM voltaic_booking WHERE email LIKE %s",
                        [email_pattern])[0][0]
    race_leads = sql(args.database, "SELECT count(*) FROM crm_lead WHERE email_from LIKE %s", [email_pattern])[0][0]
    race_events = sql(args.database, """
        SELECT count(DISTINCT event.id)
          FROM calendar_event event
          JOIN calendar_attendee attendee ON attendee.event_id = event.id
          JOIN res_partner partner ON partner.id = attendee.partner_id
         WHERE partner.email LIKE %s
    """, [email_pattern])[0][0]
    slot_events = sql(args.database, """
        SELECT count(*) FROM calendar_event event
          JOIN voltaic_consultant consultant ON consultant.id = %s
          JOIN calendar_attendee attendee
            ON attendee.event_id = event.id AND attendee.partner_id = consultant.partner_id
         WHERE event.start = %s AND event.active AND event.show_as = 'busy'
    """, [consultant["id"], naive_start])[0][0]
    race_partners = sql(args.database, "SELECT count(*) FROM res_partner WHERE email LIKE %s", [email_pattern])[0][0]
    print(f"database: bookings for the slot={slot_bookings} (of these clients {race_bookings}), "
          f"leads={race_leads}, events={race_events} (busy events of the consultant at that start {slot_events}), "
          f"client partners={race_partners}")

    ok = (len(created) == 1 and len(clean_conflicts) == args.clients - 1 and not server_errors
          and not statuses.get("error") and slot_bookings == race_bookings == race_leads == race_events == 1
          and slot_events == 1)
    print(f"result: {'OK' if ok else 'FAILED'} (expected 1 x 201, {args.clients - 1} x 409, no 5xx; "
          "1 booking, 1 lead, 1 event)")
    return ok


def main(argv=None):
    main_with_server(parse_args, run, argv)


if __name__ == "__main__":
    main()
