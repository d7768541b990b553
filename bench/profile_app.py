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
from datetime import datetime
from pathlib import Path

from . import measure
from .common import say
from .contenders import PYTHON
from .datasets import SETS
from .project import Runner
from .settings import Settings

# (frame prefixes, bucket) in priority order: a sample goes to the first bucket that any frame
# of its stack matches. A producer call made from the sink's row loop has both kinds of frame
# and counts as producer; the source's and sink's loops are ancestors of nearly everything in a
# task, so they come after the Kafka clients and the row conversions.
BUCKETS = (
    (("org.apache.kafka.clients.producer",), "Kafka producer (send, batching, network thread)"),
    (("org.apache.kafka.clients.consumer", "org.apache.spark.sql.kafka010.consumer"),
     "Kafka consumer (fetch, record decoding)"),
    (("org.apache.spark.sql.kafka010.KafkaRecordToRowConverter",),
     "source: Kafka record -> row (key, value, headers)"),
    (("org.apache.spark.sql.kafka010.KafkaRowWriter", "org.apache.spark.sql.kafka010.KafkaWrite"),
     "sink: row -> Kafka record (projection of key, value, headers)"),
    (("java.lang.ClassLoader.loadClass", "jdk.internal.loader"), "class loading (start-up)"),
    (("org.apache.spark.sql.catalyst.expressions.GeneratedClass",),
     "generated code (the task's row iterator)"),
    (("org.apache.spark.sql.kafka010",), "Kafka connector, other (offsets, admin, task loop)"),
    (("org.apache.spark.sql.execution.streaming", "org.apache.hadoop"),
     "micro-batch planning, offset and commit logs"),
    (("org.apache.spark.sql",), "Spark SQL planning and execution, other"),
    (("py4j",), "py4j (the Python driver's calls)"),
    (("org.apache.spark",), "Spark core (scheduler, RPC, tasks, storage)"),
    (("org.apache.kafka",), "Kafka clients, other (admin, metadata)"),
)
# The calls a lever acts on, as shares of the task threads' samples (inclusive).
WATCH = {
    "org.apache.spark.sql.kafka010.consumer.InternalKafkaConsumer.fetch":
        "source: one fetch (seek, poll, position, offset range), per max.poll.records",
    "org.apache.spark.sql.kafka010.consumer.InternalKafkaConsumer.getAvailableOffsetRange":
        "  of which the offset range check (seekToBeginning/seekToEnd + position: ListOffsets)",
    "org.apache.kafka.clients.consumer.KafkaConsumer.poll": "  of which KafkaConsumer.poll",
    "org.apache.kafka.clients.producer.KafkaProducer.send": "sink: KafkaProducer.send",
    "org.apache.spark.sql.kafka010.KafkaRecordToRowConverter": "source: record -> row",
}
# Inclusive shares are listed for these (the generic task frames above them would fill the list).
DETAIL = ("org.apache.kafka", "org.apache.spark.sql.kafka010", "org.apache.spark.sql.execution"
          ".streaming", "org.apache.spark.sql.catalyst.expressions")
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
    flags = "-XX:StartFlightRecording=name=bench,settings=profile"
    say(f"profile [{name}]: {PYTHON.label} drains {records:,} records under JFR -> {jfr.name}")
    proc = runner.spark(PYTHON, topic, out_topic, "available-now", s.max_offsets,
                        extra_conf={"spark.driver.extraJavaOptions": flags})
    try:
        got = measure.wait_for_count(runner.bootstrap, out_topic, records,
                                     300 + records / 2000, say, alive=proc.alive,
                                     what="profile: ")
        # Written by the JVM while it runs: on the way out the app's process group is
        # killed before a dump-on-exit could finish.
        java = jvm_of(proc.popen.pid)
        if java:
            subprocess.run(["jcmd", str(java), "JFR.stop", "name=bench", f"filename={jfr}"],
                           capture_output=True, timeout=300)
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
    result = summarize(jfr, steady=(stats["first_ms"] / 1000, t1))
    result.update(records=records, jfr=jfr.name, seconds=round(t1 - t0, 2),
                  records_per_s=round(records / (t1 - t0), 1),
                  cpu_us_per_record=round(cpu * 1e6 / records, 2) if cpu else None)
    say(f"profile [{name}]: {result['samples']:,} samples; top buckets: " + "; ".join(
        f"{b} {pct}%" for b, pct in result["buckets"][:4]))
    return result


