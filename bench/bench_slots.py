#!/usr/bin/env python3
"""Latency of the public availability API over HTTP.

    python3 bench/bench_slots.py --url http://127.0.0.1:8124          # a running server (with workers)
    python3 bench/bench_slots.py -c ODOO_CONF -d DB --port 8124        # start one with --workers=2

Measures, one request at a time (``--concurrency`` for more):

- ``GET /api/consultations/slots`` for 60 days (today .. today + 59) for a
  random consultant, one of its durations and a random client zone,
  ``--requests`` times (default 200);
- ``GET /api/consultations/consultants`` ``--list-requests`` times;
- ``GET /api/consultations/slots?team=`` for 60 days for the first published
  team (``bench/seed.py`` makes one of all 20 consultants), one of its durations
  and a random zone, ``--team-requests`` times: the union of the members'
  slots, printed beside the single-consultant figure (target ``--team-target-ms``,
  default 150; ``--team-requests 0`` skips it).

``--save FILE`` writes the single-consultant p95 (with ``--label``, e.g. the
number of events); ``--baseline FILE`` prints the p95 of this run beside the
saved one and fails when it grew by more than ``--max-growth`` (default 25 %):
``bench/run`` with ``VB_BENCH_SCALE=1`` runs it at 50,000 events, grows the
calendar table to 500,000 (``seed.py --other-events``), and runs it again.

A few warm-up requests come first (each worker loads the registry on its
first request) and are not counted. Prints p50/p95/max in milliseconds and
exits non-zero when the slots p95 misses ``--target-ms`` (default 150).
"""

import argparse
import json
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import requests
from benchlib import main_with_server, meets_target, percentile, summary

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
    parser.add_argument("--team-requests", type=int, default=None, help="default: --requests")
    parser.add_argument("--team-target-ms", type=float, default=150.0)
    parser.add_argument("--label", default="", help="what this run measures, e.g. '50,000 events'")
    parser.add_argument("--save", help="write the single-consultant slots p95 (and --label) to this JSON file")
    parser.add_argument("--baseline", help="a file written by --save: print this run's p95 beside it")
    parser.add_argument("--max-growth", type=float, default=25.0, help="percent, with --baseline")
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
    ok = meets_target("slots", slot_times, args.target_ms)
    single_p95 = percentile(slot_times, 0.95)
    team_requests = args.requests if args.team_requests is None else args.team_requests
    if team_requests:
        ok = run_team(session, url, args, rng, first, last, team_requests, single_p95) and ok
    if args.save:
        with open(args.save, "w", encoding="utf-8") as saved:
            json.dump({"p95": single_p95, "label": args.label}, saved)
    if args.baseline:
        ok = compare_with_baseline(args, single_p95) and ok
    return ok


def run_team(session, url, args, rng, first, last, count, single_p95):
    """The team's slots (union of its members') for the same range, beside the single-consultant p95."""
    _elapsed, listing = timed_get(session, f"{url}/api/consultations/teams")
    if not listing["teams"]:
        print("team slots: no published team (bench/seed.py makes one), skipped")
        return True
    team = listing["teams"][0]

    def team_params():
        return {"team": team["id"], "duration": rng.choice(team["durations"]), "start": first, "end": last,
                "tz": rng.choice(CLIENT_ZONES)}

    for _i in range(args.warmup):
        timed_get(session, f"{url}/api/consultations/slots", team_params())
    times, answers = [], []
    for _i in range(count):
        elapsed, data = timed_get(session, f"{url}/api/consultations/slots", team_params())
        times.append(elapsed)
        answers.append(len(data["slots"]))
    print(summary(f"GET /api/consultations/slots?team= ({team['member_count']} members, {args.days} days)", times)
          + f" | slots per answer: min {min(answers)} avg {sum(answers) / len(answers):.0f} max {max(answers)}")
    print(f"slots p95: team {percentile(times, 0.95):.1f} ms beside one consultant {single_p95:.1f} ms")
    return meets_target("team slots", times, args.team_target_ms)


def compare_with_baseline(args, p95):
    with open(args.baseline, encoding="utf-8") as saved:
        baseline = json.load(saved)
    growth = (p95 / baseline["p95"] - 1) * 100 if baseline["p95"] else float("inf")
    ok = growth <= args.max_growth
    print(f"single-consultant slots p95: {baseline['p95']:.1f} ms ({baseline['label'] or 'baseline'}) -> "
          f"{p95:.1f} ms ({args.label or 'this run'}): {growth:+.0f} %, target <= +{args.max_growth:.0f} %: "
          f"{'OK' if ok else 'MISSED'}")
    return ok


def main(argv=None):
    main_with_server(parse_args, run, argv)


if __name__ == "__main__":
    main()
