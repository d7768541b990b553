#!/usr/bin/env python3
"""Benchmarks for the generated app, side by side with the pattern it replaces and two floors.

    make bench                 # the full run (about 30 minutes on 2 cores)
    make bench QUICK=1         # a smoke run: small data, short windows, one repetition
    .venv/bin/python bench/run.py --help

One run renders the template (Python, Java and Scala variants), starts a real local broker
(the project's kafka/broker.py), preloads N records into an input topic, then measures:

1. throughput on the backlog (available-now, fresh checkpoints), every contender on the same
   broker and data, each writing to its own output topic: the Python app, its Java and Scala
   twins, (a) foreachBatch + collect() + a Python producer, (b) a confluent-kafka loop,
   (c) a Java-client loop and Kafka's own producer/consumer perf tools;
2. end-to-end latency (p50/p95/p99) at fixed input rates, micro-batch and real-time triggers;
3. start-up to the first output record, cold (empty Ivy cache) and warm.

Results go to bench-results/<UTC timestamp>/: results.md, results.json, chart.png and logs/.
The harness runs in its own venv (.cache/venvs/bench-pyspark-<version>, from
bench/requirements.txt); started with another Python it creates that venv and re-runs itself.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
REQUIREMENTS = BENCH / "requirements.txt"
RESULTS_ROOT = ROOT / "bench-results"
CACHE = RESULTS_ROOT / ".cache"  # built jars (by source hash) and the harness's Ivy home
SLUG = "kappa-app"
T0 = time.monotonic()
BUSY = 0.3  # cores used by other processes above which a measurement counts as disturbed


def show(path: Path) -> str:
    """A path relative to the repository when inside it."""
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def say(message: str) -> None:
    elapsed = int(time.monotonic() - T0)
    print(f"[{elapsed // 60:3d}:{elapsed % 60:02d}] {message}", flush=True)


# ---------------------------------------------------------------------------------------
# The harness's venv
# ---------------------------------------------------------------------------------------


def pinned(name: str) -> str:
    for line in REQUIREMENTS.read_text().splitlines():
        if line.startswith(f"{name}=="):
            return line.split("==", 1)[1].strip()
    raise SystemExit(f"ERROR: {REQUIREMENTS} does not pin {name}")


def ensure_venv() -> None:
    """Re-run this script in the harness's venv, creating or updating it first."""
    venv = ROOT / ".cache" / "venvs" / f"bench-pyspark-{pinned('pyspark')}"
    python = venv / "bin" / "python"
    stamp = venv / ".bench-requirements"
    wanted = hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()
    if not (stamp.is_file() and stamp.read_text() == wanted and python.exists()):
        say(f"setup: installing bench/requirements.txt into {show(venv)} "
            "(first time ~1 min)")
        if not python.exists():
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet",
                        "--disable-pip-version-check", "-r", str(REQUIREMENTS)], check=True)
        stamp.write_text(wanted)
    if Path(sys.prefix).resolve() != venv.resolve():
        os.execv(str(python), [str(python), str(Path(__file__).resolve()), *sys.argv[1:]])


# ---------------------------------------------------------------------------------------
# Processes: each in its own process group, all killed on the way out
# ---------------------------------------------------------------------------------------


class CpuSampler(threading.Thread):
    """CPU time used by one process group, sampled every 0.5 s: (epoch s, CPU s) pairs."""

    HZ = os.sysconf("SC_CLK_TCK")

    def __init__(self, pgid: int):
        super().__init__(daemon=True)
        self.pgid, self.samples = pgid, []
        self._stop = threading.Event()
        self.start()

    def total(self) -> float | None:
        ticks, found = 0, False
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError, ValueError, IndexError):
                fields = stat.read_text().rsplit(")", 1)[1].split()
                if int(fields[2]) == self.pgid:  # pgrp
                    ticks += sum(int(f) for f in fields[11:15])  # utime stime cutime cstime
                    found = True
        return ticks / self.HZ if found else None

    def run(self) -> None:
        while not self._stop.is_set():
            total = self.total()
            if total is None and self.samples:
                return
            if total is not None:
                self.samples.append((time.time(), total))
            self._stop.wait(0.5)

    def stop(self) -> None:
        self._stop.set()

    def between(self, start: float, end: float) -> float | None:
        """CPU seconds used between two epoch times (nearest samples)."""
        if not self.samples:
            return None
        def at(t: float) -> float:
            return min(self.samples, key=lambda x: abs(x[0] - t))[1]
        return at(end) - at(start)


