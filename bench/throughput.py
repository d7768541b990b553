"""Throughput: every contender drains the same preloaded backlog into its own output topic.

records/s = records / (the last output record's LogAppendTime - the contender's "started"
event); CPU µs/record = CPU time of the contender's process group (and of the broker) over the
same window / records.
"""

from __future__ import annotations

import contextlib
import re
import statistics
import time
from pathlib import Path

from . import measure, peers
from .children import Proc
from .common import BUSY, say
from .contenders import RUN_CAP, Contender
from .load import wait_until_idle
from .project import Runner
from .settings import Settings


def throughput(s: Settings, runner: Runner, contenders: list[Contender], data_set: str,
               in_topic: str, value_bytes: float, payload_file: Path | None) -> dict:
    """Every contender drains the backlog ``s.reps`` times, interleaved and rotated. A run
    during which other processes used more than BUSY cores is repeated (up to
    ``s.busy_retries`` times); the summary prefers undisturbed runs."""
    records = s.records[data_set]
    backlog = Backlog(data_set, in_topic, records, value_bytes, payload_file)
    results: dict[str, list] = {c.key: [] for c in contenders}
    for rep in range(1, s.reps + 1):
        # Each round starts one contender later: the first run after the preload meets a
        # colder machine (page cache, broker), and no contender should always be that one.
        shift = (rep - 1) % len(contenders)
        for c in contenders[shift:] + contenders[:shift]:
            for attempt in range(s.busy_retries + 1):
                out_topic = f"tp-{data_set}-{c.key}-{rep}-{attempt}"
                say(f"throughput {rep}/{s.reps} [{data_set}]: {c.label}: {records:,} records "
                    f"-> {out_topic}")
                started = time.time()
                if c.kind == "perf":
                    run = perf_tool(s, runner, c, backlog, out_topic)
                else:
                    measure.create_topics(runner.bootstrap, [out_topic], s.partitions)
                    run = backlog_run(s, runner, c, backlog, out_topic)
                    delete_topics(runner.bootstrap, [out_topic])
                run.update(runner.load_during(run.get("t_start", started),
                                              run.get("t_end", time.time())))
                run["disturbed"] = run.get("other_cores", 0) > BUSY
                results[c.key].append(run)
                if run.get("error"):
                    say(f"  FAILED: {run['error']}")
                    break
                say(f"  {run['records_per_s']:,.0f} records/s, {run['mb_per_s']:.1f} MB/s "
                    f"({run['records']:,} records in {run['seconds']:.1f} s, "
                    f"{run.get('cpu_us_per_record') or '?'} CPU µs/record); other processes "
                    f"used {run.get('other_cores', '?')} cores, steal {run.get('steal_pct', '?')}%")
                if not run["disturbed"]:
                    break
                if attempt < s.busy_retries:
                    say("  disturbed by other processes: waiting for quiet, then repeating")
                    wait_until_idle(180, quiet_for=20)
    return results


class Backlog:
    """The preloaded input of one data set."""

    def __init__(self, data_set: str, topic: str, records: int, value_bytes: float,
                 payload_file: Path | None):
        self.data_set, self.topic, self.records = data_set, topic, records
        self.value_bytes, self.payload_file = value_bytes, payload_file

    def mb_per_s(self, rate: float) -> float:
        return round(rate * self.value_bytes / 1e6, 2)


def start(s: Settings, runner: Runner, c: Contender, backlog: Backlog, out_topic: str) -> Proc:
    if c.spark:
        cap = s.max_offsets if c.max_offsets == RUN_CAP else c.max_offsets
        return runner.spark(c, backlog.topic, out_topic, "available-now", cap)
    if c.kind == "peer":
        return peers.start(c, runner.bootstrap, backlog.topic, out_topic, runner.work,
                           runner.logs, runner.name(c.key, out_topic), bounded=True)
    return runner.loop(c, backlog.topic, out_topic, backlog.records)


def backlog_run(s: Settings, runner: Runner, c: Contender, backlog: Backlog,
                out_topic: str) -> dict:
    expected = backlog.records
    timeout = 300 + expected / 2000
    proc = start(s, runner, c, backlog, out_topic)
    try:
        got = measure.wait_for_count(runner.bootstrap, out_topic, expected, timeout, say,
                                     alive=proc.alive, what=f"{c.key}: ")
        if c.stops_itself:
            proc.wait(120 if got >= expected else 0)
        started = proc.event("started")
    finally:
        proc.stop(30)
    if got < expected or not started:
        return {"error": f"{got:,}/{expected:,} records arrived (exit {proc.popen.returncode}): "
                         f"{proc.tail(5)}", "log": proc.stdout_path.name}
    stats = measure.span(runner.bootstrap, out_topic)
    t0, t1 = epoch_s(started["ts"]), stats["last_ms"] / 1000
    seconds = t1 - t0
    cpu = proc.cpu.between(t0, t1)
    broker_cpu = runner.broker_cpu.between(t0, t1) if runner.broker_cpu else None
    count = stats["count"]
    return {"records": count, "seconds": round(seconds, 3), "t_start": t0, "t_end": t1,
            "cpu_us_per_record": round(cpu * 1e6 / count, 2) if cpu else None,
            "broker_cpu_us_per_record": round(broker_cpu * 1e6 / count, 2)
            if broker_cpu else None,
            "records_per_s": round(count / seconds, 1),
            "mb_per_s": backlog.mb_per_s(count / seconds),
            "first_output_after_s": round(stats["first_ms"] / 1000 - t0, 3),
            "steady_records_per_s": round(count / max(
                (stats["last_ms"] - stats["first_ms"]) / 1000, 0.001), 1),
            "launch_to_last_s": round(t1 - proc.launched, 3),
            "log": proc.stdout_path.name}


