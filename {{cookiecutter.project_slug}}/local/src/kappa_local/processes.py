"""Process and port helpers for the local infrastructure (Kafka nodes, Spark daemons): free
ports, process groups that stop as a whole, pid checks that never hit a stranger's process."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

HOST = "127.0.0.1"


class LocalError(Exception):
    """A problem the user can fix: a CLI prints it as one ``ERROR:`` line (then details)."""

    def __init__(self, message: str, details: str = ""):
        super().__init__(message)
        self.details = details


def free_port() -> int:
    """A TCP port that is free on 127.0.0.1 right now."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def port_in_use(port: int) -> bool:
    with socket.socket() as s:
        # Like the JVM does: a port with only old TIME_WAIT connections counts as free.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((HOST, port))
        except OSError:
            return True
    return False


def tail(path: Path, lines: int = 25) -> str:
    """The last lines of a log file, indented, for an error message."""
    text = path.read_text(errors="replace") if path.is_file() else ""
    return "\n".join("    " + line for line in text.splitlines()[-lines:])


def command_line(pid: int) -> str | None:
    """The command line of a live process, or None if there is none with that pid. A pid file
    can outlive its process (think reboot) and its pid then belong to another process, which
    must not be killed: callers check the command line before they signal."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        pass  # alive, but another user's: the command line decides
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")  # Linux
    except OSError:
        return subprocess.run(["ps", "-ww", "-o", "command=", "-p", str(pid)],  # macOS
                              capture_output=True, text=True).stdout


def stop_group(pid: int, is_alive, timeout: float) -> None:
    """SIGTERM the process group that ``pid`` leads (a JVM then shuts down cleanly); SIGKILL
    it if it is still alive after ``timeout`` seconds. Returns when it is gone."""
    for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 10.0)):
        try:
            os.killpg(pid, sig)
        except (ProcessLookupError, PermissionError):
            return  # no such group (any more)
        deadline = time.monotonic() + wait
        while is_alive() and time.monotonic() < deadline:
            time.sleep(0.1)
        if not is_alive():
            return


def start_in_own_group(command: list[str], cwd: Path, log_file: Path,
                       env: dict | None = None) -> subprocess.Popen:
    """Start a daemon in a new session (its own process group), output to ``log_file``: Ctrl-C
    in this terminal does not reach it, and stop_group() stops it with all its children. The
    previous run's log is kept as <log>.1."""
    if log_file.exists():
        os.replace(log_file, log_file.with_name(log_file.name + ".1"))
    with open(log_file, "wb") as out:
        return subprocess.Popen(command, cwd=cwd, stdin=subprocess.DEVNULL, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True, env=env)


def pids_under(directory: Path) -> list[int]:
    """Live processes whose working directory lies under ``directory`` (Linux: /proc; elsewhere
    none). Every daemon of a local cluster runs in its own directory there, and so do the Spark
    executors a Worker launches: this finds them even after their pid file went stale."""
    root = str(Path(directory).resolve())
    found = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            cwd = os.readlink(proc / "cwd")
        except OSError:  # gone, or another user's
            continue
        if (cwd == root or cwd.startswith(root + os.sep)) and int(proc.name) != os.getpid():
            found.append(int(proc.name))
    return found
