"""Where the app's CPU goes: JDK Flight Recorder on the Python app draining a backlog.

    make bench PROFILE=1            # or: bench/run.py --parts profile [--data-sets bytes100]

The app runs with the same settings as in the throughput part (available-now, the run's cap)
and -XX:StartFlightRecording (settings=profile: a Java stack sample every 10 ms per running
thread). `jfr print` then gives every sample's thread and stack; each sample is put in the
first bucket that its stack reaches, from the leaf up (BUCKETS), so a record decoded by the
Kafka consumer counts as "Kafka consumer" even though its leaf frame is in java.nio. JFR
samples Java code only: GC and JIT threads show in the GC line and the CPU figure, not in the
buckets.
"""

from __future__ import annotations

import re
import subprocess
from collections import Counter
from pathlib import Path

import measure
from common import say
from contenders import PYTHON
from datasets import SETS
from project import Runner
from settings import Settings

# (class or package prefix, bucket), tried on each frame from the leaf up; the first wins.
BUCKETS = (
    ("org.apache.kafka.clients.producer", "Kafka producer (send, batching, network thread)"),
    ("org.apache.kafka.clients.consumer", "Kafka consumer (fetch, record decoding)"),
    ("org.apache.spark.sql.kafka010.KafkaRecordToRowConverter",
     "source: Kafka record -> row (key, value, headers)"),
    ("org.apache.spark.sql.kafka010.consumer", "Kafka consumer (fetch, record decoding)"),
    ("org.apache.spark.sql.kafka010.KafkaWriteTask", "sink: row -> Kafka record"),
    ("org.apache.spark.sql.kafka010.KafkaRowWriter", "sink: row -> Kafka record"),
    ("org.apache.spark.sql.kafka010", "Kafka connector, other (offsets, admin)"),
    ("org.apache.spark.sql.catalyst", "generated code and row projections"),
    ("org.apache.spark.sql.execution.streaming", "micro-batch planning, offset and commit logs"),
    ("org.apache.hadoop", "micro-batch planning, offset and commit logs"),
    ("org.apache.spark.sql", "Spark SQL planning"),
    ("py4j", "py4j (the Python driver's calls)"),
    ("org.apache.spark", "Spark core (scheduler, RPC, tasks, storage)"),
)
SAMPLE = re.compile(r"^jdk\.ExecutionSample \{$")
FRAME = re.compile(r"^\s{4}([\w$.]+)\.([\w$<>]+)\(")


def profile(s: Settings, runner: Runner) -> dict:
    results = {}
    for name in s.data_sets:
        records = s.records[name]
        topic = f"profile-in-{name}"
        measure.create_topics(runner.bootstrap, [topic], s.partitions, log_append_time=False)
        say(f"profile [{name}]: preloading {records:,} records")
        measure.preload(runner.bootstrap, topic, records, SETS[name].pool(), say)
        results[name] = profile_one(s, runner, name, topic, records)
    return results


def profile_one(s: Settings, runner: Runner, name: str, topic: str, records: int) -> dict:
    jfr = s.out / "logs" / f"profile-{name}.jfr"
    jfr.unlink(missing_ok=True)
    out_topic = f"profile-out-{name}"
    measure.create_topics(runner.bootstrap, [out_topic], s.partitions)
    flags = f"-XX:StartFlightRecording=filename={jfr},settings=profile,dumponexit=true"
    say(f"profile [{name}]: {PYTHON.label} drains {records:,} records under JFR -> {jfr.name}")
    proc = runner.spark(PYTHON, topic, out_topic, "available-now", s.max_offsets,
                        extra_conf={"spark.driver.extraJavaOptions": flags})
    try:
        got = measure.wait_for_count(runner.bootstrap, out_topic, records,
                                     300 + records / 2000, say, alive=proc.alive,
                                     what="profile: ")
        code = proc.wait(180)
        started = proc.event("started")
    finally:
        proc.stop(60)
    if got < records or code != 0 or not jfr.is_file() or not started:
        return {"error": f"{got:,}/{records:,} records, exit {code}, "
                         f"recording {'written' if jfr.is_file() else 'missing'}: "
                         f"{proc.tail(4)}"}
    stats = measure.span(runner.bootstrap, out_topic)
    t0, t1 = started["ts"], stats["last_ms"] / 1000
    cpu = proc.cpu.between(t0, t1)
    result = summarize(jfr)
    result.update(records=records, jfr=jfr.name, seconds=round(t1 - t0, 2),
                  records_per_s=round(records / (t1 - t0), 1),
                  cpu_us_per_record=round(cpu * 1e6 / records, 2) if cpu else None)
    say(f"profile [{name}]: {result['samples']:,} samples; top buckets: " + "; ".join(
        f"{b} {pct}%" for b, pct in result["buckets"][:4]))
    return result


