#!/usr/bin/env python3
"""Server time of the public booking page (/book-consultation) over HTTP.

    python3 bench/bench_booking_page.py --url http://127.0.0.1:8124     # a running server (with workers)
    python3 bench/bench_booking_page.py -c ODOO_CONF -d DB --port 8124   # start one with --workers=2

On a database seeded by ``bench/seed.py`` (20 consultants, 50,000 events),
measures one request at a time, after a few warm-up requests:

- ``GET /book-consultation`` (step 1: every consultant's card with the next
  free slot and the free ranges of the next two weeks, batched);
- ``GET /book-consultation/<slug>`` for a random consultant (profile, step 2).

The page's own server time is what Odoo logs for the request; over a local
connection the client-side time is that plus a millisecond or two, so the
client-side figures are reported. Exits non-zero when the p95 of the index
page misses ``--target-ms`` (default 300).
"""

import argparse
import random
import re
import time

import requests
from benchlib import main_with_server, meets_target, summary


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="base URL of a running server, e.g. http://127.0.0.1:8124")
    parser.add_argument("-c", "--config", help="Odoo config, to start a server when --url is not given")
    parser.add_argument("-d", "--database")
    parser.add_argument("--port", type=int, default=8124)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--warmup", type=int, default=6)
    parser.add_argument("--target-ms", type=float, default=300.0)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    if not args.url and not (args.config and args.database):
        parser.error("give --url, or -c CONFIG -d DATABASE to start a server")
    return args


def timed_get(session, url):
    started = time.perf_counter()
    response = session.get(url, timeout=60, allow_redirects=False)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise SystemExit(f"GET {url} answered {response.status_code}: {response.text[:300]}")
    return elapsed, response.text


def run(url, args):
    rng = random.Random(args.seed)
    session = requests.Session()
    _elapsed, index = timed_get(session, f"{url}/book-consultation")
    profiles = sorted(set(re.findall(r'data-profile-url="(/book-consultation/[\w-]+)"', index)))
    cards = index.count("o_vbw_card_col")
    bookable = index.count('data-bookable="1"')
    if not profiles:
        raise SystemExit("no consultant on the page: seed the database first (bench/seed.py)")
    for _index in range(args.warmup):
        timed_get(session, f"{url}/book-consultation")
        timed_get(session, f"{url}{rng.choice(profiles)}")

    index_times = [timed_get(session, f"{url}/book-consultation")[0] for _index in range(args.requests)]
    profile_times = [timed_get(session, f"{url}{rng.choice(profiles)}")[0] for _index in range(args.requests // 2)]

    print(f"consultants on the page: {cards} ({bookable} with a free slot)")
    print(summary("GET /book-consultation", index_times))
    print(summary("GET /book-consultation/<slug>", profile_times))
    return meets_target("booking page", index_times, args.target_ms)


def main(argv=None):
    main_with_server(parse_args, run, argv)


if __name__ == "__main__":
    main()
