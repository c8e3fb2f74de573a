#!/usr/bin/env python3
"""A burst of bookings for ONE consultant at different times: rate, server time, retries, 5xx.

    python3 bench/bench_burst.py --url http://127.0.0.1:8124 -d DB --log SERVER_LOG
    python3 bench/bench_burst.py -c ODOO_CONF -d DB --port 8124 --workers 4   # starts a server

Picks the consultant with the most free time (from the API), makes sure it
has a daily limit that the run never reaches (``--daily-limit``, default 50:
the limit's check runs on every booking, as for a consultant who has one),
and picks non-overlapping free slots of it (buffers included). Then:

1. ``--sequential`` bookings one after the other (one client);
2. ``--burst`` bookings by ``--clients`` concurrent clients, each on its own slot.

Prints the booking rate of both phases, the server time per booking (p50 /
p95, from the ``werkzeug`` lines of the server log: query time + the rest;
the client's round trip when no log is given), the 5xx answers, and the
serialization retries Odoo logged ("SERIALIZATION_FAILURE, N tries left").
Targets (issue 17, 2-core machine): 0 retries, 0 x 5xx, burst rate >= 0.8 x
sequential rate, server time p50 <= 150 ms. Exits non-zero when one is missed.

The per-IP rate limit must be off (``voltaic_booking.rate_limit_per_minute`` = 0,
as ``bench/seed.py`` sets it). The bookings made stay in the database.
"""

import argparse
import queue
import re
import threading
import time
import uuid
from collections import Counter
from datetime import datetime, timedelta, timezone

import psycopg2
import requests
from benchlib import odoo_server, percentile

UTC = timezone.utc
PERF_RE = re.compile(r'"POST /api/consultations HTTP/[0-9.]+" (\d{3}) - (\d+) ([0-9.]+) ([0-9.]+)')
RETRY_RE = re.compile(r"odoo\.service\.model: [A-Z_]+, [0-9]+ tries left")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="base URL of a running server (with workers)")
    parser.add_argument("-c", "--config", help="Odoo config, to start a server when --url is not given")
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--log", help="the server's log file (server time per request, retries)")
    parser.add_argument("--port", type=int, default=8124)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--sequential", type=int, default=20)
    parser.add_argument("--burst", type=int, default=40)
    parser.add_argument("--daily-limit", type=int, default=50)
    parser.add_argument("--consultant", type=int, help="consultant id (default: the one with most free slots)")
    parser.add_argument("--timeout", type=float, default=120.0)
    args = parser.parse_args(argv)
    if not args.url and not args.config:
        parser.error("give --url, or -c CONFIG to start a server")
    return args


def sql(dbname, query, params=()):
    with psycopg2.connect(dbname=dbname) as connection, connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall() if cursor.description else None


def pick_slots(url, database, wanted, consultant_id=None):
    """``(consultant, duration, [start, ...])``: ``wanted`` non-overlapping free slots of one consultant."""
    consultants = requests.get(f"{url}/api/consultations/consultants", timeout=60).json()["consultants"]
    if consultant_id:
        consultants = [c for c in consultants if c["id"] == consultant_id]
    today = datetime.now(UTC).date()
    best = None
    for consultant in consultants:
        duration = consultant["durations"][0]
        before, after = sql(database, "SELECT buffer_before_minutes, buffer_after_minutes FROM voltaic_consultant "
                                      "WHERE id = %s", [consultant["id"]])[0]
        gap = timedelta(minutes=duration + (before or 0) + (after or 0))
        slots = requests.get(f"{url}/api/consultations/slots", timeout=60, params={
            "consultant": consultant["id"], "duration": duration, "tz": "UTC",
            "start": (today + timedelta(days=2)).isoformat(), "end": (today + timedelta(days=60)).isoformat(),
        }).json()["slots"]
        chosen, last = [], None
        for slot in slots:
            start = datetime.fromisoformat(slot["start"].replace("Z", "+00:00"))
            if last is None or start >= last + gap:
                chosen.append(slot["start"])
                last = start
        if best is None or len(chosen) > len(best[2]):
            best = (consultant, duration, chosen)
    if not best or len(best[2]) < wanted:
        raise SystemExit(f"no consultant with {wanted} non-overlapping free slots: seed the database first")
    consultant, duration, chosen = best
    # every other slot, so that each booking keeps a free slot between it and the next (no buffer surprises)
    spread = chosen[::2] if len(chosen) >= 2 * wanted else chosen
    return consultant, duration, spread[:wanted]


class LogWindow:
    """The server log lines written between ``start()`` and ``lines()``."""

    def __init__(self, path):
        self.path = path
        self.offset = 0

    def start(self):
        if self.path:
            with open(self.path, "rb") as log:
                log.seek(0, 2)
                self.offset = log.tell()

    def lines(self):
        if not self.path:
            return []
        time.sleep(0.5)  # let the workers write their last lines
        with open(self.path, "rb") as log:
            log.seek(self.offset)
            return log.read().decode("utf-8", "replace").splitlines()


