"""End-to-end latency at fixed input rates: a paced producer stamps each record's produce time
in a header; latency = the record's LogAppendTime on the output topic - that stamp."""

from __future__ import annotations

import statistics
import time

from . import measure
from .common import say
from .contenders import MICRO_BATCH, REAL_TIME, Contender
from .project import Runner
from .settings import Settings
from .throughput import delete_topics

MODES = {MICRO_BATCH: "micro-batch", REAL_TIME: "real-time"}


def latency(s: Settings, runner: Runner, points: list[tuple[Contender, str]]) -> dict:
    results = {}
    for c, trigger in points:
        key = f"{c.key}/{MODES[trigger]}"
        say(f"latency: {c.label}, trigger '{trigger}', rates {s.rates} records/s, "
            f"{s.warmup:.0f}+{s.window:.0f} s each")
        began = time.time()
        results[key] = latency_point(s, runner, c, trigger)
        results[key].update(runner.load_during(began, time.time()))
        for rate, stats in results[key].get("rates", {}).items():
            say(f"  {rate}/s: p50 {stats['p50_ms']:.0f} ms, p95 {stats['p95_ms']:.0f} ms, "
                f"p99 {stats['p99_ms']:.0f} ms ({stats['samples']:,} records)")
        if results[key].get("error"):
            say(f"  FAILED: {results[key]['error']}")
    return results


def latency_point(s: Settings, runner: Runner, c: Contender, trigger: str) -> dict:
    bootstrap = runner.bootstrap
    tag = f"{c.key}-{MODES[trigger]}"
    in_topic, out_topic = f"lat-in-{tag}", f"lat-out-{tag}"
    measure.create_topics(bootstrap, [in_topic], s.partitions, log_append_time=False)
    measure.create_topics(bootstrap, [out_topic], s.partitions)
    proc = runner.spark(c, in_topic, out_topic, trigger)
    producer = measure.PacedProducer(bootstrap, in_topic, 100)
    failed = {"trigger": trigger, "rates": {}, "log": proc.stdout_path.name}
    try:
        if not proc.wait_event("started", 300):
            return {**failed, "error": f"the app did not start (exit {proc.popen.returncode}): "
                                       f"{proc.tail(4)}"}
        # Warm-up probe: the first output proves the query runs end to end.
        producer.run_phase("probe", 100, 1)
        if measure.wait_for_first(bootstrap, out_topic, 180, alive=proc.alive) is None:
            return {**failed, "error": f"no output (exit {proc.popen.returncode}): "
                                       f"{proc.tail(4)}"}
        phases, achieved = {}, {}
        for rate in s.rates:
            begin, clock = time.time_ns(), time.perf_counter()
            sent = producer.run_phase(str(rate), rate, s.warmup + s.window)
            phases[str(rate)] = begin
            achieved[str(rate)] = round(sent / (time.perf_counter() - clock), 1)
        expected = sum(producer.produced.values())
        got = measure.wait_for_count(bootstrap, out_topic, expected, 120, say,
                                     alive=proc.alive, what=f"{tag}: ")
        alive = proc.alive()
    finally:
        producer.stop()
        proc.stop(60)
    samples = measure.latencies(bootstrap, out_topic, got, 120)
    delete_topics(bootstrap, [in_topic, out_topic])
    result: dict = {"trigger": trigger, "rates": {}, "log": proc.stdout_path.name}
    durations = [e["batch_duration_ms"] for e in proc.events()
                 if e.get("event") == "progress" and e.get("input_rows")]
    if durations and trigger != REAL_TIME:
        result["median_batch_ms"] = statistics.median(durations)
    if got < expected or not alive:
        result["error"] = (f"{got:,}/{expected:,} records arrived"
                           + ("" if alive else f"; the app exited: {proc.tail(4)}"))
    for rate, begin in phases.items():
        steady_from = begin + s.warmup * 1e9
        values = [ms for ns, ms in samples.get(rate, []) if ns >= steady_from]
        if values:
            result["rates"][rate] = {
                "samples": len(values),
                **{f"p{q}_ms": round(measure.percentile(values, q), 1) for q in (50, 95, 99)},
                "max_ms": round(max(values), 1),
                "input_rate_achieved": achieved[rate],
            }
    return result
