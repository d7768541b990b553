"""One benchmark session, start to finish: the project, the broker, the data sets, then each
part in turn; whatever happens, every process it started is stopped and what was measured is
kept."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from . import contenders, measure, peers
from .children import CpuSampler, kill_all
from .common import say
from .datasets import SETS
from .latency import latency
from .load import LoadMonitor, machine, wait_until_idle
from .project import Jvm, Runner, broker_pid, build_variant, kafka_classpath, render, versions
from .settings import Settings
from .startup import startup
from .throughput import summarize_throughput, throughput


def run(s: Settings, work: Path, results: dict) -> bool:
    """Measure into ``results``; True when the run failed part-way."""
    results["machine"] = machine()
    if s.wait_idle:
        results["idle_wait"] = wait_until_idle(s.wait_idle)
    monitor = LoadMonitor()
    monitor.start()
    broker_handle = None
    failed = False
    try:
        project = s.project or render(work / "render")
        jvms = build_jvms(s, project, results)
        variants = [v for v in s.variants if v == "python" or v in jvms]
        from kappa_local import broker

        say("kafka: starting the project's broker (kappa-local)")
        broker_handle = broker.start(work / "kafka", port=0, log=lambda m: say(f"  {m}"))
        kafka_cp = kafka_classpath()
        runner = Runner(s.cores, s.out / "logs", project, work, broker_handle.bootstrap,
                        kafka_cp, jvms)
        runner.broker_cpu = CpuSampler(broker_pid(broker_handle))
        runner.monitor = monitor
        if "throughput" in s.parts:
            monitor.part = "throughput"
            run_throughput(s, runner, variants, results)
        if "latency" in s.parts:
            monitor.part = "latency"
            points = [(c, trigger) for c, trigger in
                      contenders.latency_points(s.mode, s.quick, variants)
                      if not s.only or c.key in s.only]
            results["latency"] = latency(s, runner, points)
        if "startup" in s.parts:
            monitor.part = "start-up"
            chosen = [c for c in contenders.startup_contenders(s.mode, s.quick, variants)
                      if not s.only or c.key in s.only]
            results["startup"], results["startup_load"] = startup(s, runner, chosen)
        if "profile" in s.parts:
            from . import profile_app

            monitor.part = "profile"
            results["profile"] = profile_app.profile(s, runner)
        results["versions"] = versions(project, kafka_cp)
        if any(c.kind == "peer" for c in chosen_throughput(s, variants)):
            results["versions"].update(peers.versions())
    except KeyboardInterrupt:
        say("bench: interrupted: stopping everything")
        raise
    except Exception as error:  # still write what was measured, then fail
        failed = True
        results["notes"].append(f"the run failed: {type(error).__name__}: {error}")
        say(f"bench: FAILED: {type(error).__name__}: {error}")
    finally:
        monitor.stop()
        kill_all()
        if broker_handle is not None:
            say("kafka: stopping the broker")
            broker_handle.stop()
        if s.keep_work:
            say(f"bench: work dir kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    results["load"] = monitor.summary()
    for part in results["load"]:
        say(f"load during {part['part']}: other processes used {part['other_cores_mean']} "
            f"cores on average (max {part['other_cores_max']}; > 0.3 cores in "
            f"{part['busy_samples_pct']}% of samples), loadavg {part['loadavg1_mean']}")
    return failed


def build_jvms(s: Settings, project: Path, results: dict) -> dict[str, Jvm]:
    """Build the JVM variants that some part of this run measures."""
    used = chosen_throughput(s, s.variants)
    if "latency" in s.parts:
        used += [c for c, _ in contenders.latency_points(s.mode, s.quick, s.variants)]
    if "startup" in s.parts:
        used += contenders.startup_contenders(s.mode, s.quick, s.variants)
    wanted = {c.variant for c in used if c.kind == "app"} & {"java", "scala"}
    jvms = {}
    for variant in sorted(wanted):
        jvm, why = build_variant(project, variant, s.out / "logs")
        if jvm:
            jvms[variant] = jvm
        else:
            results["notes"].append(f"{variant}: not measured: {why}")
            say(f"build: {variant} NOT available: {why}")
    return jvms


def chosen_throughput(s: Settings, variants: list[str]) -> list:
    if "throughput" not in s.parts:
        return []
    return contenders.throughput_contenders(s.mode, variants, s.only)


def run_throughput(s: Settings, runner: Runner, variants: list[str], results: dict) -> None:
    chosen = chosen_throughput(s, variants)
    peer_failed = peers.prepare(sorted({c.variant for c in chosen if c.kind == "peer"}))
    for peer, why in peer_failed.items():
        results["notes"].append(f"peer {peer}: not measured: {why}")
        say(f"peers: {peer} NOT available: {why}")
    chosen = [c for c in chosen if not (c.kind == "peer" and c.variant in peer_failed)]
    results["throughput_runs"], results["throughput"], results["data_sets"] = {}, {}, {}
    for name in s.data_sets:
        data_set = SETS[name]
        topic, records, pool = f"bench-in-{name}", s.records[name], data_set.pool()
        measure.create_topics(runner.bootstrap, [topic], s.partitions, log_append_time=False)
        say(f"preload: {records:,} records ({data_set.label}) into {topic}")
        seconds = measure.preload(runner.bootstrap, topic, records, pool, say)
        say(f"preload: done in {seconds:.1f} s ({records / seconds:,.0f} records/s)")
        payload_file = None
        if name != "bytes100":  # ProducerPerformance reads payloads as UTF-8 text lines
            payload_file = runner.work / f"payloads-{name}.txt"
            payload_file.write_bytes(b"\n".join(value for _, value, _ in pool))
        value_bytes = data_set.value_bytes()
        results["data_sets"][name] = {"label": data_set.label, "records": records,
                                      "value_bytes": value_bytes}
        here = [c for c in chosen if c.runs_on(name)]
        began = time.monotonic()
        runs = throughput(s, runner, here, name, topic, value_bytes, payload_file)
        say(f"throughput [{name}]: {len(here)} contenders in {time.monotonic() - began:.0f} s")
        results["throughput_runs"][name] = runs
        results["throughput"][name] = summarize_throughput(runs)
