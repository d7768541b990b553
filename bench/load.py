"""The machine and its load: what processes outside this run use while it measures (on 2
shared cores other people's builds move the numbers, so every measurement reports it)."""

from __future__ import annotations

import contextlib
import os
import platform
import re
import statistics
import threading
import time
from pathlib import Path

from .common import BUSY, say


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

