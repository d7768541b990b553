"""The benchmark's children: each in its own process group with its CPU time sampled, its
output in log files, and all of them killed on the way out."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import threading
import time
from pathlib import Path


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