def book(url, consultant, duration, start, run_id, index, timeout):
    payload = {
        "consultant": consultant["id"], "start": start, "duration": duration,
        "meeting_type": consultant["meeting_types"][0], "tz": "Europe/Berlin",
        "first_name": "Burst", "last_name": f"Client {index:03d}",
        "email": f"burst-{run_id}-{index:03d}@bench-client.example",
        "subject": "Burst benchmark", "language": "en", "terms_accepted": True, "privacy_accepted": True,
    }
    started = time.perf_counter()
    try:
        response = requests.post(f"{url}/api/consultations", json=payload, timeout=timeout,
                                 headers={"Idempotency-Key": f"burst-{run_id}-{index:03d}"})
        status = response.status_code
    except requests.RequestException as error:
        status = f"error {type(error).__name__}"
    return status, (time.perf_counter() - started) * 1000


def phase(label, url, consultant, duration, starts, clients, run_id, first_index, log_window, timeout):
    log_window.start()
    todo = queue.Queue()
    for offset, start in enumerate(starts):
        todo.put((first_index + offset, start))
    results = []

    def client():
        while True:
            try:
                index, start = todo.get_nowait()
            except queue.Empty:
                return
            results.append(book(url, consultant, duration, start, run_id, index, timeout))

    threads = [threading.Thread(target=client) for _index in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    lines = log_window.lines()
    server_ms = [(float(m[3]) + float(m[4])) * 1000 for m in map(PERF_RE.search, lines) if m]
    source = "server log"
    if not server_ms:
        server_ms, source = [elapsed for _status, elapsed in results], "round trip"
    statuses = Counter(status for status, _elapsed in results)
    retries = sum(1 for line in lines if RETRY_RE.search(line))
    five_xx = sum(count for status, count in statuses.items() if isinstance(status, int) and status >= 500)
    rate = len(starts) / wall
    print(f"{label}: {len(starts)} bookings, {clients} client(s), {wall:.1f}s -> {rate:.2f} bookings/s; "
          f"answers {dict(statuses)}; server time ({source}) p50={percentile(server_ms, 0.5):.0f} ms "
          f"p95={percentile(server_ms, 0.95):.0f} ms max={max(server_ms):.0f} ms; "
          f"client round trip p50={percentile([e for _s, e in results], 0.5):.0f} ms "
          f"max={max(e for _s, e in results):.0f} ms; serialization retries in the log={retries}; 5xx={five_xx}")
    return {"rate": rate, "p50": percentile(server_ms, 0.5), "p95": percentile(server_ms, 0.95),
            "retries": retries, "5xx": five_xx, "created": statuses.get(201, 0)}


def run(url, args, log_path):
    limit = sql(args.database, "SELECT value FROM ir_config_parameter WHERE key = %s",
                ["voltaic_booking.rate_limit_per_minute"])
    if not limit or limit[0][0].strip() != "0":
        raise SystemExit("set the system parameter voltaic_booking.rate_limit_per_minute to 0 first")
    consultant, duration, starts = pick_slots(url, args.database, args.sequential + args.burst, args.consultant)
    sql(args.database, "UPDATE voltaic_consultant SET daily_booking_limit = %s WHERE id = %s",
        [args.daily_limit, consultant["id"]])
    run_id = uuid.uuid4().hex[:8]
    print(f"consultant {consultant['id']} ({consultant['name']}), {duration} min, daily limit {args.daily_limit}; "
          f"{len(starts)} non-overlapping free slots from {starts[0]} to {starts[-1]}")
    log_window = LogWindow(log_path)
    sequential = phase("sequential", url, consultant, duration, starts[:args.sequential], 1, run_id, 0,
                       log_window, args.timeout)
    burst = phase(f"burst ({args.clients} concurrent clients)", url, consultant, duration,
                  starts[args.sequential:], args.clients, run_id, args.sequential, log_window, args.timeout)
    checks = [
        ("every booking created", sequential["created"] + burst["created"] == len(starts)),
        ("0 serialization retries", sequential["retries"] + burst["retries"] == 0),
        ("0 x 5xx", sequential["5xx"] + burst["5xx"] == 0),
        (f"burst rate >= 0.8 x sequential ({burst['rate']:.2f} vs {sequential['rate']:.2f}/s)",
         burst["rate"] >= 0.8 * sequential["rate"]),
        (f"server time p50 <= 150 ms (sequential {sequential['p50']:.0f} ms)", sequential["p50"] <= 150),
    ]
    for label, ok in checks:
        print(f"  {'OK    ' if ok else 'MISSED'} {label}")
    return all(ok for _label, ok in checks)


def main(argv=None):
    args = parse_args(argv)
    if args.url:
        ok = run(args.url.rstrip("/"), args, args.log)
    else:
        log_path = args.log or f"/tmp/vb-bench-burst-{uuid.uuid4().hex[:8]}.log"
        with odoo_server(args.config, args.database, args.port, workers=args.workers, log_file=log_path) as url:
            ok = run(url, args, log_path)
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
