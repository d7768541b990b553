#!/usr/bin/env python3
"""Benchmarks for the generated app, side by side with the pattern it replaces, two floors and
two peers a user would pick instead.

    make bench                 # the full comparison (about an hour on 2 quiet cores)
    make bench QUICK=1         # a smoke run: small data, short windows, one repetition
    make bench LEVERS=1        # each setting lever on its own vs the previous defaults (~50 min)
    make bench PROFILE=1       # a JDK Flight Recorder profile of the app draining a backlog
    .venv/bin/python bench/run.py --help

One run renders the template (Python, Java and Scala variants), starts a real local broker
(the project's kafka/broker.py), preloads each data set (datasets.py) into an input topic,
then measures (contenders.py says who):

1. throughput on the backlog (throughput.py): every contender on the same broker and data,
   each writing to its own output topic;
2. end-to-end latency (p50/p95/p99) at fixed input rates, micro-batch and real-time triggers
   (latency.py);
3. start-up to the first output record, cold (empty Ivy cache) and warm (startup.py);
4. with PROFILE=1 only: where the app's CPU goes (profile.py).

Results go to bench-results/<UTC timestamp>/: results.md, results.json, chart.png and logs/
(report.py, chart.py). The harness runs in its own venv (.cache/venvs/bench-pyspark-<version>,
from bench/requirements.txt); started with another Python it creates that venv and re-runs
itself. The peers get venvs of their own (peers.py).
"""

from __future__ import annotations

import signal
import sys
import tempfile
import time
from pathlib import Path

from .common import ensure_venv, say, show
from .settings import parse_args, settings_json


def main(argv: list[str]) -> int:
    s = parse_args(argv, __doc__.split("\n\n")[0])
    ensure_venv(f"bench.{Path(__file__).stem}")
    from . import session

    # Ctrl-C even when started in the background (where SIGINT is inherited as ignored).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, on_signal)
    s.out.mkdir(parents=True, exist_ok=True)
    (s.out / "logs").mkdir(exist_ok=True)
    say(f"bench: {'QUICK' if s.quick else 'full'} {s.mode} run -> {show(s.out)}")
    records = ", ".join(f"{name} {s.records[name]:,}" for name in s.data_sets)
    say(f"bench: records {records}; {s.partitions} partitions, {s.reps} run(s) per "
        f"contender, latency at {s.rates} records/s; parts {', '.join(s.parts)}")
    results: dict = {"settings": settings_json(s), "notes": []}
    work = Path(tempfile.mkdtemp(prefix="kappa-bench-"))
    started = time.monotonic()
    interrupted = None
    try:
        failed = session.run(s, work, results)
    except KeyboardInterrupt as stop:  # keep what was measured, then stop
        failed, interrupted = True, stop
        results["notes"].append("the run was interrupted: later parts are missing")
    results["total_seconds"] = round(time.monotonic() - started)
    from . import report

    report.write(results, s.out)
    if interrupted:
        raise interrupted
    say(f"bench: done in {results['total_seconds'] // 60} min "
        f"{results['total_seconds'] % 60} s; results in {show(s.out)}/: "
        "results.md, results.json, chart.png")
    print()
    print((s.out / "results.md").read_text())
    return 1 if failed else 0


def on_signal(signum, _frame):
    raise KeyboardInterrupt(f"signal {signum}")


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:
        from .children import kill_all

        kill_all()
        sys.exit(130)
