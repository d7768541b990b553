#!/usr/bin/env python3
"""A real, local, single-node Apache Kafka broker: no Docker, no download but Maven Central.

The broker is Apache Kafka itself (KRaft mode, broker and controller in one JVM), run from
its Maven Central jars: kafka/pom.xml pins them, Maven resolves them into ~/.m2 once, and
this script starts ``java -cp <those jars> kafka.Kafka server.properties``.

Command line (stdlib only, Python 3.9+, Linux or macOS)::

    python3 kafka/broker.py up     [--port N] [--controller-port N] [--data-dir DIR] [--topics a,b]
    python3 kafka/broker.py down   [--data-dir DIR]
    python3 kafka/broker.py status [--data-dir DIR]

    environment fallbacks: KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (port + 1),
    KAFKA_DATA_DIR (<project>/.kafka), KAFKA_TOPICS (comma list; "name:partitions" allowed),
    KAFKA_START_TIMEOUT (seconds, 120), KAFKA_HEAP_OPTS ("-Xms128m -Xmx512m"), KAFKA_OPTS.

Python API (for pytest fixtures; every broker gets its own ports and data dir)::

    import broker
    with broker.start(tmp_path / "kafka", topics=["in", "out"]) as b:   # port=0: free ports
        run_app(bootstrap=b.bootstrap)                                  # "127.0.0.1:PORT"
        b.create_topics(["more"], partitions=3)
    # leaving the block (or b.stop()) kills the broker's whole process group

Topics are created (idempotently) over Kafka's own wire protocol from Python, so ``up``
needs one JVM only: the broker (plus a short one the first time, to format its storage).
"""

from __future__ import annotations

import argparse
import atexit
import base64
import contextlib
import hashlib
import json
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Callable, Iterator, Optional

KAFKA_DIR = Path(__file__).resolve().parent
PROJECT_DIR = KAFKA_DIR.parent
POM = KAFKA_DIR / "pom.xml"
DEFAULT_DATA_DIR = PROJECT_DIR / ".kafka"
HOST = "127.0.0.1"
DEFAULT_PORT = 9092
DEFAULT_HEAP_OPTS = "-Xms128m -Xmx512m"  # small on purpose: Spark needs the memory
DEFAULT_START_TIMEOUT = 120.0
DEFAULT_STOP_TIMEOUT = 30.0

PID_FILE = "broker.pid"
LOG_FILE = "broker.log"
SERVER_PROPERTIES = "server.properties"
LOG4J_PROPERTIES = "log4j2.properties"
LOG_DIRS = "data"  # Kafka's own storage, under the data dir

Log = Optional[Callable[[str], None]]


class KafkaError(Exception):
    """A problem the user can act on; the CLI prints it as one ``ERROR:`` line."""

    def __init__(self, message: str, details: str = ""):
        super().__init__(message)
        self.details = details  # e.g. the tail of a log, printed under the ERROR line


# --------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------


def _show(path: Path) -> str:
    """A path as the user would type it: relative to the current directory when inside it."""
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return str(path)
    return str(path) if rel.startswith("..") else rel


def _tail(path: Path, lines: int = 25) -> str:
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            f.seek(max(0, f.tell() - 64 * 1024))
            text = f.read().decode("utf-8", "replace")
    except OSError:
        return ""
    return "\n".join("    " + line for line in text.splitlines()[-lines:])


def _env_int(name: str, default: Optional[int]) -> Optional[int]:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise KafkaError(f"{name}={raw!r} is not a number") from None


def _check_port_number(port: int, what: str) -> None:
    if not 0 <= port <= 65535:
        raise KafkaError(f"{what} {port} is out of range (1-65535, or 0 for any free port)")


def free_port(host: str = HOST) -> int:
    """A TCP port that is free on ``host`` right now."""
    return free_ports(1, host)[0]