class Proc:
    """A child process in its own session, output to log files, killed with its group."""

    live: set[Proc] = set()

    def __init__(self, name: str, command: list[str], env: dict, cwd: Path, log_dir: Path):
        log_dir.mkdir(parents=True, exist_ok=True)
        self.name = name
        self.stdout_path, self.stderr_path = log_dir / f"{name}.out", log_dir / f"{name}.err"
        self.launched = time.time()
        with open(self.stdout_path, "wb") as out, open(self.stderr_path, "wb") as err:
            self.popen = subprocess.Popen(command, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                                          stdout=out, stderr=err, start_new_session=True)
        Proc.live.add(self)
        self.cpu = CpuSampler(self.popen.pid)

    def alive(self) -> bool:
        return self.popen.poll() is None

    def events(self) -> list[dict]:
        found = []
        for line in self.stdout_path.read_text(errors="replace").splitlines():
            if line.startswith("{"):
                with contextlib.suppress(ValueError):
                    found.append(json.loads(line))
        return found

    def event(self, name: str) -> dict | None:
        return next((e for e in self.events() if e.get("event") == name), None)

    def wait_event(self, name: str, timeout: float) -> dict | None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.event(name)
            if found or not self.alive():
                return found or self.event(name)
            time.sleep(0.2)
        return None

    def wait(self, timeout: float) -> int | None:
        with contextlib.suppress(subprocess.TimeoutExpired):
            return self.popen.wait(timeout)
        return None

    def stop(self, timeout: float = 60) -> None:
        """SIGTERM (the apps stop their query cleanly), then SIGKILL the whole group."""
        if self.alive():
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.popen.pid, signal.SIGTERM)
            self.wait(timeout)
        self.kill()

    def kill(self) -> None:
        self.cpu.stop()
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.popen.pid, signal.SIGKILL)
        self.wait(30)
        Proc.live.discard(self)

    def tail(self, lines: int = 15) -> str:
        text = self.stderr_path.read_text(errors="replace").splitlines()
        errors = [line for line in text if "ERROR" in line or "Exception" in line]
        return "\n".join((errors or text)[-lines:])


def kill_all() -> None:
    for proc in list(Proc.live):
        proc.kill()


def on_signal(signum, _frame):
    raise KeyboardInterrupt(f"signal {signum}")


# ---------------------------------------------------------------------------------------
# Settings
# ---------------------------------------------------------------------------------------


@dataclass
class Settings:
    quick: bool
    records: int
    size: int
    partitions: int
    reps: int
    startup_reps: int
    rates: list[int]
    window: float
    warmup: float
    max_offsets: int | None
    variants: list[str]
    parts: list[str]
    out: Path
    project: Path | None
    keep_work: bool
    wait_idle: float
    busy_retries: int
    cores: int = field(default_factory=lambda: os.cpu_count() or 1)


def parse_args(argv: list[str]) -> Settings:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true",
                        default=os.environ.get("QUICK", "") not in ("", "0"),
                        help="smoke run: 50k records, 1 repetition, short latency windows; "
                             "latency and start-up for the Python app only (also QUICK=1)")
    parser.add_argument("--records", type=int, help="records preloaded (default 2,000,000; "
                                                    "quick 50,000)")
    parser.add_argument("--record-size", type=int, default=100, help="value bytes (100)")
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
    parser.add_argument("--parts", default="throughput,latency,startup",
                        help="what to measure: throughput, latency, startup")
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
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    max_offsets = args.max_offsets_per_trigger
    if max_offsets is None:
        max_offsets = 500_000
    return Settings(
        quick=quick,
        records=args.records or (50_000 if quick else 2_000_000),
        size=args.record_size,
        partitions=args.partitions,
        reps=args.reps or (1 if quick else 3),
        startup_reps=args.startup_reps or (1 if quick else 2),
        rates=[int(r) for r in args.rates.split(",") if r.strip()],
        window=args.window or (6.0 if quick else 40.0),
        warmup=args.warmup if args.warmup is not None else (2.0 if quick else 10.0),
        max_offsets=max_offsets or None,
        variants=[v.strip() for v in args.variants.split(",") if v.strip()],
        parts=[p.strip() for p in args.parts.split(",") if p.strip()],
        out=(args.out or RESULTS_ROOT / (stamp + ("-quick" if quick else ""))).resolve(),
        project=args.project.resolve() if args.project else None,
        keep_work=args.keep_work,
        wait_idle=args.wait_idle if args.wait_idle is not None else (0 if quick else 600),
        busy_retries=args.busy_retries if args.busy_retries is not None else (0 if quick else 2),
    )


# ---------------------------------------------------------------------------------------
# The machine, its load, the versions
# ---------------------------------------------------------------------------------------


def own_pids() -> set[int]:
    """This process and every descendant."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    mine, todo = set(), [os.getpid()]
    while todo:
        pid = todo.pop()
        mine.add(pid)
        todo.extend(children.get(pid, []))
    return mine


def cpu_ticks() -> dict[int, tuple[int, str]]:
    """pid -> (user + system clock ticks so far, command line), for every process."""
    out = {}
    for proc in Path("/proc").glob("[0-9]*"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
            cmd = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            out[int(proc.name)] = (int(fields[11]) + int(fields[12]), cmd.strip())
    return out


def others_busy(before: dict, after: dict, seconds: float) -> list[dict]:
    """Processes outside this run's tree and the cores each used between two samples."""
    mine, hz = own_pids(), os.sysconf("SC_CLK_TCK")
    busy = []
    for pid, (ticks, cmd) in after.items():
        used = (ticks - before.get(pid, (0, ""))[0]) / hz / seconds
        if pid not in mine and used > 0.005:
            busy.append({"pid": pid, "cores": round(used, 2), "cmd": cmd[:160]})
    return sorted(busy, key=lambda p: -p["cores"])


