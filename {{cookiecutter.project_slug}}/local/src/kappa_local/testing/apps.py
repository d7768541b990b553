"""An app under test: one process (and its children) in its own process group, its stdout
(JSON event lines, one per line) and stderr in files, waited on without assuming any speed.

Deadlines are generous on purpose: every wait returns as soon as its condition holds, so a
quiet machine never waits them out, and a loaded one (CI on 2 busy cores) has room.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

START_TIMEOUT = 600  # a first run resolves Spark's Kafka connector from Maven Central
STOP_TIMEOUT = 300


class App:
    """One run of an app in its own process group, logs in files for diagnostics."""

    def __init__(self, command: list[str], env: dict[str, str], log_dir: Path,
                 cwd: Path | None = None):
        self.stdout_path, self.stderr_path = log_dir / "stdout.log", log_dir / "stderr.log"
        log_dir.mkdir(parents=True, exist_ok=True)
        with open(self.stdout_path, "wb") as out, open(self.stderr_path, "wb") as err:
            self.process = subprocess.Popen(command, cwd=cwd, env=env, stdout=out,
                                            stderr=err, start_new_session=True)

    def events(self) -> list[dict]:
        text = self.stdout_path.read_text(encoding="utf-8", errors="replace")
        complete = text[:text.rfind("\n") + 1]  # the app may be writing the last line now
        return [json.loads(line) for line in complete.splitlines() if line.startswith("{")]

    def wait_for_event(self, name: str, timeout: float = START_TIMEOUT, **fields) -> dict:
        """The first `name` event whose fields match (a callable tests a field's value).

        Listener events are asynchronous: a progress line may be printed after the records it
        reports have already reached a consumer, so tests wait for it instead of asserting."""

        def matches(event: dict) -> bool:
            return event["event"] == name and all(
                test(event.get(key)) if callable(test) else event.get(key) == test
                for key, test in fields.items())

        deadline = time.monotonic() + timeout
        while True:
            found = [e for e in self.events() if matches(e)]
            if found:
                return found[0]
            if self.process.poll() is not None or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        # One last look: the app may have printed the line just before it exited.
        found = [e for e in self.events() if matches(e)]
        if found:
            return found[0]
        raise AssertionError(f"no '{name}' event with {fields} within {timeout:.0f}s "
                             f"(exit {self.process.poll()});\n{self.logs()}")

    def terminate(self, sig: int, timeout: float = STOP_TIMEOUT) -> int:
        """Signal the whole process group, as a terminal (Ctrl-C) or a container stop does."""
        os.killpg(self.process.pid, sig)
        return self.process.wait(timeout)

    def assert_stopped_cleanly(self, exit_code: int) -> None:
        events = [e["event"] for e in self.events()]
        assert exit_code == 0, self.logs()
        assert "stopping" in events and events[-1] == "stopped", events
        self.assert_no_stack_trace()

    def assert_no_stack_trace(self) -> None:
        stderr = self.stderr_path.read_text(errors="replace")
        assert "Traceback" not in stderr and "\n\tat " not in stderr, self.logs()

    def kill(self) -> None:
        """SIGKILL the whole process group (a crash), unless it has exited already."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(STOP_TIMEOUT)

    def logs(self) -> str:
        tail = self.stderr_path.read_text(errors="replace").splitlines()[-30:]
        return self.stdout_path.read_text(errors="replace") + "\n".join(tail)