def free_ports(count: int, host: str = HOST) -> list:
    """``count`` distinct TCP ports that are free on ``host`` right now."""
    socks = []
    try:
        for _ in range(count):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            socks.append(s)
            s.bind((host, 0))
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def port_in_use(port: int, host: str = HOST) -> bool:
    """True if something listens on (or otherwise holds) ``host:port``.

    SO_REUSEADDR mirrors what the JVM does, so a port that only has connections in
    TIME_WAIT (e.g. from a broker just stopped) counts as free, like it does for Kafka.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return True
    return False


TOPIC_RE = re.compile(r"^[a-zA-Z0-9._-]{1,249}$")


def parse_topics(spec) -> list:
    """``"a,b:3"`` or ``["a", "b:3"]`` -> ``[("a", None), ("b", 3)]`` (None = the default)."""
    if isinstance(spec, str):
        items = spec.split(",")
    else:
        items = list(spec or ())
    out, seen = [], set()
    for item in items:
        item = item.strip()
        if not item:
            continue
        name, sep, parts = item.partition(":")
        name = name.strip()
        partitions = None
        if sep:
            try:
                partitions = int(parts)
            except ValueError:
                partitions = 0
            if partitions < 1:
                raise KafkaError(f"bad topic {item!r}: write NAME or NAME:PARTITIONS (PARTITIONS >= 1)")
        if not TOPIC_RE.match(name) or name in (".", ".."):
            raise KafkaError(
                f"invalid topic name {name!r}: use letters, digits, '.', '_' and '-' (at most 249)"
            )
        if name not in seen:
            seen.add(name)
            out.append((name, partitions))
    return out


# --------------------------------------------------------------------------------------
# Java, Maven, classpath
# --------------------------------------------------------------------------------------

_java_checked: dict = {}


def find_java() -> str:
    """The ``java`` on PATH, checked to be Java 17 or newer."""
    java = shutil.which("java")
    if not java:
        raise KafkaError("java not found: install Java 17 and put it on PATH")
    if java not in _java_checked:
        try:
            out = subprocess.run(
                [java, "-version"], stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60
            )
            text = out.stderr + out.stdout
        except (OSError, subprocess.SubprocessError) as e:
            raise KafkaError(f"cannot run {java}: {e}") from None
        m = re.search(r'version "(\d+)(?:\.(\d+))?', text)
        major = None
        if m:
            major = int(m.group(1))
            if major == 1 and m.group(2):  # "1.8.0_392" is Java 8
                major = int(m.group(2))
        if major is not None and major < 17:
            raise KafkaError(f"Kafka needs Java 17 or newer, but {java} is Java {major}: install Java 17")
        _java_checked[java] = major
    return java


@contextlib.contextmanager
def _file_lock(path: Path, blocking: bool = True) -> Iterator[bool]:
    """An flock on ``path``; yields False (without waiting) if non-blocking and it is taken."""
    import fcntl

    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def _classpath_cache_dir(data_dir: Path) -> Path:
    # One cache for every broker of this project (``make kafka-up`` and test fixtures with
    # their own data dirs alike), next to the default data dir; the data dir if unwritable.
    for d in (DEFAULT_DATA_DIR, data_dir):
        try:
            d.mkdir(parents=True, exist_ok=True)
            if os.access(d, os.W_OK):
                return d
        except OSError:
            pass
    raise KafkaError(f"cannot create {_show(data_dir)}: check its permissions")


def classpath(data_dir: Optional[Path] = None, log: Log = None) -> str:
    """The broker's Java classpath, resolved by Maven from kafka/pom.xml on first use.

    Cached in ``classpath-<hash of pom.xml>.txt``: editing the pom invalidates it, and so
    does any of its jars missing (e.g. ~/.m2 was wiped).
    """
    data_dir = Path(data_dir) if data_dir else DEFAULT_DATA_DIR
    if not POM.is_file():
        raise KafkaError(f"{_show(POM)} is missing")
    key = hashlib.sha256(POM.read_bytes()).hexdigest()[:16]
    cache_dir = _classpath_cache_dir(data_dir)
    cache = cache_dir / f"classpath-{key}.txt"

    def cached() -> Optional[str]:
        try:
            cp = cache.read_text(encoding="utf-8").strip()
        except OSError:
            return None
        jars = cp.split(os.pathsep)
        if cp and all(os.path.isfile(j) for j in jars):
            return cp
        return None

    cp = cached()
    if cp:
        return cp
    with _file_lock(cache_dir / "classpath.lock"):  # one Maven run at a time
        cp = cached()
        if cp:
            return cp
        mvn = shutil.which("mvn")
        if not mvn:
            raise KafkaError("mvn not found: install Maven 3.8+ and put it on PATH (it fetches the Kafka jars)")
        if log:
            log("kafka: resolving broker jars from Maven Central (first run only)...")
        tmp = cache.with_name(f"{cache.name}.{os.getpid()}.tmp")
        cmd = [
            mvn, "-q", "-B", "-Dstyle.color=never", "-f", str(POM),
            "dependency:build-classpath", f"-Dmdep.outputFile={tmp}",
        ]
        try:
            out = subprocess.run(
                cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                text=True, timeout=1800, cwd=str(KAFKA_DIR),
            )
        except subprocess.TimeoutExpired:
            raise KafkaError("Maven did not finish resolving the Kafka jars within 30 minutes") from None
        except BaseException:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise
        if out.returncode != 0 or not tmp.is_file():
            with contextlib.suppress(OSError):
                tmp.unlink()
            details = "\n".join("    " + line for line in out.stdout.splitlines()[-25:])
            raise KafkaError(
                f"Maven could not resolve the Kafka jars (exit {out.returncode}); "
                f"run: mvn -B -f {_show(POM)} dependency:build-classpath",
                details,
            )
        os.replace(tmp, cache)
        for old in cache_dir.glob("classpath-*.txt"):  # from older poms
            if old != cache:
                with contextlib.suppress(OSError):
                    old.unlink()
        cp = cached()
        if not cp:
            raise KafkaError(f"Maven wrote an unusable classpath to {_show(cache)}")
        return cp


# --------------------------------------------------------------------------------------
# Kafka wire protocol: just enough to check readiness and create topics without a JVM
# --------------------------------------------------------------------------------------

API_METADATA, API_API_VERSIONS, API_CREATE_TOPICS = 3, 18, 19
ERR_NONE, ERR_TOPIC_ALREADY_EXISTS = 0, 36
# Retried until the deadline: the broker or controller is still starting up.
RETRIABLE = {3, 5, 6, 7, 8, 13, 14, 15, 41}
ERROR_NAMES = {
    3: "UNKNOWN_TOPIC_OR_PARTITION", 5: "LEADER_NOT_AVAILABLE", 6: "NOT_LEADER_OR_FOLLOWER",
    7: "REQUEST_TIMED_OUT", 8: "BROKER_NOT_AVAILABLE", 13: "NETWORK_EXCEPTION",
    14: "COORDINATOR_LOAD_IN_PROGRESS", 15: "COORDINATOR_NOT_AVAILABLE", 17: "INVALID_TOPIC_EXCEPTION",
    29: "TOPIC_AUTHORIZATION_FAILED", 35: "UNSUPPORTED_VERSION", 36: "TOPIC_ALREADY_EXISTS",
    37: "INVALID_PARTITIONS", 38: "INVALID_REPLICATION_FACTOR", 40: "INVALID_CONFIG", 41: "NOT_CONTROLLER",
    42: "INVALID_REQUEST", 44: "POLICY_VIOLATION",
}


class ProtocolError(Exception):
    pass


class _Reader:
    def __init__(self, data: bytes):
        self.data, self.pos = data, 0

    def _take(self, fmt: str):
        (value,) = struct.unpack_from(fmt, self.data, self.pos)
        self.pos += struct.calcsize(fmt)
        return value

    def int8(self) -> int:
        return self._take(">b")

    def int16(self) -> int:
        return self._take(">h")

    def int32(self) -> int:
        return self._take(">i")

    def string(self) -> Optional[str]:
        n = self.int16()
        if n < 0:
            return None
        s = self.data[self.pos:self.pos + n].decode("utf-8")
        self.pos += n
        return s

    def array(self, item) -> list:
        n = self.int32()
        return [item() for _ in range(max(n, 0))]


def _str(s: Optional[str]) -> bytes:
    if s is None:
        return struct.pack(">h", -1)
    b = s.encode("utf-8")
    return struct.pack(">h", len(b)) + b


def _array(items: list, encode) -> bytes:
    return struct.pack(">i", len(items)) + b"".join(encode(i) for i in items)


class KafkaConnection:
    """A minimal, blocking Kafka protocol client (non-flexible request versions only)."""

    CLIENT_ID = "kafka-dev-broker"

    def __init__(self, bootstrap: str, timeout: float = 10.0):
        host, _, port = bootstrap.rpartition(":")
        self.sock = socket.create_connection((host or HOST, int(port)), timeout=timeout)
        self.correlation_id = 0
        self.versions: dict = {}

    def close(self) -> None:
        self.sock.close()

    def __enter__(self) -> "KafkaConnection":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _recv(self, n: int) -> bytes:
        buf = bytearray()
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise ProtocolError("connection closed by the broker")
            buf += chunk
        return bytes(buf)

    def request(self, api_key: int, version: int, body: bytes) -> _Reader:
        self.correlation_id += 1
        header = struct.pack(">hhi", api_key, version, self.correlation_id) + _str(self.CLIENT_ID)
        msg = header + body
        self.sock.sendall(struct.pack(">i", len(msg)) + msg)
        (size,) = struct.unpack(">i", self._recv(4))
        r = _Reader(self._recv(size))
        if r.int32() != self.correlation_id:
            raise ProtocolError("response out of order")
        return r

    def api_versions(self) -> dict:
        r = self.request(API_API_VERSIONS, 0, b"")
        err = r.int16()
        versions = {}
        for key, lo, hi in r.array(lambda: (r.int16(), r.int16(), r.int16())):
            versions[key] = (lo, hi)
        if err:
            raise ProtocolError(f"ApiVersions failed: error {err}")
        self.versions = versions
        return versions

    def _version(self, api_key: int, lo: int, hi: int) -> int:
        if not self.versions:
            self.api_versions()
        if api_key not in self.versions:
            raise ProtocolError(f"the broker does not support API {api_key}")
        blo, bhi = self.versions[api_key]
        v = min(hi, bhi)
        if v < max(lo, blo):
            raise ProtocolError(f"no common version for API {api_key} (broker {blo}-{bhi}, here {lo}-{hi})")
        return v

    def metadata(self, topics: Optional[list]) -> tuple:
        """-> (broker ids, {topic: (error_code, [(partition, error_code, leader), ...])})."""
        v = self._version(API_METADATA, 4, 8)
        body = (struct.pack(">i", -1) if topics is None else _array(list(topics), _str))
        body += struct.pack(">b", 0)  # allow_auto_topic_creation: no
        if v >= 8:
            body += struct.pack(">bb", 0, 0)  # include cluster / topic authorized operations
        r = self.request(API_METADATA, v, body)
        r.int32()  # throttle_time_ms

        def broker():
            node_id = r.int32()
            r.string(), r.int32(), r.string()  # host, port, rack
            return node_id

        brokers = r.array(broker)
        r.string()  # cluster_id
        r.int32()  # controller_id

        def partition():
            err, index, leader = r.int16(), r.int32(), r.int32()
            if v >= 7:
                r.int32()  # leader_epoch
            r.array(r.int32), r.array(r.int32)  # replicas, isr
            if v >= 5:
                r.array(r.int32)  # offline replicas
            return index, err, leader

        def topic():
            err, name, _internal = r.int16(), r.string(), r.int8()
            parts = r.array(partition)
            if v >= 8:
                r.int32()  # topic_authorized_operations
            return name, (err, parts)

        return brokers, dict(r.array(topic))

    def create_topics(self, topics: list, replication_factor: int = 1, timeout_ms: int = 30000) -> dict:
        """``topics``: [(name, partitions)] -> {name: (error_code, error_message)}."""
        v = self._version(API_CREATE_TOPICS, 2, 4)

        def topic(t):
            name, partitions = t
            return (
                _str(name) + struct.pack(">ih", partitions, replication_factor)
                + struct.pack(">i", 0) + struct.pack(">i", 0)  # no assignments, no configs
            )

        body = _array(list(topics), topic) + struct.pack(">ib", timeout_ms, 0)
        r = self.request(API_CREATE_TOPICS, v, body)
        r.int32()  # throttle_time_ms
        return dict(r.array(lambda: (r.string(), (r.int16(), r.string()))))


def create_topics(
    bootstrap: str, topics, partitions: int = 1, replication_factor: int = 1, timeout: float = 60.0
) -> list:
    """Create ``topics`` (names, or "name:partitions") if they do not exist yet, and wait
    until every partition has a leader. Returns the topic names. Raises KafkaError."""
    wanted = [(name, p or partitions) for name, p in parse_topics(topics)]
    if not wanted:
        return []
    deadline = time.monotonic() + timeout
    pending = dict(wanted)
    last = "no answer"
    while True:
        try:
            with KafkaConnection(bootstrap, timeout=max(1.0, min(10.0, deadline - time.monotonic()))) as c:
                if pending:
                    results = c.create_topics(list(pending.items()), replication_factor)
                    for name, (err, msg) in results.items():
                        if err in (ERR_NONE, ERR_TOPIC_ALREADY_EXISTS):
                            pending.pop(name, None)
                        elif err in RETRIABLE:
                            last = f"{name}: {ERROR_NAMES.get(err, err)}"
                        else:
                            raise KafkaError(f"cannot create topic {name!r}: {msg or ERROR_NAMES.get(err, err)}")
                if not pending:
                    _, meta = c.metadata([name for name, _ in wanted])
                    not_ready = [
                        name for name, _ in wanted
                        if name not in meta or meta[name][0] != ERR_NONE or not meta[name][1]
                        or any(err != ERR_NONE or leader < 0 for _, err, leader in meta[name][1])
                    ]
                    if not not_ready:
                        return [name for name, _ in wanted]
                    last = "no leader yet for " + ", ".join(not_ready)
        except (OSError, ProtocolError, struct.error) as e:
            last = str(e) or type(e).__name__
        if time.monotonic() >= deadline:
            raise KafkaError(f"could not create topics on {bootstrap} within {timeout:.0f}s ({last})")
        time.sleep(0.2)


def is_ready(bootstrap: str, timeout: float = 2.0) -> bool:
    """True if a broker answers on ``bootstrap`` and is registered with its controller."""
    try:
        with KafkaConnection(bootstrap, timeout=timeout) as c:
            brokers, _ = c.metadata([])
            return bool(brokers)
    except (OSError, ProtocolError, struct.error):
        return False


# --------------------------------------------------------------------------------------
# Processes
# --------------------------------------------------------------------------------------


def _cmdline(pid: int) -> Optional[str]:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
        return raw.replace(b"\0", b" ").decode("utf-8", "replace")
    except FileNotFoundError:
        if Path("/proc/self").exists():
            return None  # Linux: the process is gone
    except OSError:
        return None
    try:  # no /proc (macOS)
        out = subprocess.run(["ps", "-ww", "-o", "command=", "-p", str(pid)], capture_output=True, text=True)
        return out.stdout.strip() or None
    except OSError:
        return None


def _alive(pid: int) -> bool:
    """True if ``pid`` exists and is not a zombie waiting to be reaped."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        if stat.rsplit(")", 1)[1].split()[0] != "Z":
            return True
        # A JVM's main thread can exit before its other threads: the process shows as a
        # zombie while still running. It is done only when one (zombie) thread is left.
        return len(os.listdir(f"/proc/{pid}/task")) > 1
    except (OSError, IndexError):
        return not Path("/proc/self").exists()  # Linux: gone meanwhile; elsewhere: alive


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _is_broker_of(pid: int, data_dir: Path) -> bool:
    cmd = _cmdline(pid)
    return bool(cmd) and "kafka.Kafka" in cmd and str(data_dir / SERVER_PROPERTIES) in cmd and _alive(pid)