def cpu_stat() -> list[int]:
    """The machine's cumulative CPU ticks: user nice system idle iowait irq softirq steal."""
    return [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]


class LoadMonitor(threading.Thread):
    """Samples, every few seconds, how much CPU processes outside this run use (and the
    hypervisor's steal): on 2 shared cores other engineers' builds and tests move the numbers,
    so every measurement reports what it saw."""

    def __init__(self, every: float = 5.0):
        super().__init__(daemon=True)
        self.every, self.part, self.samples = every, "setup", []
        self._stop = threading.Event()

    def run(self) -> None:
        before, stat, then = cpu_ticks(), cpu_stat(), time.monotonic()
        while not self._stop.wait(self.every):
            after, stat_after, now = cpu_ticks(), cpu_stat(), time.monotonic()
            busy = others_busy(before, after, now - then)
            delta = [b - a for a, b in zip(stat, stat_after, strict=True)]
            self.samples.append({
                "t": time.time(), "part": self.part, "loadavg1": round(os.getloadavg()[0], 2),
                "other_cores": round(sum(p["cores"] for p in busy), 2),
                "other_java_spark_cores": round(sum(
                    p["cores"] for p in busy if re.search(r"java|pyspark|spark-submit",
                                                          p["cmd"])), 2),
                "steal_pct": round(100 * delta[7] / max(sum(delta), 1), 1)})
            before, stat, then = after, stat_after, now

    def stop(self) -> None:
        self._stop.set()

    def during(self, start: float, end: float) -> dict:
        """Mean CPU cores used by other processes, and steal, between two epoch times."""
        window = [x for x in self.samples if start <= x["t"] <= end + self.every]
        if not window:
            return {}
        return {"other_cores": round(statistics.mean(x["other_cores"] for x in window), 2),
                "steal_pct": round(statistics.mean(x["steal_pct"] for x in window), 1)}

    def summary(self) -> list[dict]:
        parts: dict[str, list[dict]] = {}
        for sample in self.samples:
            parts.setdefault(sample["part"], []).append(sample)
        return [{"part": part,
                 "other_cores_mean": round(statistics.mean(x["other_cores"] for x in xs), 2),
                 "other_cores_max": max(x["other_cores"] for x in xs),
                 "busy_samples_pct": round(100 * sum(x["other_cores"] > BUSY for x in xs)
                                           / len(xs)),
                 "steal_pct_mean": round(statistics.mean(x["steal_pct"] for x in xs), 1),
                 "loadavg1_mean": round(statistics.mean(x["loadavg1"] for x in xs), 2)}
                for part, xs in parts.items()]


def wait_until_idle(limit: float, quiet_for: float = 60) -> dict:
    """Wait (up to ``limit`` s) until other processes have used less than BUSY cores together
    for ``quiet_for`` seconds in a row (10 s samples)."""
    deadline = time.monotonic() + limit
    waited_from, quiet_since = time.monotonic(), None
    next_note = 0.0
    while True:
        before = cpu_ticks()
        time.sleep(10)
        busy = others_busy(before, cpu_ticks(), 10)
        cores = sum(p["cores"] for p in busy)
        now = time.monotonic()
        quiet_since = (quiet_since or now - 10) if cores < BUSY else None
        quiet = quiet_since is not None and now - quiet_since >= quiet_for
        if quiet or now >= deadline:
            waited = round(now - waited_from)
            state = "quiet" if quiet else "still busy, going ahead"
            say(f"idle check: other processes use {cores:.2f} cores ({state}, waited {waited} s)")
            return {"waited_s": waited, "other_cores": round(cores, 2), "quiet": quiet,
                    "busiest": busy[:3]}
        if cores >= BUSY and now >= next_note:
            say(f"waiting for other processes to go quiet ({cores:.2f} cores busy, e.g. "
                f"pid {busy[0]['pid']}: {busy[0]['cmd'][:70]}...)")
            next_note = now + 60


def machine() -> dict:
    meminfo = Path("/proc/meminfo").read_text()
    total_kb = int(re.search(r"MemTotal:\s+(\d+)", meminfo).group(1))
    cpu = re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text())
    return {"cores": os.cpu_count(), "memory_gib": round(total_kb / 2**20, 1),
            "cpu": cpu.group(1).strip() if cpu else platform.processor(),
            "os": f"{platform.system()} {platform.release()}"}