def jvm_of(pgid: int) -> int | None:
    """The Spark JVM in a process group (`python -m` starts it as a child)."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            cmdline = (stat.parent / "cmdline").read_bytes()
        except OSError:
            continue
        if int(fields[2]) == pgid and cmdline.split(b"\0")[0].endswith(b"java"):
            return int(stat.parent.name)
    return None


def summarize(jfr: Path, steady: tuple[float, float], top: int = 15) -> dict:
    """Shares of the samples taken while records flowed (first to last output record): the
    cost per record. The buckets of the whole run (planning the first batch included) too."""
    text = subprocess.run(["jfr", "print", "--events", "jdk.ExecutionSample", "--stack-depth",
                           "96", str(jfr)], capture_output=True, text=True, check=True).stdout
    buckets, whole, leaves, methods, threads, watched = (Counter() for _ in range(6))
    samples = total = tasks = 0
    within = time_of_day_window(*steady)
    for clock, thread, frames in samples_of(text):
        total += 1
        bucket = bucket_of(thread, frames)
        whole[bucket] += 1
        if not within(clock):
            continue
        samples += 1
        buckets[bucket] += 1
        threads[re.sub(r"\d+", "N", thread.split(" | ")[0])[:70]] += 1
        if frames:
            leaves[frames[0]] += 1
        for frame in set(frames):
            if frame.startswith(DETAIL):
                methods[frame] += 1
        if thread.startswith("Executor task launch worker"):
            tasks += 1
            for call in WATCH:
                if any(frame.startswith(call) for frame in frames):
                    watched[call] += 1

    def share(counter: Counter, n: int = top, of: int = samples) -> list[tuple[str, float]]:
        return [(k, round(100 * v / max(of, 1), 1)) for k, v in counter.most_common(n)]

    return {"samples": samples, "samples_whole_run": total, "buckets": share(buckets, 20),
            "buckets_whole_run": share(whole, 20, total), "self": share(leaves),
            "inclusive": share(methods), "threads": share(threads, 8), "gc": gc_summary(jfr),
            "task_calls": [(WATCH[call], round(100 * watched[call] / max(tasks, 1), 1))
                           for call in WATCH]}


def time_of_day_window(start: float, end: float):
    """JFR prints a sample's local time of day only: a test for "between two epoch times"."""
    def of_day(epoch: float) -> float:
        moment = datetime.fromtimestamp(epoch)
        return moment.hour * 3600 + moment.minute * 60 + moment.second + moment.microsecond / 1e6
    low, high = of_day(start), of_day(end)
    if low <= high:
        return lambda clock: low <= clock <= high
    return lambda clock: clock >= low or clock <= high  # across midnight


def samples_of(text: str):
    """(local time of day in s, thread name, [Class.method, ...] leaf first) for each
    jdk.ExecutionSample."""
    clock, thread, frames, inside = 0.0, "", [], False
    for line in text.splitlines():
        if SAMPLE.match(line):
            clock, thread, frames, inside = 0.0, "", [], True
        elif not inside:
            continue
        elif line.startswith("  startTime = "):
            found = re.search(r"(\d+):(\d+):([\d.]+)", line)
            if found:
                h, m, sec = found.groups()
                clock = int(h) * 3600 + int(m) * 60 + float(sec)
        elif line.startswith("  sampledThread = "):
            found = re.search(r'"(.*)"', line)
            thread = found.group(1) if found else "?"
        elif line == "}":
            inside = False
            yield clock, thread, frames
        else:
            found = FRAME.match(line)
            if found:
                frames.append(f"{found.group(1)}.{found.group(2)}")


def bucket_of(thread: str, frames: list[str]) -> str:
    if thread.startswith("kafka-producer-network-thread"):
        return BUCKETS[0][1]
    for prefixes, bucket in BUCKETS:
        if any(frame.startswith(prefixes) for frame in frames):
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
                  f"µs/record, JFR on), {p['samples']:,} samples while records flowed "
                  f"({p['samples_whole_run']:,} in all); GC: {gc['collections']} "
                  f"collections, {gc['pause_ms']} ms paused ({gc['collectors']})", "",
                  "| bucket (first match from the leaf up) | % of samples while records "
                  "flowed | % of the whole run's |", "|---|---|---|",
                  *[f"| {b} | {pct} | {dict(p['buckets_whole_run']).get(b, '')} |"
                    for b, pct in p["buckets"]], "",
                  "| calls in the task threads (inclusive) | % of task samples |",
                  "|---|---|", *[f"| {c} | {pct} |" for c, pct in p.get("task_calls", [])], "",
                  "| top frames, self (leaf) | % |", "|---|---|",
                  *[f"| `{f}` | {pct} |" for f, pct in p["self"]], "",
                  "| top Kafka and streaming methods, inclusive | % |", "|---|---|",
                  *[f"| `{f}` | {pct} |" for f, pct in p["inclusive"]], "",
                  "| threads | % |", "|---|---|",
                  *[f"| {t} | {pct} |" for t, pct in p["threads"]], ""]
    return lines