def _scan_brokers(data_dir: Path) -> list:
    """Pids of brokers of ``data_dir`` found in /proc (Linux), pid file or not."""
    found = []
    proc = Path("/proc")
    if not proc.is_dir():
        return found
    needle = str(data_dir / SERVER_PROPERTIES).encode()
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            raw = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if b"kafka.Kafka" in raw and needle in raw.split(b"\0") and _alive(int(entry.name)):
            found.append(int(entry.name))
    return found


def _read_pid_file(data_dir: Path) -> Optional[dict]:
    try:
        info = json.loads((data_dir / PID_FILE).read_text())
        int(info["pid"])
        return info
    except (OSError, ValueError, KeyError, TypeError):
        return None


def running_broker(data_dir) -> Optional[dict]:
    """The broker recorded in (or otherwise running from) ``data_dir``: a dict with
    ``pid``, ``port`` and ``controller_port`` (port values may be None), or None."""
    data_dir = Path(data_dir).resolve()
    info = _read_pid_file(data_dir)
    if info and _is_broker_of(int(info["pid"]), data_dir):
        return info
    pids = _scan_brokers(data_dir)
    if pids:
        return {"pid": pids[0], "port": None, "controller_port": None}
    return None


@contextlib.contextmanager
def _deferred_interrupts() -> Iterator[None]:
    """Hold SIGINT/SIGTERM/SIGHUP back (main thread only) and re-deliver them afterwards."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received = []
    old = {}
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        handler = signal.getsignal(sig)
        if handler is None or handler == signal.SIG_IGN:
            continue
        old[sig] = handler
        signal.signal(sig, lambda signum, frame: received.append(signum))
    try:
        yield
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)
        for sig in dict.fromkeys(received):
            signal.raise_signal(sig)


def _stop_process_group(pid: int, popen: Optional[subprocess.Popen] = None,
                        timeout: float = DEFAULT_STOP_TIMEOUT) -> bool:
    """SIGTERM the process group ``pid`` leads, SIGKILL it after ``timeout``. Returns True
    if it had to be killed. Never returns with a member of the group still running."""

    def leader_gone() -> bool:
        if popen is not None:
            return popen.poll() is not None
        return not _alive(pid)

    def signal_group(sig) -> None:
        try:
            os.killpg(pid, sig)
        except (ProcessLookupError, PermissionError):
            if popen is None or popen.poll() is None:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, sig)

    killed = False
    if not leader_gone():
        signal_group(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while not leader_gone() and time.monotonic() < deadline:
            time.sleep(0.05)
        if not leader_gone():
            killed = True
            signal_group(signal.SIGKILL)
            deadline = time.monotonic() + 10
            while not leader_gone() and time.monotonic() < deadline:
                time.sleep(0.05)
    # Anything else left in the group (Kafka forks nothing, but be sure).
    if _group_alive(pid) and (popen is None or popen.poll() is not None):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, signal.SIGKILL)
    if popen is not None:
        with contextlib.suppress(subprocess.TimeoutExpired):
            popen.wait(timeout=10)
    return killed


# --------------------------------------------------------------------------------------
# Configuration files
# --------------------------------------------------------------------------------------


def _prop(value: str) -> str:
    """Escape a value for a Java .properties file (read as ISO-8859-1)."""
    out = []
    for ch in value.replace("\\", "\\\\"):
        code = ord(ch)
        if code < 0x20 or code > 0x7E:
            data = ch.encode("utf-16-be")
            for i in range(0, len(data), 2):
                out.append("\\u%04x" % int.from_bytes(data[i:i + 2], "big"))
        else:
            out.append(ch)
    return "".join(out)


def _write_config(data_dir: Path, port: int, controller_port: int) -> Path:
    props = data_dir / SERVER_PROPERTIES
    lines = [
        "# Written by kafka/broker.py at every start: change broker.py, not this file.",
        "process.roles=broker,controller",
        "node.id=1",
        f"controller.quorum.voters=1@{HOST}:{controller_port}",
        f"listeners=PLAINTEXT://{HOST}:{port},CONTROLLER://{HOST}:{controller_port}",
        f"advertised.listeners=PLAINTEXT://{HOST}:{port}",
        "inter.broker.listener.name=PLAINTEXT",
        "controller.listener.names=CONTROLLER",
        "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        f"log.dirs={_prop(str(data_dir / LOG_DIRS))}",
        "num.partitions=1",
        "default.replication.factor=1",
        "auto.create.topics.enable=true",
        # A single node: internal topics get one replica and one partition (fast to create).
        "offsets.topic.replication.factor=1",
        "offsets.topic.num.partitions=1",
        "transaction.state.log.replication.factor=1",
        "transaction.state.log.min.isr=1",
        "transaction.state.log.num.partitions=1",
        "share.coordinator.state.topic.replication.factor=1",
        "share.coordinator.state.topic.min.isr=1",
        "share.coordinator.state.topic.num.partitions=1",
        "group.initial.rebalance.delay.ms=0",
        "",
    ]
    props.write_text("\n".join(lines), encoding="ascii")
    (data_dir / LOG4J_PROPERTIES).write_text(
        "\n".join([
            "# Written by kafka/broker.py: the broker logs to stdout, which goes to broker.log.",
            "status = warn",
            "appender.out.type = Console",
            "appender.out.name = STDOUT",
            "appender.out.layout.type = PatternLayout",
            "appender.out.layout.pattern = [%d] %p %m (%c)%n",
            "rootLogger.level = INFO",
            "rootLogger.appenderRef.out.ref = STDOUT",
            "logger.config.name = org.apache.kafka.common.config.AbstractConfig",
            "logger.config.level = WARN",
            "",
        ]),
        encoding="ascii",
    )
    return props


def _new_cluster_id() -> str:
    while True:  # what Kafka's Uuid.randomUuid() does: base64url, 22 chars, no leading '-'
        cid = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode("ascii").rstrip("=")
        if not cid.startswith("-"):
            return cid


def _format_storage(java: str, cp: str, data_dir: Path, props: Path, log: Log) -> None:
    if (data_dir / LOG_DIRS / "meta.properties").is_file():
        return
    if log:
        log(f"kafka: formatting storage in {_show(data_dir / LOG_DIRS)} (first run only)")
    cmd = [java, "-Xmx256m", "-cp", cp, "kafka.tools.StorageTool", "format",
           "-t", _new_cluster_id(), "-c", str(props)]
    out = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True, cwd=str(data_dir), timeout=300)
    if out.returncode != 0:
        details = "\n".join("    " + line for line in out.stdout.splitlines()[-25:])
        raise KafkaError(
            f"formatting the Kafka storage in {_show(data_dir / LOG_DIRS)} failed (exit {out.returncode})", details
        )


# --------------------------------------------------------------------------------------
# The broker
# --------------------------------------------------------------------------------------

_live_brokers: set = set()
_live_lock = threading.Lock()


@atexit.register
def _stop_live_brokers() -> None:
    with _live_lock:
        brokers = list(_live_brokers)
    for b in brokers:
        with contextlib.suppress(Exception):
            b.stop(timeout=10)


class Broker:
    """A broker started by :func:`start`. ``stop()`` (or leaving a ``with`` block) kills
    its process group; it is also stopped when the Python process exits normally."""

    def __init__(self, data_dir: Path, port: int, controller_port: int,
                 process: Optional[subprocess.Popen], pid: int, owns_data_dir: bool = False):
        self.data_dir = data_dir
        self.port = port
        self.controller_port = controller_port
        self.process = process
        self.pid = pid
        self.host = HOST
        self.log_file = data_dir / LOG_FILE
        self._owns_data_dir = owns_data_dir
        self._stopped = False

    @property
    def bootstrap(self) -> str:
        """``"127.0.0.1:PORT"``, for ``kafka.bootstrap.servers`` / ``bootstrap.servers``."""
        return f"{self.host}:{self.port}"

    def __repr__(self) -> str:
        state = "stopped" if self._stopped else f"pid {self.pid}"
        return f"<Broker {self.bootstrap} ({state}), data in {self.data_dir}>"

    def is_running(self) -> bool:
        if self._stopped:
            return False
        if self.process is not None:
            return self.process.poll() is None
        return _alive(self.pid)

    def create_topics(self, topics, partitions: int = 1, timeout: float = 60.0) -> list:
        """Create topics (names, or "name:partitions") unless they exist; wait for leaders."""
        return create_topics(self.bootstrap, topics, partitions=partitions, timeout=timeout)

    def log_tail(self, lines: int = 40) -> str:
        return _tail(self.log_file, lines)

    def stop(self, timeout: float = DEFAULT_STOP_TIMEOUT) -> None:
        """Stop the broker: SIGTERM its process group, SIGKILL after ``timeout``. Idempotent."""
        if self._stopped:
            return
        try:
            with _deferred_interrupts():  # a second Ctrl-C must not abandon the broker
                _stop_process_group(self.pid, self.process, timeout)
        finally:
            self._stopped = True
            with _live_lock:
                _live_brokers.discard(self)
            info = _read_pid_file(self.data_dir)
            if info and int(info["pid"]) == self.pid:
                with contextlib.suppress(OSError):
                    (self.data_dir / PID_FILE).unlink()
            if self._owns_data_dir:
                shutil.rmtree(self.data_dir, ignore_errors=True)

    def __enter__(self) -> "Broker":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def _bind_failed(log_file: Path) -> bool:
    text = _tail(log_file, 200)
    return "Address already in use" in text or "BindException" in text


def start(
    data_dir=None,
    port: int = 0,
    controller_port: int = 0,
    topics=(),
    *,
    partitions: int = 1,
    timeout: float = DEFAULT_START_TIMEOUT,
    heap_opts: Optional[str] = None,
    log: Log = None,
    stop_at_exit: bool = True,
) -> Broker:
    """Start a broker and wait until it is ready and ``topics`` exist.

    ``data_dir``: where config, storage, log and pid file go (None: a temporary dir that
    stop() deletes). ``port``/``controller_port``: 0 picks free ports (retried if another
    process grabs one first). ``topics``: names or "name:partitions" (default
    ``partitions``). ``log``: called with progress lines (e.g. ``print``).
    ``stop_at_exit``: stop the broker when this Python process exits.
    Raises KafkaError; on any failure (Ctrl-C included) nothing is left running.
    """
    _check_port_number(port, "port")
    _check_port_number(controller_port, "controller port")
    wanted_topics = parse_topics(topics)
    owns = data_dir is None
    data_dir = Path(tempfile.mkdtemp(prefix="kafka-broker-")) if owns else Path(data_dir)
    data_dir = data_dir.resolve()
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        with _file_lock(data_dir / "broker.lock", blocking=False) as locked:
            if not locked:
                raise KafkaError(f"another 'up' or 'down' is running for {_show(data_dir)}")
            return _start_locked(data_dir, port, controller_port, wanted_topics, partitions, timeout,
                                 heap_opts, log, stop_at_exit, owns)
    except BaseException:
        if owns:
            shutil.rmtree(data_dir, ignore_errors=True)
        raise


def _start_locked(data_dir, port, controller_port, wanted_topics, partitions, timeout,
                  heap_opts, log, stop_at_exit, owns) -> Broker:
    java = find_java()
    running = running_broker(data_dir)
    if running:
        raise KafkaError(
            f"a broker is already running (pid {running['pid']}, port {running.get('port') or '?'}): "
            "run make kafka-down first"
        )
    with contextlib.suppress(OSError):
        (data_dir / PID_FILE).unlink()  # stale
    for p, var in ((port, "KAFKA_PORT"), (controller_port, "KAFKA_CONTROLLER_PORT")):
        if p and port_in_use(p):
            raise KafkaError(f"port {p} is already in use: stop what uses it or set {var}=...")
    if port and port == controller_port:
        raise KafkaError(f"the broker and controller ports must differ (both {port})")

    cp = classpath(data_dir, log)
    deadline = time.monotonic() + timeout
    heap = (heap_opts if heap_opts is not None else os.environ.get("KAFKA_HEAP_OPTS") or DEFAULT_HEAP_OPTS)
    extra = os.environ.get("KAFKA_OPTS", "")
    attempts = 3 if (port == 0 or controller_port == 0) else 1
    for attempt in range(1, attempts + 1):
        if port == 0 and controller_port == 0:
            bport, cport = free_ports(2)
        else:
            bport = port or next(p for p in iter(free_port, None) if p != controller_port)
            cport = controller_port or next(p for p in iter(free_port, None) if p != bport)
        props = _write_config(data_dir, bport, cport)
        _format_storage(java, cp, data_dir, props, log)
        log_file = data_dir / LOG_FILE
        if log_file.exists():
            with contextlib.suppress(OSError):
                os.replace(log_file, data_dir / (LOG_FILE + ".1"))
        cmd = [java, *heap.split(), *extra.split(), "-XX:+ExitOnOutOfMemoryError", "-Djava.awt.headless=true",
               f"-Dlog4j2.configurationFile={LOG4J_PROPERTIES}", "-cp", cp, "kafka.Kafka", str(props)]
        broker = None
        try:
            with _deferred_interrupts():  # no Ctrl-C between starting the JVM and tracking it
                with open(log_file, "wb") as out:
                    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                            cwd=str(data_dir), start_new_session=True, close_fds=True)
                broker = Broker(data_dir, bport, cport, proc, proc.pid, owns_data_dir=owns)
                if stop_at_exit:
                    with _live_lock:
                        _live_brokers.add(broker)
            (data_dir / PID_FILE).write_text(json.dumps(
                {"pid": proc.pid, "port": bport, "controller_port": cport, "started": time.time()}) + "\n")
            if log:
                log(f"kafka: starting broker on {broker.bootstrap} (pid {proc.pid}, log {_show(log_file)})")
            _wait_ready(broker, deadline, timeout, log, retry_bind=attempt < attempts)
            if wanted_topics:
                create_topics(broker.bootstrap, [f"{n}:{p or partitions}" for n, p in wanted_topics],
                              timeout=max(5.0, deadline - time.monotonic()))
            return broker
        except _BindRetry:  # another process took a port picked here: pick new ones
            broker._owns_data_dir = False  # keep the dir for the next attempt
            broker.stop(timeout=10)
        except BaseException:
            if broker is not None:
                broker._owns_data_dir = False  # start() removes it (if it owns it) after the raise
                broker.stop(timeout=10)
            raise
    raise AssertionError("unreachable")


class _BindRetry(Exception):
    pass


def _wait_ready(broker: Broker, deadline: float, timeout: float, log: Log, retry_bind: bool) -> None:
    started = time.monotonic()
    next_note = started + 5
    while True:
        code = broker.process.poll()
        if code is not None:
            if retry_bind and _bind_failed(broker.log_file):
                raise _BindRetry()
            raise KafkaError(
                f"the broker exited during startup (exit code {code}); last lines of {_show(broker.log_file)}:",
                broker.log_tail(25)
                + f"\n    (to start from scratch: make kafka-down && rm -rf {_show(broker.data_dir)})",
            )
        if is_ready(broker.bootstrap, timeout=2.0):
            return
        now = time.monotonic()
        if now >= deadline:
            raise KafkaError(
                f"the broker was not ready within {timeout:.0f}s and was stopped; "
                f"last lines of {_show(broker.log_file)}:",
                broker.log_tail(25),
            )
        if log and now >= next_note:
            log(f"kafka: waiting for the broker to start... ({now - started:.0f}s)")
            next_note = now + 5
        time.sleep(0.2)


def stop(data_dir=None, timeout: float = DEFAULT_STOP_TIMEOUT, log: Log = None) -> list:
    """Stop every broker running from ``data_dir`` (default: the project's). Returns their pids."""
    data_dir = Path(data_dir or DEFAULT_DATA_DIR).resolve()
    pids = []
    info = _read_pid_file(data_dir)
    if info and _is_broker_of(int(info["pid"]), data_dir):
        pids.append(int(info["pid"]))
    pids += [p for p in _scan_brokers(data_dir) if p not in pids]
    for pid in pids:
        if log:
            log(f"kafka: stopping broker (pid {pid})...")
        t0 = time.monotonic()
        # Kafka runs in its own session (start_new_session), so its pid is its group id.
        with _deferred_interrupts():
            killed = _stop_process_group(pid, None, timeout)
        if log:
            how = "killed after not stopping within %.0fs" % timeout if killed else "stopped"
            log(f"kafka: broker {how} (pid {pid}, {time.monotonic() - t0:.1f}s)")
    with contextlib.suppress(OSError):
        (data_dir / PID_FILE).unlink()
    return pids


# --------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------


class _Interrupted(BaseException):
    pass


def _on_signal(signum, frame):
    raise _Interrupted(signum)


def _cli_up(args) -> int:
    port = args.port if args.port is not None else _env_int("KAFKA_PORT", DEFAULT_PORT)
    cport = args.controller_port
    if cport is None:
        cport = _env_int("KAFKA_CONTROLLER_PORT", None)
    if cport is None:
        cport = port + 1 if port else 0
    if port == 0 or cport == 0:
        raise KafkaError("up needs fixed ports: set --port/KAFKA_PORT and "
                         "--controller-port/KAFKA_CONTROLLER_PORT to 1-65535")
    topics = args.topics if args.topics is not None else os.environ.get("KAFKA_TOPICS", "")
    data_dir = _data_dir(args)
    timeout = float(_env_int("KAFKA_START_TIMEOUT", int(DEFAULT_START_TIMEOUT)))
    say = _say
    t0 = time.monotonic()
    # Ctrl-C (SIGINT), SIGTERM and SIGHUP during startup: stop the broker, leave nothing behind.
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _on_signal)
    try:
        broker = start(data_dir, port, cport, topics, timeout=timeout, log=say, stop_at_exit=False)
    except (KeyboardInterrupt, _Interrupted):
        print("kafka: interrupted: nothing left running", file=sys.stderr, flush=True)
        return 130
    finally:
        for sig in (signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_DFL)
    names = [n for n, _ in parse_topics(topics)]
    say(f"kafka: broker ready at {broker.bootstrap} (topics: {', '.join(names) if names else 'none'}) "
        f"in {time.monotonic() - t0:.1f}s; stop it with make kafka-down")
    return 0