def versions(project: Path, kafka_cp: str) -> dict:
    import confluent_kafka
    import pyspark

    java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr
    conf = (project / "conf" / "spark-defaults.conf").read_text()
    connector = re.search(r"spark\.jars\.packages\s+(\S+)", conf)
    broker = re.search(r"kafka_[\d.]+-([\d.]+)\.jar", kafka_cp)
    scala = ""
    if (project / "scala" / "pom.xml").is_file():
        found = re.search(r"<scala\.version>([^<]+)<", (project / "scala" / "pom.xml").read_text())
        scala = found.group(1) if found else ""
    ivy_clients = sorted((CACHE / "ivy" / "jars").glob("org.apache.kafka_kafka-clients-*.jar"))
    return {
        "spark": pyspark.__version__,
        "connector": connector.group(1) if connector else "?",
        "connector_kafka_clients": ivy_clients[-1].name.split("-")[-1][:-4] if ivy_clients
        else "?",
        "kafka_broker": broker.group(1) if broker else "?",
        "python": platform.python_version(),
        "java": java.splitlines()[0] if java else "?",
        "scala": scala,
        "confluent_kafka": confluent_kafka.__version__,
        "librdkafka": confluent_kafka.libversion()[0],
    }


# ---------------------------------------------------------------------------------------
# The project: render, build, run
# ---------------------------------------------------------------------------------------


def render(work: Path) -> Path:
    say("render: cookiecutter --no-input include_java=yes include_scala=yes")
    cookiecutter = Path(sys.executable).parent / "cookiecutter"
    subprocess.run([str(cookiecutter), "--no-input", "-f", "-o", str(work), str(ROOT),
                    "include_java=yes", "include_scala=yes"], check=True,
                   stdout=subprocess.DEVNULL)
    return work / SLUG


@dataclass
class Jvm:
    jar: Path
    main: str


def build_variant(project: Path, variant: str, log_dir: Path) -> tuple[Jvm | None, str]:
    """Build java/ or scala/ with the project's own make target; jars cached by source hash."""
    source = project / variant
    mk = source / f"{variant}.mk"
    if not (source / "pom.xml").is_file() or not mk.is_file():
        return None, f"no {variant}/ in the rendered project"
    text = mk.read_text()
    main = re.search(r"^\w+_MAIN\s*:?=\s*(\S+)", text, re.M)
    jar_name = re.search(r"^\w+_JAR\s*:?=.*/target/(\S+?\.jar)", text, re.M)
    if not main or not jar_name:
        return None, f"{mk.name} defines no *_MAIN / *_JAR"
    digest = hashlib.sha256()
    for path in sorted(p for p in source.rglob("*") if p.is_file() and "target" not in p.parts):
        digest.update(str(path.relative_to(source)).encode() + b"\0" + path.read_bytes())
    cached = CACHE / "jars" / f"{variant}-{digest.hexdigest()[:16]}.jar"
    if cached.is_file():
        say(f"build: {variant} jar unchanged, cached ({cached.name})")
        return Jvm(cached, main.group(1)), ""
    say(f"build: make package-{variant} (Maven, ~1 min)")
    log = log_dir / f"build-{variant}.log"
    with open(log, "wb") as out:
        done = subprocess.run(["make", "-C", str(project), f"package-{variant}"], stdout=out,
                              stderr=subprocess.STDOUT)
    built = source / "target" / jar_name.group(1)
    if done.returncode != 0 or not built.is_file():
        tail = log.read_text(errors="replace").strip().splitlines()[-5:]
        return None, f"make package-{variant} failed (exit {done.returncode}): " + " | ".join(tail)
    cached.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(built, cached)
    return Jvm(cached, main.group(1)), ""