def summarize(jfr: Path, top: int = 15) -> dict:
    text = subprocess.run(["jfr", "print", "--events", "jdk.ExecutionSample", "--stack-depth",
                           "96", str(jfr)], capture_output=True, text=True, check=True).stdout
    buckets, leaves, methods, threads = Counter(), Counter(), Counter(), Counter()
    samples = 0
    for thread, frames in samples_of(text):
        samples += 1
        threads[re.sub(r"\d+", "N", thread.split(" | ")[0])[:70]] += 1
        buckets[bucket_of(thread, frames)] += 1
        if frames:
            leaves[frames[0]] += 1
        for frame in set(frames):
            if frame.startswith(("org.apache.spark", "org.apache.kafka")):
                methods[frame] += 1

    def share(counter: Counter, n: int = top) -> list[tuple[str, float]]:
        return [(k, round(100 * v / max(samples, 1), 1)) for k, v in counter.most_common(n)]

    return {"samples": samples, "buckets": share(buckets, 20), "self": share(leaves),
            "inclusive": share(methods), "threads": share(threads, 8), "gc": gc_summary(jfr)}


def samples_of(text: str):
    """(thread name, [Class.method, ...] leaf first) for each jdk.ExecutionSample."""
    thread, frames, inside = "", [], False
    for line in text.splitlines():
        if SAMPLE.match(line):
            thread, frames, inside = "", [], True
        elif not inside:
            continue
        elif line.startswith("  sampledThread = "):
            found = re.search(r'"(.*)"', line)
            thread = found.group(1) if found else "?"
        elif line == "}":
            inside = False
            yield thread, frames
        else:
            found = FRAME.match(line)
            if found:
                frames.append(f"{found.group(1)}.{found.group(2)}")


def bucket_of(thread: str, frames: list[str]) -> str:
    if thread.startswith("kafka-producer-network-thread"):
        return BUCKETS[0][1]
    for frame in frames:
        for prefix, bucket in BUCKETS:
            if frame.startswith(prefix):
                return bucket
    leaf = frames[0] if frames else "?"
    return "JVM and libraries: " + ".".join(leaf.split(".")[:2])


def gc_summary(jfr: Path) -> dict:
    text = subprocess.run(["jfr", "print", "--events", "jdk.GarbageCollection", str(jfr)],
                          capture_output=True, text=True).stdout
    pauses = [duration_ms(x) for x in re.findall(r"sumOfPauses = ([\d.]+ \w+)", text)]
    names = Counter(re.findall(r'\bname = "(\w+)"', text))
    return {"collections": len(pauses), "pause_ms": round(sum(pauses), 1),
            "collectors": dict(names)}


def duration_ms(text: str) -> float:
    value, unit = text.split()
    return float(value) * {"s": 1000, "ms": 1, "us": 1e-3, "ns": 1e-6}.get(unit, 1)


def markdown(profile: dict) -> list[str]:
    lines = ["## Profile: where the Python app's CPU goes (JDK Flight Recorder)", ""]
    for name, p in profile.items():
        if p.get("error"):
            lines += [f"{name}: failed: {p['error']}", ""]
            continue
        gc = p["gc"]
        lines += [f"### {name}: {p['records']:,} records drained in {p['seconds']} s "
                  f"({p['records_per_s']:,.0f} records/s, {p['cpu_us_per_record']} CPU "
                  f"µs/record, JFR on), {p['samples']:,} samples; GC: {gc['collections']} "
                  f"collections, {gc['pause_ms']} ms paused ({gc['collectors']})", "",
                  "| bucket (first match from the leaf up) | % of samples |", "|---|---|",
                  *[f"| {b} | {pct} |" for b, pct in p["buckets"]], "",
                  "| top frames, self (leaf) | % |", "|---|---|",
                  *[f"| `{f}` | {pct} |" for f, pct in p["self"]], "",
                  "| top Spark/Kafka methods, inclusive | % |", "|---|---|",
                  *[f"| `{f}` | {pct} |" for f, pct in p["inclusive"]], "",
                  "| threads | % |", "|---|---|",
                  *[f"| {t} | {pct} |" for t, pct in p["threads"]], ""]
    return lines