def _cli_down(args) -> int:
    data_dir = _data_dir(args)
    had_pid_file = (data_dir / PID_FILE).exists()
    pids = stop(data_dir, log=_say)
    if not pids:
        extra = " (removed a stale pid file)" if had_pid_file else ""
        _say(f"kafka: no broker running from {_show(data_dir)}: nothing to stop{extra}")
    return 0


def _cli_status(args) -> int:
    data_dir = _data_dir(args)
    info = running_broker(data_dir)
    if not info:
        _say(f"kafka: not running (data dir {_show(data_dir)})")
        return 3
    port = info.get("port")
    if port:
        answering = "" if is_ready(f"{HOST}:{port}") else ", not answering yet"
        _say(f"kafka: running at {HOST}:{port} (pid {info['pid']}{answering}), data in {_show(data_dir)}")
    else:
        _say(f"kafka: running (pid {info['pid']}, port unknown: no pid file), data in {_show(data_dir)}")
    return 0


def _data_dir(args) -> Path:
    raw = args.data_dir or os.environ.get("KAFKA_DATA_DIR", "").strip()
    return Path(raw).expanduser().resolve() if raw else DEFAULT_DATA_DIR


def _say(msg: str) -> None:
    print(msg, flush=True)


def main(argv=None) -> int:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--port", type=int, help="broker port (env KAFKA_PORT, default 9092)")
    common.add_argument("--controller-port", type=int,
                        help="KRaft controller port (env KAFKA_CONTROLLER_PORT, default port+1)")
    common.add_argument("--data-dir", help="config, storage, log and pid file (env KAFKA_DATA_DIR, default .kafka)")
    common.add_argument("--topics", help="comma list of topics to create, NAME or NAME:PARTITIONS (env KAFKA_TOPICS)")
    parser = argparse.ArgumentParser(
        prog="broker.py", description="A local Apache Kafka broker (KRaft, single node) for development.")
    sub = parser.add_subparsers(dest="command", metavar="up|down|status")
    sub.required = True
    sub.add_parser("up", parents=[common], help="start the broker and create topics")
    sub.add_parser("down", parents=[common], help="stop the broker")
    sub.add_parser("status", parents=[common], help="is the broker running?")
    args = parser.parse_args(argv)
    try:
        return {"up": _cli_up, "down": _cli_down, "status": _cli_status}[args.command](args)
    except KafkaError as e:
        print(f"ERROR: {e}", file=sys.stderr, flush=True)
        if e.details:
            print(e.details, file=sys.stderr, flush=True)
        return 1
    except KeyboardInterrupt:
        print("kafka: interrupted", file=sys.stderr, flush=True)
        return 130


if __name__ == "__main__":
    sys.exit(main())
