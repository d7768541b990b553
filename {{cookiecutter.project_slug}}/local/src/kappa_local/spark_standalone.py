"""Spark's own standalone cluster manager, run from the project venv's pyspark: one Master and
its Workers, each a JVM in its own directory (properties, log, pid file, work dir), all on
127.0.0.1. pip's pyspark ships bin/spark-class but no sbin/start-master.sh or
start-worker.sh, so each daemon is started the way those scripts do in the end:
``spark-class <main class> <options>``."""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import subprocess
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from .processes import (
    HOST,
    LocalError,
    command_line,
    pids_under,
    start_in_own_group,
    stop_group,
    tail,
)

MASTER = "org.apache.spark.deploy.master.Master"
WORKER = "org.apache.spark.deploy.worker.Worker"
EXECUTOR = "org.apache.spark.executor.CoarseGrainedExecutorBackend"

# What a daemon keeps in its directory.
PID_FILE = "daemon.pid"  # {"pid": ...}
LOG_FILE = "daemon.log"  # the JVM's stdout and stderr (Spark logs INFO to stderr)
PROPERTIES = "spark.properties"  # --properties-file; its path also marks the command line

# The Master also opens a REST submission server on port 6066 unless told not to (seen on
# 4.2.0): off, so that it cannot collide with another cluster or an app.
DAEMON_PROPERTIES = {"spark.master.rest.enabled": "false"}
DEFAULT_DAEMON_MEMORY = "256m"  # Master and Worker heaps (Spark's default is 1g each)


def spark_home() -> Path:
    """The pyspark package directory: Spark's bin/ and jars/ are inside it."""
    spec = importlib.util.find_spec("pyspark")
    if spec is None or not spec.origin:
        raise LocalError("pyspark is not installed in this Python: run make install")
    return Path(spec.origin).parent


@dataclass(frozen=True)
class Daemon:
    """One Master or Worker JVM and the directory it runs in."""

    name: str  # "spark-master", "spark-worker-1", ...
    main_class: str
    directory: Path
    args: tuple[str, ...]

    @property
    def log_file(self) -> Path:
        return self.directory / LOG_FILE

    def pid(self) -> int | None:
        """Its pid if it runs now; a stale pid file (after kill -9) gives None."""
        try:
            pid = json.loads((self.directory / PID_FILE).read_text())["pid"]
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return pid if self.is_this(pid) else None

    def is_this(self, pid: int) -> bool:
        """Is ``pid`` this daemon (not a stranger that reused the pid)?"""
        cmdline = command_line(pid) or ""
        return self.main_class in cmdline and str(self.directory / PROPERTIES) in cmdline

    def start(self, env: dict[str, str]) -> subprocess.Popen:
        self.directory.mkdir(parents=True, exist_ok=True)
        properties = self.directory / PROPERTIES
        properties.write_text("".join(f"{k} {v}\n" for k, v in DAEMON_PROPERTIES.items()))
        command = [str(spark_home() / "bin" / "spark-class"), self.main_class, *self.args,
                   "--properties-file", str(properties)]
        process = start_in_own_group(command, self.directory, self.log_file, env)
        (self.directory / PID_FILE).write_text(json.dumps({"pid": process.pid}) + "\n")
        return process

    def stop(self, timeout: float) -> int | None:
        """SIGTERM its process group (a Worker takes its executors along), SIGKILL after
        ``timeout``; removes the pid file, stale ones included. Returns the pid stopped."""
        pid = self.pid()
        if pid:
            stop_group(pid, lambda: self.is_this(pid), timeout)
        (self.directory / PID_FILE).unlink(missing_ok=True)
        return pid