class Runner:
    """Starts the contenders with the project's runtime contract (env), the same way each time."""

    def __init__(self, s: Settings, project: Path, work: Path, bootstrap: str, kafka_cp: str,
                 jvms: dict[str, Jvm]):
        self.s, self.project, self.work, self.bootstrap = s, project, work, bootstrap
        self.kafka_cp, self.jvms = kafka_cp, jvms
        self.broker_cpu: CpuSampler | None = None
        self.monitor: LoadMonitor | None = None
        self.bin = Path(sys.executable).parent
        self.logs = s.out / "logs"
        self.runs = 0

    def load_during(self, start: float, end: float) -> dict:
        """What other processes used while a measurement ran (waits for the next sample)."""
        if self.monitor is None:
            return {}
        deadline = time.monotonic() + self.monitor.every + 2
        while time.monotonic() < deadline and not any(
                x["t"] >= end for x in self.monitor.samples[-3:]):
            time.sleep(0.2)
        return self.monitor.during(start, end)

    def checkpoint(self, name: str) -> Path:
        path = self.work / "checkpoints" / name
        shutil.rmtree(path, ignore_errors=True)
        return path

    def env(self, in_topic: str, out_topic: str, name: str, trigger: str,
            max_offsets: int | None = None, ivy: Path | None = None) -> dict:
        ivy = ivy or CACHE / "ivy"
        env = dict(os.environ, KAFKA_BROKERS=self.bootstrap, KAFKA_IN_TOPIC=in_topic,
                   KAFKA_OUT_TOPIC=out_topic, CHECKPOINT_LOCATION=str(self.checkpoint(name)),
                   STARTING_OFFSETS="earliest", TRIGGER=trigger,
                   SPARK_CONF_DIR=str(self.project / "conf"), PYTHONUNBUFFERED="1",
                   PYTHONPATH=str(self.project / "python" / "src"),
                   PATH=f"{self.bin}{os.pathsep}{os.environ.get('PATH', '')}",
                   # python -m: the same master and Ivy home as spark-submit gets below.
                   PYSPARK_SUBMIT_ARGS=f"--master local[{self.s.cores}] "
                                       f"--conf spark.jars.ivy={ivy} pyspark-shell")
        env.pop("MAX_OFFSETS_PER_TRIGGER", None)
        if max_offsets:
            env["MAX_OFFSETS_PER_TRIGGER"] = str(max_offsets)
        return env

    def spark(self, contender: str, in_topic: str, out_topic: str, trigger: str,
              max_offsets: int | None = None, ivy: Path | None = None) -> Proc:
        """The generated app (python, java, scala) or baseline (a), as a process."""
        self.runs += 1
        name = f"{self.runs:03d}-{contender}-{out_topic}"
        env = self.env(in_topic, out_topic, name, trigger, max_offsets, ivy)
        if contender == "python":
            command = [sys.executable, "-m", "kappa_app"]
        elif contender == "collect":
            command = [sys.executable, str(BENCH / "collect_pattern.py")]
        else:
            jvm = self.jvms[contender]
            command = [str(self.bin / "spark-submit"), "--master", f"local[{self.s.cores}]",
                       "--conf", f"spark.jars.ivy={ivy or CACHE / 'ivy'}",
                       "--class", jvm.main, str(jvm.jar)]
        return Proc(name, command, env, self.project, self.logs)

    def loop(self, contender: str, in_topic: str, out_topic: str, expected: int) -> Proc:
        self.runs += 1
        name = f"{self.runs:03d}-{contender}-{out_topic}"
        args = [self.bootstrap, in_topic, out_topic, str(expected)]
        if contender == "confluent":
            command = [sys.executable, str(BENCH / "confluent_loop.py"), *args]
        else:
            command = ["java", "-Xmx1g", "-cp", self.kafka_cp, str(BENCH / "JvmLoop.java"), *args]
        return Proc(name, command, dict(os.environ), self.work, self.logs)

    def kafka_tool(self, name: str, tool: str, args: list[str]) -> Proc:
        self.runs += 1
        command = ["java", "-Xmx1g", "-cp", self.kafka_cp, f"org.apache.kafka.tools.{tool}", *args]
        return Proc(f"{self.runs:03d}-{name}", command, dict(os.environ), self.work, self.logs)


def broker_pid(broker) -> int:
    """The broker JVM's pid (its process group: broker.py starts it in its own session)."""
    pid = getattr(broker, "pid", None)
    return pid if pid else broker.process.pid


def kafka_classpath(project: Path, broker) -> str:
    """The broker's own classpath (it includes kafka-tools): Maven's cached file, else the
    running broker's command line."""
    for cached in sorted((project / ".kafka").glob("classpath-*.txt")):
        text = cached.read_text().strip()
        if text:
            return text
    cmdline = Path(f"/proc/{broker_pid(broker)}/cmdline").read_bytes().split(b"\0")
    return cmdline[cmdline.index(b"-cp") + 1].decode()


# ---------------------------------------------------------------------------------------
# 1. Throughput
# ---------------------------------------------------------------------------------------

SPARK_CONTENDERS = ("python", "java", "scala", "collect")
LABELS = {
    "python": "Python app (generated)",
    "java": "Java app (generated)",
    "scala": "Scala app (generated)",
    "collect": "(a) foreachBatch + collect() + Python producer",
    "confluent": "(b) confluent-kafka loop (Python)",
    "jvmloop": "(c) Java-client loop (JVM)",
    "perf-producer": "(c) Kafka ProducerPerformance (write only)",
    "perf-consumer": "(c) Kafka ConsumerPerformance (read only)",
}


