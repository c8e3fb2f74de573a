#!/usr/bin/env python3
"""Latency of the public availability API over HTTP.

    python3 bench/bench_slots.py --url http://127.0.0.1:8124          # a running server (with workers)
    python3 bench/bench_slots.py -c ODOO_CONF -d DB --port 8124        # start one with --workers=2

Measures, one request at a time (``--concurrency`` for more):

- ``GET /api/consultations/slots`` for 60 days (today .. today + 59) for a
  random consultant, one of its durations and a random client zone,
  ``--requests`` times (default 200);
- ``GET /api/consultations/consultants`` ``--list-requests`` times.

A few warm-up requests come first (each worker loads the registry on its
first request) and are not counted. Prints p50/p95/max in milliseconds and
exits non-zero when the slots p95 misses ``--target-ms`` (default 150).
"""

import argparse
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import requests
from benchlib import main_with_server, meets_target, summary

UTC = timezone.utc

CLIENT_ZONES = ["Europe/Berlin", "Europe/London", "America/New_York", "Asia/Kolkata", "Pacific/Auckland",
                "Australia/Sydney", "UTC"]


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="base URL of a running server, e.g. http://127.0.0.1:8124")
    parser.add_argument("-c", "--config", help="Odoo config, to start a server when --url is not given")
    parser.add_argument("-d", "--database")
    parser.add_argument("--port", type=int, default=8124)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--list-requests", type=int, default=50)
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--target-ms", type=float, default=150.0)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    if not args.url and not (args.config and args.database):
        parser.error("give --url, or -c CONFIG -d DATABASE to start a server")
    return args


def timed_get(session, url, params=None):
    started = time.perf_counter()
    response = session.get(url, params=params, timeout=60)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise SystemExit(f"GET {response.url} answered {response.status_code}: {response.text[:300]}")
    return elapsed, response.json()


def run(url, args):
    rng = random.Random(args.seed)
    session = requests.Session()
    _elapsed, listing = timed_get(session, f"{url}/api/consultations/consultants")
    consultants = listing["consultants"]
    if not consultants:
        raise SystemExit("no consultant accepts bookings: seed the database first (bench/seed.py)")
    today = datetime.now(UTC).date()
    first, last = today.isoformat(), (today + timedelta(days=args.days - 1)).isoformat()

    def slot_params():
        consultant = rng.choice(consultants)
        return {"consultant": consultant["id"], "duration": rng.choice(consultant["durations"]),
                "start": first, "end": last, "tz": rng.choice(CLIENT_ZONES)}

    warmup = [timed_get(session, f"{url}/api/consultations/slots", slot_params())[0] for _i in range(args.warmup)]
    warmup += [timed_get(session, f"{url}/api/consultations/consultants")[0] for _i in range(args.warmup)]
    print(f"warm-up: {len(warmup)} requests, first {warmup[0]:.0f} ms, max {max(warmup):.0f} ms")

    params_list = [slot_params() for _i in range(args.requests)]
    answers = []
    per_thread = threading.local()

    def one_slots(params):
        if not hasattr(per_thread, "session"):  # requests.Session is not thread-safe: one per thread
            per_thread.session = requests.Session()
        elapsed, data = timed_get(per_thread.session, f"{url}/api/consultations/slots", params)
        answers.append(len(data["slots"]))
        return elapsed

    started = time.perf_counter()
    with ThreadPoolExecutor(args.concurrency) as pool:
        slot_times = list(pool.map(one_slots, params_list))
    wall = time.perf_counter() - started
    list_times = [timed_get(session, f"{url}/api/consultations/consultants")[0] for _i in range(args.list_requests)]

    print(f"consultants: {len(consultants)}; slot range {first} .. {last} ({args.days} days); "
          f"concurrency {args.concurrency}")
    print(summary(f"GET /api/consultations/slots ({args.days} days)", slot_times)
          + f" | {len(params_list) / wall:.1f} req/s, slots per answer: min {min(answers)} "
          f"avg {sum(answers) / len(answers):.0f} max {max(answers)}")
    print(summary("GET /api/consultations/consultants", list_times))
    return meets_target("slots", slot_times, args.target_ms)


def main(argv=None):
    main_with_server(parse_args, run, argv)


if __name__ == "__main__":
    main()
