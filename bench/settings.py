"""The run's settings: command-line flags (and QUICK=1, LEVERS=1, PROFILE=1 from make)."""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from .common import BUSY, RESULTS_ROOT

MODES = ("compare", "levers")
DATA_SETS = ("bytes100", "json500")


@dataclass
class Settings:
    quick: bool
    mode: str
    records: dict[str, int]  # per data set
    data_sets: list[str]
    partitions: int
    reps: int
    startup_reps: int
    rates: list[int]
    window: float
    warmup: float
    max_offsets: int | None
    variants: list[str]
    parts: list[str]
    only: list[str]
    out: Path
    project: Path | None
    keep_work: bool
    wait_idle: float
    busy_retries: int
    cores: int = field(default_factory=lambda: os.cpu_count() or 1)


def env_flag(name: str) -> bool:
    return os.environ.get(name, "") not in ("", "0")


def parse_args(argv: list[str], description: str) -> Settings:
    parser = argparse.ArgumentParser(description=description,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", default=env_flag("QUICK"),
                        help="smoke run: small data, 1 repetition, short latency windows; "
                             "latency and start-up for the Python app only (also QUICK=1)")
    parser.add_argument("--mode", choices=MODES,
                        default="levers" if env_flag("LEVERS") else "compare",
                        help="compare: the apps against the baselines and peers (default); "
                             "levers: the Python app with one setting changed per contender, "
                             "against its previous defaults (also LEVERS=1)")
    parser.add_argument("--records", type=int, help="records preloaded in the 100-byte set "
                                                    "(default 2,000,000; quick 50,000)")
    parser.add_argument("--json-records", type=int, help="records preloaded in the JSON set "
                                                         "(default 1,000,000; quick 20,000)")
    parser.add_argument("--data-sets", default=",".join(DATA_SETS),
                        help=f"data sets to drain: {', '.join(DATA_SETS)}")
    parser.add_argument("--partitions", type=int, default=os.cpu_count() or 1,
                        help="partitions of every topic (default: the number of cores)")
    parser.add_argument("--reps", type=int, help="throughput runs per contender, median "
                                                 "reported (default 3; quick 1)")
    parser.add_argument("--startup-reps", type=int, help="cold and warm start-ups per variant "
                                                         "(default 2; quick 1)")
    parser.add_argument("--rates", default="1000,10000", help="latency input rates, records/s")
    parser.add_argument("--window", type=float, help="measured seconds per latency point "
                                                     "(default 40; quick 6)")
    parser.add_argument("--warmup", type=float, help="seconds dropped at the start of each "
                                                     "latency point (default 10; quick 2)")
    parser.add_argument("--max-offsets-per-trigger", type=int,
                        help="cap per micro-batch for every Spark contender on the backlog "
                             "(default 500,000; 0 = none)")
    parser.add_argument("--variants", default="python,java,scala",
                        help="app variants to measure (those present in the render)")
    parser.add_argument("--parts", default=None,
                        help="what to measure: throughput, latency, startup, profile (default: "
                             "the first three; PROFILE=1: profile only)")
    parser.add_argument("--only", default="",
                        help="comma-separated contender keys to run, in every part "
                             "(default: all of the mode's)")
    parser.add_argument("--out", type=Path, help="results directory "
                                                 "(default bench-results/<UTC timestamp>)")
    parser.add_argument("--project", type=Path,
                        help="use this rendered project instead of rendering the template")
    parser.add_argument("--keep-work", action="store_true",
                        help="keep the broker's data and the checkpoints (a temp dir)")
    parser.add_argument("--wait-idle", type=float,
                        help="wait up to this many seconds for other processes to go quiet "
                             f"(< {BUSY} cores for 60 s) before measuring (default 600; quick 0)")
    parser.add_argument("--busy-retries", type=int,
                        help="repeat a throughput run disturbed by other processes (more than "
                             f"{BUSY} cores busy) up to this many times (default 2; quick 0)")
    args = parser.parse_args(argv)
    quick = args.quick
    parts = args.parts or ("profile" if env_flag("PROFILE") else "throughput,latency,startup")
    data_sets = [d.strip() for d in args.data_sets.split(",") if d.strip()]
    unknown = sorted(set(data_sets) - set(DATA_SETS))
    if unknown:
        parser.error(f"unknown data set(s) {unknown}; choose from {', '.join(DATA_SETS)}")
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    suffix = ("-quick" if quick else "") + ("-levers" if args.mode == "levers" else "")
    max_offsets = args.max_offsets_per_trigger
    return Settings(
        quick=quick,
        mode=args.mode,
        records={"bytes100": args.records or (50_000 if quick else 2_000_000),
                 "json500": args.json_records or (20_000 if quick else 1_000_000)},
        data_sets=data_sets,
        partitions=args.partitions,
        reps=args.reps or (1 if quick else 3),
        startup_reps=args.startup_reps or (1 if quick else 2),
        rates=[int(r) for r in args.rates.split(",") if r.strip()],
        window=args.window or (6.0 if quick else 40.0),
        warmup=args.warmup if args.warmup is not None else (2.0 if quick else 10.0),
        max_offsets=500_000 if max_offsets is None else (max_offsets or None),
        variants=[v.strip() for v in args.variants.split(",") if v.strip()],
        parts=[p.strip() for p in parts.split(",") if p.strip()],
        only=[c.strip() for c in args.only.split(",") if c.strip()],
        out=(args.out or RESULTS_ROOT / (stamp + suffix)).resolve(),
        project=args.project.resolve() if args.project else None,
        keep_work=args.keep_work,
        wait_idle=args.wait_idle if args.wait_idle is not None else (0 if quick else 600),
        busy_retries=args.busy_retries if args.busy_retries is not None else (0 if quick else 2),
    )


def settings_json(s: Settings) -> dict:
    return {"quick": s.quick, "mode": s.mode, "records": s.records, "data_sets": s.data_sets,
            "partitions": s.partitions, "reps": s.reps, "startup_reps": s.startup_reps,
            "rates": s.rates, "window_s": s.window, "warmup_s": s.warmup,
            "max_offsets_per_trigger": s.max_offsets, "variants": s.variants,
            "parts": s.parts, "only": s.only, "spark_master": f"local[{s.cores}]",
            "busy_retries": s.busy_retries, "busy_threshold_cores": BUSY}
