#!/usr/bin/env python3
"""make bench, cluster mode: the same backlog drained by the generated Python app on local[2]
and on a Spark standalone cluster (2 Workers with 1 core each: 2 executors), both against the
project's 3-node Kafka cluster (the rendered project's `make cluster-up` code, on free ports).

    make bench-cluster               # 1,000,000 records x 100 B, 3 runs per mode, interleaved
    make bench-cluster QUICK=1       # 50,000 records, 1 run per mode

Each run is the app with TRIGGER=available-now on a fresh checkpoint and output topic; its rate
is records out / (last output record - the app's "started" event), as in bench/throughput.py,
plus the steady rate (first to last output record). Results go to
bench-results/<UTC stamp>-cluster/: results.json and results.md. Runs in the harness's venv
(bench/common.py makes it).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from . import datasets  # the 100-byte set that bench/run.py drains too
from .common import RESULTS_ROOT, ensure_venv, say, show  # the harness's venv and progress
from .project import render

MODES = ("local[2]", "standalone")  # the cluster's master URL is only known once it runs
LABELS = {"local[2]": "local[2]: driver and 2 task threads in one JVM",
          "standalone": "standalone: a Master, 2 Workers x 1 core, 2 executor JVMs"}


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        default=os.environ.get("QUICK", "") not in ("", "0"),
                        help="50,000 records, 1 run per mode (also QUICK=1)")
    parser.add_argument("--records", type=int, help="backlog (default 1,000,000; quick 50,000)")
    parser.add_argument("--reps", type=int, help="runs per mode, median reported (3; quick 1)")
    parser.add_argument("--max-offsets-per-trigger", type=int, default=500_000,
                        help="cap per micro-batch, as bench/run.py (500,000; 0 = none)")
    parser.add_argument("--project", type=Path, help="a rendered project (default: render one)")
    parser.add_argument("--out", type=Path, help="results directory")
    args = parser.parse_args(argv)
    args.records = args.records or (50_000 if args.quick else 1_000_000)
    args.reps = args.reps or (1 if args.quick else 3)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    args.out = (args.out or RESULTS_ROOT / f"{stamp}-cluster").resolve()
    return args


class LocalCluster:
    """A kappa-local cluster (cluster-up/cluster-down), on free ports in ``work``."""

    def __init__(self, work: Path):
        self.bin = Path(sys.executable).parent  # kappa-local's console commands
        self.run_dir = work / "cluster"

    def __enter__(self):
        from kappa_local import cluster

        say("cluster: starting a Spark Master, 2 Workers and 3 Kafka nodes (cluster-up)")
        subprocess.run([str(self.bin / "cluster-up"), "--dir", str(self.run_dir),
                        "--kafka-port", "0", "--spark-port", "0", "--spark-webui-port", "0",
                        "--topics", ""], check=True)
        return cluster.Cluster.load(self.run_dir)

    def __exit__(self, *exc) -> None:
        say("cluster: stopping it (cluster-down)")
        subprocess.run([str(self.bin / "cluster-down"), "--dir", str(self.run_dir)], check=False)


def drain(args, project: Path, work: Path, cluster, mode: str, name: str) -> dict:
    """One run: the Python app drains bench-in into a fresh topic with available-now."""
    from kappa_local import kafka_admin

    from . import measure

    out_topic = f"out-{name}"
    kafka_admin.create_topics(cluster.kafka.admin(), {out_topic: 2}, replicas=3, timeout=120,
                              config=measure.LOG_APPEND_TIME)  # arrival time = record time
    zip_file = work / "kappa_app.zip"
    if not zip_file.exists():
        subprocess.run([sys.executable, "-m", "zipfile", "-c", str(zip_file), "kappa_app"],
                       cwd=project / "python" / "src", check=True)
    env = dict(os.environ, KAFKA_BROKERS=cluster.bootstrap, KAFKA_IN_TOPIC="bench-in",
               KAFKA_OUT_TOPIC=out_topic, CHECKPOINT_LOCATION=str(work / "checkpoints" / name),
               STARTING_OFFSETS="earliest", TRIGGER="available-now",
               SPARK_CONF_DIR=str(project / "conf"), SPARK_LOCAL_IP="127.0.0.1",
               PYTHONUNBUFFERED="1",
               PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    if args.max_offsets_per_trigger:
        env["MAX_OFFSETS_PER_TRIGGER"] = str(args.max_offsets_per_trigger)
    master = cluster.master_url if mode == "standalone" else mode
    log = args.out / "logs" / f"{name}.log"
    launched = time.time()
    with open(log, "wb") as out:
        code = subprocess.run([str(Path(sys.executable).parent / "spark-submit"), "--master",
                               master, "--py-files", str(zip_file), "python/main.py"],
                              cwd=project, env=env, stdout=out, stderr=subprocess.STDOUT,
                              timeout=1800 + args.records / 1000).returncode
    events = [json.loads(line) for line in log.read_text(errors="replace").splitlines()
              if line.startswith("{")]
    started = next((e["ts"] for e in events if e["event"] == "started"), None)
    stats = measure.span(cluster.bootstrap, out_topic)
    if code != 0 or started is None or stats["count"] < args.records:
        return {"error": f"exit {code}, {stats['count']:,}/{args.records:,} records out; "
                         f"see {show(log)}"}
    seconds = stats["last_ms"] / 1000 - started
    return {"records": stats["count"], "seconds": round(seconds, 2),
            "records_per_s": round(stats["count"] / seconds),
            "steady_records_per_s": round(stats["count"] / max(
                (stats["last_ms"] - stats["first_ms"]) / 1000, 0.001)),
            "first_output_after_s": round(stats["first_ms"] / 1000 - started, 1),
            "launch_to_last_s": round(stats["last_ms"] / 1000 - launched, 1),
            "loadavg_1min_after": round(os.getloadavg()[0], 1)}


def summary(runs: list[dict]) -> dict:
    good = [r for r in runs if "error" not in r]
    if not good:
        return {"error": runs[-1]["error"] if runs else "not run"}
    return {key: statistics.median(r[key] for r in good)
            for key in ("records_per_s", "steady_records_per_s", "first_output_after_s",
                        "launch_to_last_s")} | {"runs": len(good)}


def write_report(args, results: dict) -> str:
    lines = [f"# Cluster mode: {args.records:,} records x 100 B (bytes100), 2 partitions, "
             "3 Kafka nodes (3 replicas, 2 in sync)", "",
             "| mode | records/s (started to last) | steady records/s | first output after s "
             "| spark-submit to last s |", "| --- | ---: | ---: | ---: | ---: |"]
    for mode in MODES:
        row = results["summary"][mode]
        if "error" in row:
            lines.append(f"| {LABELS[mode]} | failed: {row['error']} | | | |")
        else:
            lines.append(f"| {LABELS[mode]} | {row['records_per_s']:,.0f} | "
                         f"{row['steady_records_per_s']:,.0f} | {row['first_output_after_s']} "
                         f"| {row['launch_to_last_s']} |")
    lines += ["", f"Medians of {args.reps} run(s) per mode, interleaved; machine: "
              f"{os.cpu_count()} cores, load average before {results['loadavg_before']}. "
              "Every process shares the same cores: on 2 cores the standalone mode measures "
              "the cost of the extra JVMs and the network hops, not scaling."]
    text = "\n".join(lines) + "\n"
    (args.out / "results.md").write_text(text)
    (args.out / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    return text


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    ensure_venv(f"bench.{Path(__file__).stem}")
    from . import measure

    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "logs").mkdir(exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="kappa-bench-cluster-"))
    results = {"settings": {k: str(v) for k, v in vars(args).items()},
               "loadavg_before": round(os.getloadavg()[0], 1), "runs": {m: [] for m in MODES}}
    try:
        project = args.project.resolve() if args.project else render(work / "render")
        with LocalCluster(work) as cluster:
            from kappa_local import kafka_admin

            kafka_admin.create_topics(cluster.kafka.admin(), {"bench-in": 2}, replicas=3,
                                      timeout=120)
            say(f"preload: {args.records:,} records of the bytes100 set into bench-in")
            seconds = measure.preload(cluster.bootstrap, "bench-in", args.records,
                                      datasets.bytes100(), say)
            say(f"preload: done in {seconds:.1f} s")
            for rep in range(1, args.reps + 1):
                for mode in MODES:
                    say(f"drain {rep}/{args.reps}: {LABELS[mode]}")
                    result = drain(args, project, work, cluster, mode,
                                   f"{rep}-{mode.replace('[', '').replace(']', '')}")
                    say(f"  {result}")
                    results["runs"][mode].append(result)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    results["summary"] = {mode: summary(runs) for mode, runs in results["runs"].items()}
    print(write_report(args, results))
    say(f"bench: results in {show(args.out)}/")
    return 0 if all("error" not in row for row in results["summary"].values()) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