def throughput(s: Settings, runner: Runner, measure, contenders: list[str]) -> dict:
    """Every contender drains the same backlog, ``s.reps`` times, interleaved. A run during
    which other processes used more than BUSY cores is repeated (up to ``s.busy_retries``
    times); the summary prefers undisturbed runs."""
    bootstrap, results = runner.bootstrap, {c: [] for c in contenders}
    timeout = 300 + s.records / 2000
    for rep in range(1, s.reps + 1):
        for contender in contenders:
            for attempt in range(s.busy_retries + 1):
                out_topic = f"tp-{contender}-{rep}-{attempt}"
                say(f"throughput {rep}/{s.reps}: {LABELS[contender]}: {s.records:,} records "
                    f"-> {out_topic}")
                started = time.time()
                if contender.startswith("perf-"):
                    run = perf_tool(s, runner, measure, contender, out_topic)
                else:
                    measure.create_topics(bootstrap, [out_topic], s.partitions)
                    run = backlog_run(s, runner, measure, contender, out_topic, timeout)
                    delete_topics(bootstrap, [out_topic])
                run.update(runner.load_during(run.get("t_start", started),
                                              run.get("t_end", time.time())))
                run["disturbed"] = run.get("other_cores", 0) > BUSY
                results[contender].append(run)
                if run.get("error"):
                    say(f"  FAILED: {run['error']}")
                    break
                say(f"  {run['records_per_s']:,.0f} records/s, {run['mb_per_s']:.1f} MB/s "
                    f"({run['records']:,} records in {run['seconds']:.1f} s); other processes "
                    f"used {run.get('other_cores', '?')} cores, steal {run.get('steal_pct', '?')}%")
                if not run["disturbed"]:
                    break
                if attempt < s.busy_retries:
                    say("  disturbed by other processes: waiting for quiet, then repeating")
                    wait_until_idle(180, quiet_for=20)
    return results


def backlog_run(s: Settings, runner: Runner, measure, contender: str, out_topic: str,
                timeout: float) -> dict:
    if contender in SPARK_CONTENDERS:
        proc = runner.spark(contender, "bench-in", out_topic, "available-now", s.max_offsets)
    else:
        proc = runner.loop(contender, "bench-in", out_topic, s.records)
    try:
        got = measure.wait_for_count(runner.bootstrap, out_topic, s.records, timeout, say,
                                     alive=proc.alive, what=f"{contender}: ")
        proc.wait(120 if got >= s.records else 0)
        started = proc.event("started")
    finally:
        proc.stop(30)
    if got < s.records or not started:
        return {"error": f"{got:,}/{s.records:,} records arrived (exit {proc.popen.returncode}): "
                         f"{proc.tail(5)}", "log": proc.stdout_path.name}
    stats = measure.span(runner.bootstrap, out_topic)
    t0 = epoch_s(started["ts"])
    seconds = stats["last_ms"] / 1000 - t0
    cpu = proc.cpu.between(t0, stats["last_ms"] / 1000)
    broker_cpu = runner.broker_cpu.between(t0, stats["last_ms"] / 1000)
    return {"records": stats["count"], "seconds": round(seconds, 3),
            "t_start": t0, "t_end": stats["last_ms"] / 1000,
            "cpu_us_per_record": round(cpu * 1e6 / stats["count"], 2) if cpu else None,
            "broker_cpu_us_per_record": round(broker_cpu * 1e6 / stats["count"], 2)
            if broker_cpu else None,
            "records_per_s": round(stats["count"] / seconds, 1),
            "mb_per_s": round(stats["count"] * s.size / seconds / 1e6, 2),
            "first_output_after_s": round(stats["first_ms"] / 1000 - t0, 3),
            "steady_records_per_s": round(stats["count"] / max(
                (stats["last_ms"] - stats["first_ms"]) / 1000, 0.001), 1),
            "launch_to_last_s": round(stats["last_ms"] / 1000 - proc.launched, 3),
            "log": proc.stdout_path.name}


def perf_tool(s: Settings, runner: Runner, measure, contender: str, topic: str) -> dict:
    """Kafka's own tools: the write ceiling (ProducerPerformance, to a fresh topic) and the read
    ceiling (ConsumerPerformance, the preloaded input)."""
    bootstrap = runner.bootstrap
    if contender == "perf-producer":
        measure.create_topics(bootstrap, [topic], s.partitions)
        proc = runner.kafka_tool(contender, "ProducerPerformance", [
            "--topic", topic, "--num-records", str(s.records), "--record-size", str(s.size),
            "--throughput", "-1", "--producer-props", f"bootstrap.servers={bootstrap}"])
    else:
        proc = runner.kafka_tool(contender, "ConsumerPerformance", [
            "--bootstrap-server", bootstrap, "--topic", "bench-in", "--messages", str(s.records),
            "--timeout", "60000"])
    try:
        code = proc.wait(300 + s.records / 5000)
    finally:
        proc.stop(5)
    if contender == "perf-producer":
        delete_topics(bootstrap, [topic])
    text = proc.stdout_path.read_text(errors="replace")
    if contender == "perf-producer":
        found = re.findall(r"(\d+) records sent, ([\d.]+) records/sec \(([\d.]+) MB/sec\)", text)
        if code == 0 and found:
            n, rate, _ = found[-1]
            return perf_result(s, int(n), float(rate), proc)
    else:
        lines = [line for line in text.splitlines() if line.strip()]
        header = next((i for i, line in enumerate(lines) if "nMsg.sec" in line), None)
        if code == 0 and header is not None and header + 1 < len(lines):
            columns = [c.strip() for c in lines[header].split(",")]
            values = [v.strip() for v in lines[header + 1].split(",")]
            row = dict(zip(columns, values, strict=False))
            # fetch.nMsg.sec excludes the consumer group's join time, like the span above.
            rate = float(row.get("fetch.nMsg.sec") or row["nMsg.sec"])
            return perf_result(s, int(float(row["data.consumed.in.nMsg"])), rate, proc)
    return {"error": f"exit {code}: {proc.tail(5) or text[-300:]}", "log": proc.stdout_path.name}