class Standalone:
    """A Master and ``len(worker_webui_ports)`` Workers (``cores`` and ``memory`` each) whose
    directories are <run_dir>/spark-master and <run_dir>/spark-worker-<i>."""

    def __init__(self, run_dir: Path, port: int, webui_port: int, worker_webui_ports,
                 cores: int, memory: str):
        self.master_url = f"spark://{HOST}:{port}"
        self.webui = f"http://{HOST}:{webui_port}"
        self.master = Daemon("spark-master", MASTER, Path(run_dir) / "spark-master",
                             ("--host", HOST, "--port", str(port), "--webui-port", str(webui_port)))
        self.workers = []
        for i, worker_webui in enumerate(worker_webui_ports, start=1):
            directory = Path(run_dir) / f"spark-worker-{i}"
            self.workers.append(Daemon(
                f"spark-worker-{i}", WORKER, directory,
                ("--host", HOST, "--webui-port", str(worker_webui), "--cores", str(cores),
                 "--memory", memory, "--work-dir", str(directory / "work"), self.master_url)))
        self._processes: dict[str, subprocess.Popen] = {}  # those this Python process started

    @property
    def daemons(self) -> list[Daemon]:
        return [self.master, *self.workers]

    def running(self) -> dict[str, int]:
        """Daemon name -> pid of every daemon that runs now."""
        return {d.name: pid for d in self.daemons if (pid := d.pid())}

    def start_missing(self, log=print) -> list[str]:
        """Start the daemons that do not run (the Master first); returns their names."""
        env = dict(os.environ, SPARK_LOCAL_IP=HOST,  # every socket and UI on loopback
                   SPARK_DAEMON_MEMORY=os.environ.get("SPARK_DAEMON_MEMORY", DEFAULT_DAEMON_MEMORY))
        # Daemons and their executors use Spark's default logging (INFO), not the app's conf/.
        env.pop("SPARK_CONF_DIR", None)
        missing = [d for d in self.daemons if not d.pid()]
        for daemon in missing:
            log(f"spark: starting {daemon.name} (log {daemon.log_file})...")
            # Scratch space (a Worker's executors fetch the app's jars there) in its own
            # directory, not /tmp, where an executor killed with kill -9 would leave it.
            local_dirs = str(daemon.directory / "local")
            self._processes[daemon.name] = daemon.start(dict(env, SPARK_LOCAL_DIRS=local_dirs))
        return [d.name for d in missing]

    def state(self) -> dict | None:
        """The Master's own status page as JSON (workers, apps), or None if it does not answer."""
        try:
            with urllib.request.urlopen(f"{self.webui}/json/", timeout=5) as response:
                return json.load(response)
        except (OSError, ValueError):
            return None

    def alive_workers(self) -> int:
        return (self.state() or {}).get("aliveworkers", 0)

    def wait_until_ready(self, timeout: float, log=print) -> None:
        """Wait until the Master has every Worker registered and alive."""
        log(f"spark: waiting for {len(self.workers)} workers to register with "
            f"{self.master_url}...")
        deadline = time.monotonic() + timeout
        while self.alive_workers() < len(self.workers):
            for daemon in self.daemons:
                process = self._processes.get(daemon.name)
                if process and process.poll() is not None:
                    raise LocalError(f"{daemon.name} exited (exit code {process.returncode}); "
                                     f"the end of {daemon.log_file}:", tail(daemon.log_file))
            if time.monotonic() > deadline:
                raise LocalError(f"the Spark cluster was not ready within {timeout:.0f}s "
                                 f"({self.alive_workers()} of {len(self.workers)} workers alive; "
                                 f"logs in {self.master.directory.parent}/spark-*/)")
            time.sleep(0.5)

    def running_apps(self) -> list[str]:
        """The ids of the applications the Master runs now."""
        return [app["id"] for app in (self.state() or {}).get("activeapps", [])]

    def executors(self, worker: int, app_id: str = "") -> list[int]:
        """Pids of the executor JVMs that Worker ``worker`` (1-based) runs now (for one app)."""
        directory = self.workers[worker - 1].directory
        return [pid for pid in pids_under(directory)
                if EXECUTOR in (cmdline := command_line(pid) or "") and app_id in cmdline]

    def kill(self, pid: int) -> float:
        """SIGKILL one process (a daemon or an executor); returns when (epoch seconds)."""
        killed_at = time.time()
        os.kill(pid, signal.SIGKILL)
        for process in self._processes.values():
            process.poll()  # reap it if it was our child
        return killed_at

    def kill_worker(self, worker: int) -> float:
        """SIGKILL Worker ``worker`` (1-based) alone: its executors lose their Worker."""
        daemon = self.workers[worker - 1]
        pid = daemon.pid()
        if not pid:
            raise LocalError(f"{daemon.name} is not running")
        return self.kill(pid)

    def stop(self, timeout: float = 30.0) -> None:
        """Stop the Workers (with their executors), then the Master."""
        with ThreadPoolExecutor(len(self.workers)) as pool:
            list(pool.map(lambda daemon: daemon.stop(timeout), self.workers))
        self.master.stop(timeout)
        for process in self._processes.values():
            process.poll()
