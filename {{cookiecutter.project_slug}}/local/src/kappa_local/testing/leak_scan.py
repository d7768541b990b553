"""The secret-leak scan of the security tests: everywhere a secret could end up when the app
runs (the project, the checkpoint, the app's output with its progress lines, Spark's event log,
the command lines of the app's processes) is read and searched for the secrets, byte for byte.

Spark 4 writes its event log zstd-compressed (``*.zstd``): it is decompressed with the
zstandard package (a dev dependency) before the search.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

# Not scanned in the project: virtualenvs and git's compressed objects (neither is written by
# the app), and a local broker's data dir, which holds its own credentials on purpose.
SKIPPED_DIRS = {".venv", "venv", ".git", ".kafka"}


@dataclass
class Scanned:
    """What one place held: how much was read, and which secrets were found where."""

    files: int = 0
    bytes: int = 0
    found: dict[str, list[str]] = field(default_factory=dict)  # secret name -> files

    def search(self, where: str, data: bytes, secrets: Mapping[str, bytes]) -> None:
        self.files += 1
        self.bytes += len(data)
        for name, secret in secrets.items():
            if secret in data:
                self.found.setdefault(name, []).append(where)


def event_log_conf(tmp_path: Path, project_conf: Path) -> tuple[Path, Path]:
    """A copy of the project's conf/ with Spark's event log switched on; returns the conf dir
    and the directory the event log goes to."""
    conf, events = tmp_path / "conf", tmp_path / "event-log"
    shutil.copytree(project_conf, conf)
    events.mkdir()
    with open(conf / "spark-defaults.conf", "a", encoding="utf-8") as defaults:
        defaults.write(f"\nspark.eventLog.enabled true\nspark.eventLog.dir {events.as_uri()}\n")
    return conf, events


def file_bytes(path: Path) -> bytes:
    """A file's bytes; a zstd-compressed Spark event log decompressed."""
    data = path.read_bytes()
    if path.name.endswith((".zstd", ".zstd.inprogress")):
        try:
            import zstandard
        except ImportError:
            raise AssertionError("the zstandard package is missing: make install (it is a dev "
                                 "dependency of the project)") from None
        reader = zstandard.ZstdDecompressor().stream_reader(data, read_across_frames=True)
        data = reader.read()
    return data


def files_under(roots: Iterable[Path]) -> Iterable[Path]:
    for root in roots:
        if root.is_file():
            yield root
            continue
        for folder, dirs, names in os.walk(root):
            dirs[:] = [d for d in dirs if d not in SKIPPED_DIRS]
            for name in names:
                path = Path(folder) / name
                if path.is_file() and not path.is_symlink():
                    yield path


def scan(secrets: Mapping[str, str], places: Mapping[str, Iterable[Path]],
         command_lines: Iterable[tuple[int, bytes]]) -> dict[str, Scanned]:
    """Search every file of ``places`` (name -> files or directories) and every command line
    for each secret; returns what each place held."""
    needles = {name: value.encode() for name, value in secrets.items()}
    result = {}
    for place, roots in places.items():
        result[place] = scanned = Scanned()
        for path in files_under(roots):
            scanned.search(str(path), file_bytes(path), needles)
    result["command lines"] = scanned = Scanned()
    for pid, command_line in command_lines:
        scanned.search(f"/proc/{pid}/cmdline", command_line, needles)
    return result


class CommandLines:
    """Records the command line of every process in a session while it runs (sampled every
    0.2 s from /proc), e.g. of an app started with start_new_session and all it starts: the
    JVM, the Python workers."""

    def __init__(self, session: int):
        self.session = session
        self.seen: set[tuple[int, bytes]] = set()  # (pid, command line): exec changes it
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def __enter__(self) -> CommandLines:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _watch(self) -> None:
        while True:
            self.sample()
            if self._stop.wait(0.2):
                return

    def sample(self) -> None:
        for proc in Path("/proc").iterdir():
            if proc.name.isdigit():
                try:
                    stat = (proc / "stat").read_text()
                    # "pid (name) state ppid pgrp session ...": the name may hold spaces.
                    if int(stat.rpartition(")")[2].split()[3]) == self.session:
                        command_line = (proc / "cmdline").read_bytes()
                        if command_line:  # empty while a process is being set up or reaped
                            self.seen.add((int(proc.name), command_line))
                except (OSError, ValueError, IndexError):
                    continue  # gone in the meantime
