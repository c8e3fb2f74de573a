"""Small helpers shared by the benchmark scripts (no Odoo import: they talk HTTP and SQL)."""

import math
import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager

import requests


def percentile(values, fraction):
    """Nearest-rank percentile of ``values`` (``fraction`` in 0..1)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def summary(label, durations_ms):
    return (f"{label}: n={len(durations_ms)} p50={percentile(durations_ms, 0.5):.1f} ms "
            f"p95={percentile(durations_ms, 0.95):.1f} ms max={max(durations_ms):.1f} ms "
            f"mean={sum(durations_ms) / len(durations_ms):.1f} ms")


def meets_target(label, durations_ms, target_ms):
    """Print whether the p95 of ``durations_ms`` is under ``target_ms``; return that."""
    p95 = percentile(durations_ms, 0.95)
    verdict = "OK" if p95 < target_ms else "MISSED"
    print(f"{label} p95 target < {target_ms:.0f} ms: {verdict} ({p95:.1f} ms)")
    return p95 < target_ms


def main_with_server(parse_args, run, argv=None):
    """The scripts' entry point: ``run(url, args)`` against ``--url``, or a server started for the run."""
    args = parse_args(argv if argv is not None else sys.argv[1:])
    if args.url:
        ok = run(args.url.rstrip("/"), args)
    else:
        with odoo_server(args.config, args.database, args.port, workers=args.workers) as url:
            ok = run(url, args)
    sys.exit(0 if ok else 1)


def wait_until_up(url, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{url}/web/health", timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise SystemExit(f"the Odoo server at {url} did not answer /web/health within {timeout}s")


LAUNCHER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "odoo_server.py")


@contextmanager
def odoo_server(config, database, port, workers=2, log_file=None, extra_args=()):
    """Start ``odoo-bin`` with workers on 127.0.0.1:``port`` for ``database``; stop it afterwards."""
    command = [
        sys.executable, LAUNCHER, "-c", config, "-d", database, f"--db-filter=^{database}$",
        "--http-interface=127.0.0.1", f"--http-port={port}", f"--gevent-port={port + 1}",
        f"--workers={workers}", "--max-cron-threads=0", "--db_maxconn=32",
        "--limit-time-real=300", "--limit-time-cpu=120", "--log-level=info", *extra_args,
    ]
    log = open(log_file, "ab") if log_file else subprocess.DEVNULL
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url)
        yield url
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        if log_file:
            log.close()