def perf_result(s: Settings, records: int, rate: float, proc: Proc) -> dict:
    return {"records": records, "seconds": round(records / rate, 3) if rate else None,
            "records_per_s": round(rate, 1), "mb_per_s": round(rate * s.size / 1e6, 2),
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


# ---------------------------------------------------------------------------------------
# 2. Latency
# ---------------------------------------------------------------------------------------


def latency(s: Settings, runner: Runner, measure, points: list[tuple[str, str]]) -> dict:
    results = {}
    for variant, mode in points:
        key = f"{variant}/{mode}"
        trigger = "0 seconds" if mode == "micro-batch" else "real-time"
        say(f"latency: {LABELS[variant]}, trigger '{trigger}', rates {s.rates} records/s, "
            f"{s.warmup:.0f}+{s.window:.0f} s each")
        began = time.time()
        results[key] = latency_point(s, runner, measure, variant, mode, trigger)
        results[key].update(runner.load_during(began, time.time()))
        for rate, stats in results[key].get("rates", {}).items():
            say(f"  {rate}/s: p50 {stats['p50_ms']:.0f} ms, p95 {stats['p95_ms']:.0f} ms, "
                f"p99 {stats['p99_ms']:.0f} ms ({stats['samples']:,} records)")
        if results[key].get("error"):
            say(f"  FAILED: {results[key]['error']}")
    return results


def latency_point(s: Settings, runner: Runner, measure, variant: str, mode: str,
                  trigger: str) -> dict:
    bootstrap = runner.bootstrap
    tag = f"{variant}-{mode}"
    in_topic, out_topic = f"lat-in-{tag}", f"lat-out-{tag}"
    measure.create_topics(bootstrap, [in_topic], s.partitions, log_append_time=False)
    measure.create_topics(bootstrap, [out_topic], s.partitions)
    proc = runner.spark(variant, in_topic, out_topic, trigger)
    producer = measure.PacedProducer(bootstrap, in_topic, s.size)
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
    if durations and trigger != "real-time":
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


# ---------------------------------------------------------------------------------------
# 3. Start-up
# ---------------------------------------------------------------------------------------


def startup(s: Settings, runner: Runner, measure, variants: list[str]) -> tuple[dict, dict]:
    """Command start -> first record on the output topic. Cold: a fresh, empty Ivy home (the
    connector and its dependencies are resolved and copied again; Ivy reads ~/.m2 first, then
    Maven Central) and a fresh checkpoint. Warm: the same command again with that Ivy home."""
    bootstrap = runner.bootstrap
    measure.create_topics(bootstrap, ["startup-in"], s.partitions, log_append_time=False)
    measure.preload(bootstrap, "startup-in", 1000, s.size, say)
    results = {v: {"cold": [], "warm": []} for v in variants}
    loads: list[float] = []
    for rep in range(1, s.startup_reps + 1):
        for variant in variants:
            ivy = runner.work / f"ivy-{variant}-{rep}"
            shutil.rmtree(ivy, ignore_errors=True)
            for kind in ("cold", "warm"):
                out_topic = f"startup-{variant}-{kind}-{rep}"
                measure.create_topics(bootstrap, [out_topic], s.partitions)
                say(f"start-up {rep}/{s.startup_reps}: {LABELS[variant]}, {kind} "
                    f"(Ivy home {'empty' if kind == 'cold' else 'filled'})")
                proc = runner.spark(variant, "startup-in", out_topic, "0 seconds", ivy=ivy)
                try:
                    first_ms = measure.wait_for_first(bootstrap, out_topic, 300,
                                                      alive=proc.alive)
                finally:
                    proc.stop(60)
                load = runner.load_during(proc.launched, (first_ms or 0) / 1000 or time.time())
                loads.append(load.get("other_cores", 0))
                if first_ms is None:
                    results[variant][kind].append(None)
                    say(f"  FAILED: no output (exit {proc.popen.returncode}): {proc.tail(3)}")
                    continue
                seconds = round(first_ms / 1000 - proc.launched, 2)
                results[variant][kind].append(seconds)
                say(f"  first output record after {seconds:.1f} s")
    summary = {}
    for variant, kinds in results.items():
        summary[variant] = {}
        for kind, values in kinds.items():
            good = [v for v in values if v is not None]
            summary[variant][kind] = round(statistics.median(good), 2) if good else None
            summary[variant][f"{kind}_runs"] = values
    load = {"other_cores_mean": round(statistics.mean(loads), 2),
            "other_cores_max": max(loads)} if loads else {}
    return summary, load


# ---------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------


def main(argv: list[str]) -> int:
    s = parse_args(argv)
    ensure_venv()
    import measure
    import report

    # Ctrl-C even when started in the background (where SIGINT is inherited as ignored).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, on_signal)
    s.out.mkdir(parents=True, exist_ok=True)
    (s.out / "logs").mkdir(exist_ok=True)
    say(f"bench: {'QUICK' if s.quick else 'full'} run -> {show(s.out)}")
    say(f"bench: {s.records:,} records x {s.size} B, {s.partitions} partitions, "
        f"{s.reps} run(s) per contender, latency at {s.rates} records/s")
    results: dict = {"settings": settings_json(s), "machine": machine(), "notes": []}
    if s.wait_idle:
        results["idle_wait"] = wait_until_idle(s.wait_idle)
    monitor = LoadMonitor()
    monitor.start()
    work = Path(tempfile.mkdtemp(prefix="kappa-bench-"))
    broker_handle = None
    started = time.monotonic()
    failed = False
    try:
        project = s.project or render(work / "render")
        jvms: dict[str, Jvm] = {}
        for variant in ("java", "scala"):
            if variant not in s.variants:
                continue
            jvm, why = build_variant(project, variant, s.out / "logs")
            if jvm:
                jvms[variant] = jvm
            else:
                results["notes"].append(f"{variant}: not measured: {why}")
                say(f"build: {variant} NOT available: {why}")
        variants = [v for v in s.variants if v == "python" or v in jvms]

        sys.path.insert(0, str(project / "kafka"))
        import broker

        say("kafka: starting the project's broker (kafka/broker.py)")
        broker_handle = broker.start(work / "kafka", port=0, log=lambda m: say(f"  {m}"))
        bootstrap = broker_handle.bootstrap
        kafka_cp = kafka_classpath(project, broker_handle)
        runner = Runner(s, project, work, bootstrap, kafka_cp, jvms)
        runner.broker_cpu = CpuSampler(broker_pid(broker_handle))
        runner.monitor = monitor

        if "throughput" in s.parts:
            monitor.part = "throughput"
            measure.create_topics(bootstrap, ["bench-in"], s.partitions, log_append_time=False)
            say(f"preload: {s.records:,} records of {s.size} B into bench-in")
            seconds = measure.preload(bootstrap, "bench-in", s.records, s.size, say)
            say(f"preload: done in {seconds:.1f} s ({s.records / seconds:,.0f} records/s)")
            contenders = [*variants, "collect", "confluent", "jvmloop", "perf-producer",
                          "perf-consumer"]
            runs = throughput(s, runner, measure, contenders)
            results["throughput_runs"] = runs
            results["throughput"] = summarize_throughput(runs)
        # A quick run measures latency and start-up for the Python app only.
        others = ["python"] if s.quick and "python" in variants else variants
        if "latency" in s.parts:
            monitor.part = "latency"
            points = [(v, m) for v in others for m in ("micro-batch", "real-time")]
            results["latency"] = latency(s, runner, measure, points)
        if "startup" in s.parts:
            monitor.part = "start-up"
            results["startup"], results["startup_load"] = startup(s, runner, measure, others)
        results["versions"] = versions(project, kafka_cp)
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
    results["total_seconds"] = round(time.monotonic() - started)
    results["load"] = monitor.summary()
    for part in results["load"]:
        say(f"load during {part['part']}: other processes used {part['other_cores_mean']} "
            f"cores on average (max {part['other_cores_max']}; > 0.3 cores in "
            f"{part['busy_samples_pct']}% of samples), loadavg {part['loadavg1_mean']}")
    report.write(results, s.out, LABELS)
    say(f"bench: done in {results['total_seconds'] // 60} min "
        f"{results['total_seconds'] % 60} s; results in {show(s.out)}/: "
        "results.md, results.json, chart.png")
    print()
    print((s.out / "results.md").read_text())
    return 1 if failed else 0


def settings_json(s: Settings) -> dict:
    return {"quick": s.quick, "records": s.records, "record_size": s.size,
            "partitions": s.partitions, "reps": s.reps, "startup_reps": s.startup_reps,
            "rates": s.rates, "window_s": s.window, "warmup_s": s.warmup,
            "max_offsets_per_trigger": s.max_offsets, "variants": s.variants,
            "parts": s.parts, "spark_master": f"local[{s.cores}]",
            "busy_retries": s.busy_retries, "busy_threshold_cores": BUSY}


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:
        kill_all()
        sys.exit(130)