def perf_tool(s: Settings, runner: Runner, c: Contender, backlog: Backlog, topic: str) -> dict:
    """Kafka's own tools: the write ceiling (ProducerPerformance, the data set's values to a
    fresh topic; no keys or headers) and the read ceiling (ConsumerPerformance, the backlog)."""
    bootstrap = runner.bootstrap
    if c.variant == "ProducerPerformance":
        measure.create_topics(bootstrap, [topic], s.partitions)
        proc = runner.kafka_tool(c.key, c.variant, [
            "--topic", topic, "--num-records", str(backlog.records),
            *(["--payload-file", str(backlog.payload_file)] if backlog.payload_file else
              ["--record-size", str(round(backlog.value_bytes))]),
            "--throughput", "-1", "--producer-props", f"bootstrap.servers={bootstrap}"])
    else:
        proc = runner.kafka_tool(c.key, c.variant, [
            "--bootstrap-server", bootstrap, "--topic", backlog.topic,
            "--messages", str(backlog.records), "--timeout", "60000"])
    try:
        code = proc.wait(300 + backlog.records / 5000)
    finally:
        proc.stop(5)
    if c.variant == "ProducerPerformance":
        delete_topics(bootstrap, [topic])
    text = proc.stdout_path.read_text(errors="replace")
    if c.variant == "ProducerPerformance":
        found = re.findall(r"(\d+) records sent, ([\d.]+) records/sec \(([\d.]+) MB/sec\)", text)
        if code == 0 and found:
            n, rate, _ = found[-1]
            return perf_result(backlog, int(n), float(rate), proc)
    else:
        lines = [line for line in text.splitlines() if line.strip()]
        header = next((i for i, line in enumerate(lines) if "nMsg.sec" in line), None)
        if code == 0 and header is not None and header + 1 < len(lines):
            columns = [c.strip() for c in lines[header].split(",")]
            values = [v.strip() for v in lines[header + 1].split(",")]
            row = dict(zip(columns, values, strict=False))
            # fetch.nMsg.sec excludes the consumer group's join time, like the span above.
            rate = float(row.get("fetch.nMsg.sec") or row["nMsg.sec"])
            return perf_result(backlog, int(float(row["data.consumed.in.nMsg"])), rate, proc)
    return {"error": f"exit {code}: {proc.tail(5) or text[-300:]}", "log": proc.stdout_path.name}


def perf_result(backlog: Backlog, records: int, rate: float, proc: Proc) -> dict:
    return {"records": records, "seconds": round(records / rate, 3) if rate else None,
            "records_per_s": round(rate, 1), "mb_per_s": backlog.mb_per_s(rate),
            "log": proc.stdout_path.name}


def delete_topics(bootstrap: str, names: list[str]) -> None:
    from confluent_kafka.admin import AdminClient

    admin = AdminClient({"bootstrap.servers": bootstrap, "log_level": 3})
    futures = admin.delete_topics(names, operation_timeout=30)
    for future in futures.values():
        with contextlib.suppress(Exception):
            future.result(60)


def epoch_s(ts: float) -> float:
    return ts / 1000 if ts > 1e11 else ts


def median_of(runs: list[dict], key: str) -> float | None:
    values = [r[key] for r in runs if r.get(key) is not None]
    return round(statistics.median(values), 2) if values else None


def summarize_throughput(runs: dict) -> dict:
    summary = {}
    for contender, items in runs.items():
        good = [r for r in items if not r.get("error")]
        calm = [r for r in good if not r.get("disturbed")]
        disturbed = bool(good) and not calm
        good = calm or good
        if not good:
            summary[contender] = {"error": items[-1]["error"] if items else "not run"}
            continue
        median = statistics.median(r["records_per_s"] for r in good)
        summary[contender] = {
            "records_per_s": round(median, 1),
            "mb_per_s": round(statistics.median(r["mb_per_s"] for r in good), 2),
            "seconds": statistics.median(r["seconds"] for r in good),
            "runs": [r["records_per_s"] for r in good],
            "cpu_us_per_record": median_of(good, "cpu_us_per_record"),
            "broker_cpu_us_per_record": median_of(good, "broker_cpu_us_per_record"),
            "steady_records_per_s": statistics.median(r.get("steady_records_per_s") or
                                                      r["records_per_s"] for r in good),
            "failed_runs": sum(1 for r in items if r.get("error")),
            "disturbed_runs": sum(1 for r in items if r.get("disturbed")),
            "only_disturbed_runs": disturbed,
            "other_cores": median_of(good, "other_cores"),
        }
    return summary
