#!/usr/bin/env python3
"""A real, local, single-node Apache Kafka broker: no Docker, just jars from Maven Central.

The broker is Apache Kafka itself in KRaft mode (broker and controller in one JVM): Maven
resolves the jars that kafka/pom.xml pins, this script runs
``java -cp <those jars> kafka.Kafka server.properties`` and uses confluent-kafka's
AdminClient to see when the broker is ready and to create topics. See kafka/README.md.

    python kafka/broker.py up|down|status [--port N] [--controller-port N]
                                          [--data-dir DIR] [--topics a,b:3]

``up`` needs confluent-kafka (the project's venv); ``down`` and ``status`` run on any
python3. The end-to-end tests use :func:`start`, which returns a :class:`Broker`.
"""

from __future__ import annotations

import argparse
import atexit
import base64
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

KAFKA_DIR = Path(__file__).resolve().parent
POM = KAFKA_DIR / "pom.xml"
DEFAULT_DATA_DIR = KAFKA_DIR.parent / ".kafka"
HOST = "127.0.0.1"
DEFAULT_HEAP_OPTS = "-Xms128m -Xmx512m"  # small on purpose: Spark needs the memory

# What a broker keeps in its data dir.
PID_FILE = "broker.pid"  # {"pid": ..., "port": ...}
LOG_FILE = "broker.log"  # the JVM's stdout and stderr
SERVER_PROPERTIES = "server.properties"
LOG4J_PROPERTIES = "log4j2.properties"
STORAGE = "data"  # Kafka's log.dirs: topics and cluster metadata


class BrokerError(Exception):
    """A problem the user can fix: the CLI prints it as one ``ERROR:`` line (then details)."""

    def __init__(self, message: str, details: str = ""):
        super().__init__(message)
        self.details = details


def free_port() -> int:
    """A TCP port that is free on 127.0.0.1 right now."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _port_in_use(port: int) -> bool:
    with socket.socket() as s:
        # Like the JVM does: a port with only old TIME_WAIT connections counts as free.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((HOST, port))
        except OSError:
            return True
    return False


def _parse_topics(topics, partitions: int) -> dict:
    """``"a,b:3"`` or ``["a", "b:3"]`` -> ``{"a": partitions, "b": 3}``."""
    items = topics.split(",") if isinstance(topics, str) else topics
    result = {}
    for item in items:
        name, _, count = item.strip().partition(":")
        try:
            if name:
                result[name] = int(count) if count else partitions
        except ValueError:
            raise BrokerError(f"bad topic {item!r}: write NAME or NAME:PARTITIONS") from None
    return result


def _tail(path: Path, lines: int = 25) -> str:
    text = path.read_text(errors="replace") if path.is_file() else ""
    return "\n".join("    " + line for line in text.splitlines()[-lines:])


def classpath(log=print) -> str:
    """The broker's Java classpath, resolved by Maven from kafka/pom.xml on first use and
    cached in <project>/.kafka/classpath-<pom hash>.txt (for every broker of the project)."""
    DEFAULT_DATA_DIR.mkdir(parents=True, exist_ok=True)
    pom_hash = hashlib.sha256(POM.read_bytes()).hexdigest()[:16]
    cache = DEFAULT_DATA_DIR / f"classpath-{pom_hash}.txt"
    if cache.is_file():
        cp = cache.read_text().strip()
        if all(os.path.isfile(jar) for jar in cp.split(os.pathsep)):
            return cp
    mvn = shutil.which("mvn")
    if not mvn:
        raise BrokerError("mvn not found: install Maven 3.8+ and put it on PATH")
    log("kafka: resolving broker jars from Maven Central (first run only)...")
    # Maven writes a temp file that is renamed into place: two runs at once are safe.
    tmp = cache.with_name(f"{cache.name}.{os.getpid()}.tmp")
    try:
        result = subprocess.run(
            [mvn, "-q", "-B", "-Dstyle.color=never", "-f", str(POM),
             "dependency:build-classpath", f"-Dmdep.outputFile={tmp}"],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if result.returncode != 0:
            raise BrokerError(f"Maven could not resolve the Kafka jars (exit {result.returncode}):",
                              result.stdout.rstrip())
        os.replace(tmp, cache)
    finally:
        tmp.unlink(missing_ok=True)
    for old in DEFAULT_DATA_DIR.glob("classpath-*.txt"):  # from earlier versions of the pom
        if old != cache:
            old.unlink(missing_ok=True)
    return cache.read_text().strip()


def _write_config(data_dir: Path, port: int, controller_port: int) -> Path:
    """Write server.properties and log4j2.properties (at every start: ports may change)."""
    props = data_dir / SERVER_PROPERTIES
    storage = str(data_dir / STORAGE).replace("\\", "\\\\")
    props.write_text(
        "# Written by kafka/broker.py at every start: edit broker.py, not this file.\n"
        "process.roles=broker,controller\n"
        "node.id=1\n"
        # A static voter list, so the storage is formatted without --standalone.
        f"controller.quorum.voters=1@{HOST}:{controller_port}\n"
        f"listeners=PLAINTEXT://{HOST}:{port},CONTROLLER://{HOST}:{controller_port}\n"
        f"advertised.listeners=PLAINTEXT://{HOST}:{port}\n"
        "controller.listener.names=CONTROLLER\n"
        "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT\n"
        f"log.dirs={storage}\n"
        "num.partitions=1\n"
        # One node: Kafka's internal topics get one replica (and one partition: fast).
        "offsets.topic.replication.factor=1\n"
        "offsets.topic.num.partitions=1\n"
        "transaction.state.log.replication.factor=1\n"
        "transaction.state.log.min.isr=1\n"
        "transaction.state.log.num.partitions=1\n"
        "share.coordinator.state.topic.replication.factor=1\n"
        "share.coordinator.state.topic.min.isr=1\n"
        "share.coordinator.state.topic.num.partitions=1\n"
        "group.initial.rebalance.delay.ms=0\n",
        # Java reads .properties as ISO-8859-1 and understands \uXXXX for everything else.
        encoding="latin-1", errors="backslashreplace")
    # Log to stdout (that is, broker.log) at INFO, without the long config dumps.
    (data_dir / LOG4J_PROPERTIES).write_text(
        "status = warn\n"
        "appender.out.type = Console\n"
        "appender.out.name = STDOUT\n"
        "appender.out.layout.type = PatternLayout\n"
        "appender.out.layout.pattern = [%d] %p %m (%c)%n\n"
        "rootLogger.level = INFO\n"
        "rootLogger.appenderRef.out.ref = STDOUT\n"
        "logger.config.name = org.apache.kafka.common.config.AbstractConfig\n"
        "logger.config.level = WARN\n")
    return props


def _format_storage(java: str, cp: str, data_dir: Path, props: Path, log) -> None:
    """Format the storage, once per data dir, for a new cluster with a random id."""
    if (data_dir / STORAGE / "meta.properties").is_file():
        return
    log(f"kafka: formatting storage in {data_dir / STORAGE} (first run only)...")
    # A cluster id is 16 random bytes, URL-safe base64; a leading "-" would look like an option.
    cluster_id = "-"
    while cluster_id.startswith("-"):
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
    result = subprocess.run(
        [java, "-Xmx256m", "-cp", cp, "kafka.tools.StorageTool", "format",
         "-t", cluster_id, "-c", str(props)],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if result.returncode != 0:
        raise BrokerError(f"formatting the storage in {data_dir / STORAGE} failed:",
                          result.stdout.rstrip())


def _is_broker(pid: int, data_dir: Path) -> bool:
    """Is ``pid`` a live broker of ``data_dir``? A pid file can outlive its broker (think
    reboot) and its pid then belong to another process, which must not be killed."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # alive, but another user's: the command line decides
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")  # Linux
    except OSError:
        cmdline = subprocess.run(["ps", "-ww", "-o", "command=", "-p", str(pid)],  # macOS
                                 capture_output=True, text=True).stdout
    # A dead process that is not reaped yet (a zombie) has an empty command line.
    return "kafka.Kafka" in cmdline and str(data_dir / SERVER_PROPERTIES) in cmdline


def running_broker(data_dir) -> dict | None:
    """The broker running from ``data_dir``, as ``{"pid": ..., "port": ...}``, or None."""
    data_dir = Path(data_dir).resolve()
    try:
        info = json.loads((data_dir / PID_FILE).read_text())
        return info if _is_broker(info["pid"], data_dir) else None
    except (OSError, ValueError, KeyError, TypeError):  # no pid file, or a broken one
        return None


def _stop_group(pid: int, is_alive, timeout: float) -> None:
    """SIGTERM the process group that ``pid`` leads (Kafka then shuts down cleanly); SIGKILL
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


def stop(data_dir=None, timeout: float = 30.0) -> int | None:
    """Stop the broker running from ``data_dir`` (default: the project's .kafka).
    Returns its pid, or None if none was running."""
    data_dir = Path(data_dir or DEFAULT_DATA_DIR).resolve()
    info = running_broker(data_dir)
    if info:
        _stop_group(info["pid"], lambda: _is_broker(info["pid"], data_dir), timeout)
    (data_dir / PID_FILE).unlink(missing_ok=True)
    return info["pid"] if info else None


_started: set = set()  # brokers that this Python process started and still runs


@atexit.register
def _stop_started_brokers() -> None:
    for broker in list(_started):
        broker.stop(timeout=10)


def _admin_client(bootstrap: str):
    # Imported here: `down` and `status` must work where confluent-kafka is not installed.
    from confluent_kafka.admin import AdminClient

    # log_level 0: no "Connection refused" lines on stderr while the broker starts.
    return AdminClient({"bootstrap.servers": bootstrap, "log_level": 0})


def _has_leaders(metadata, topic: str) -> bool:
    """Does ``topic`` exist in the cluster ``metadata``, with a leader for every partition?"""
    info = metadata.topics.get(topic)
    return bool(info and not info.error and info.partitions
                and all(p.leader >= 0 for p in info.partitions.values()))


class Broker:
    """A broker started by :func:`start`: ``stop()`` it, or use it as a context manager."""

    def __init__(self, data_dir: Path, port: int, process: subprocess.Popen, owns_data_dir: bool):
        self.data_dir = data_dir
        self.port = port
        self.bootstrap = f"{HOST}:{port}"  # for bootstrap.servers / kafka.bootstrap.servers
        self.process = process
        self.pid = process.pid  # also its process group id: it runs in its own session
        self.log_file = data_dir / LOG_FILE
        self._owns_data_dir = owns_data_dir  # a temp dir, which stop() removes
        self._stopped = False

    def __enter__(self) -> Broker:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def wait_until_ready(self, timeout: float, log=print) -> None:
        """Wait until the broker answers a metadata request and lists itself as a broker."""
        from confluent_kafka import KafkaException

        admin = _admin_client(self.bootstrap)
        log(f"kafka: waiting for the broker (pid {self.pid}, log {self.log_file})...")
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise BrokerError(f"the broker exited during startup (exit code "
                                  f"{self.process.returncode}); the end of {self.log_file}:",
                                  _tail(self.log_file))
            try:
                if admin.list_topics(timeout=1).brokers:
                    return
            except KafkaException:
                pass  # not listening yet
            if time.monotonic() > deadline:
                raise BrokerError(f"the broker was not ready within {timeout:.0f}s, so it was "
                                  f"stopped; the end of {self.log_file}:", _tail(self.log_file))
            time.sleep(0.2)

    def create_topics(self, names, partitions: int = 1, timeout: float = 120.0) -> None:
        """Create topics (names, or "name:partitions") unless they exist, and wait until
        every partition has a leader, so that clients can use them at once."""
        from confluent_kafka import KafkaError, KafkaException
        from confluent_kafka.admin import NewTopic

        wanted = _parse_topics(names, partitions)
        if not wanted:
            return
        admin = _admin_client(self.bootstrap)
        deadline = time.monotonic() + timeout
        new_topics = [NewTopic(name, count, 1) for name, count in wanted.items()]
        for name, future in admin.create_topics(new_topics, request_timeout=timeout).items():
            try:
                future.result()
            except KafkaException as e:
                if e.args[0].code() != KafkaError.TOPIC_ALREADY_EXISTS:
                    raise BrokerError(f"cannot create topic {name!r}: {e.args[0].str()}") from None
        while not self._all_have_leaders(admin, wanted):
            if time.monotonic() > deadline:
                raise BrokerError(f"topics {', '.join(wanted)} had no leader within {timeout:.0f}s")
            time.sleep(0.2)

    @staticmethod
    def _all_have_leaders(admin, topics) -> bool:
        from confluent_kafka import KafkaException

        try:
            metadata = admin.list_topics(timeout=10)
        except KafkaException:  # a slow answer on a busy machine: ask again
            return False
        return all(_has_leaders(metadata, name) for name in topics)

    def stop(self, timeout: float = 30.0) -> None:
        """Stop the broker's whole process group: SIGTERM, SIGKILL after ``timeout``."""
        if self._stopped:
            return
        self._stopped = True
        _started.discard(self)
        _stop_group(self.pid, lambda: self.process.poll() is None, timeout)
        self.process.wait()  # reap it
        if not running_broker(self.data_dir):  # (else another broker runs from there now)
            (self.data_dir / PID_FILE).unlink(missing_ok=True)
        if self._owns_data_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)


def start(data_dir=None, port: int = 0, controller_port: int = 0, topics=(), *,
          partitions: int = 1, timeout: float = 120.0, log=None,
          stop_at_exit: bool = True) -> Broker:
    """Start a broker, wait until it is ready and create ``topics`` (names or
    "name:partitions"). ``data_dir`` None: a temp dir that stop() removes. Port 0: a free
    port. ``log``: called with progress lines (e.g. ``print``). Raises BrokerError; whatever
    goes wrong (Ctrl-C too), nothing is left running."""
    log = log or (lambda message: None)
    java = shutil.which("java")
    if not java:
        raise BrokerError("java not found: install Java 17 and put it on PATH")
    try:
        import confluent_kafka  # noqa: F401  (checked now, before anything starts)
    except ImportError:
        raise BrokerError("confluent-kafka is not installed: "
                          "run make install (or pip install confluent-kafka)") from None
    _parse_topics(topics, partitions)  # a bad topic list fails now too

    owns_data_dir = data_dir is None
    data_dir = Path(tempfile.mkdtemp(prefix="kafka-") if owns_data_dir else data_dir).resolve()
    broker = None
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        running = running_broker(data_dir)
        if running:
            raise BrokerError(f"a broker is already running (pid {running['pid']}, port "
                              f"{running.get('port')}): run make kafka-down first")
        for number, variable in ((port, "KAFKA_PORT"), (controller_port, "KAFKA_CONTROLLER_PORT")):
            if number and _port_in_use(number):
                raise BrokerError(f"port {number} is already in use: "
                                  f"stop what uses it or set {variable}=...")
        port = port or free_port()
        while controller_port in (0, port):
            controller_port = free_port()

        cp = classpath(log)
        props = _write_config(data_dir, port, controller_port)
        _format_storage(java, cp, data_dir, props, log)
        log_file = data_dir / LOG_FILE
        if log_file.exists():
            os.replace(log_file, data_dir / f"{LOG_FILE}.1")  # keep the previous run's log
        heap = os.environ.get("KAFKA_HEAP_OPTS") or DEFAULT_HEAP_OPTS
        command = [java, *heap.split(), *os.environ.get("KAFKA_OPTS", "").split(),
                   "-XX:+ExitOnOutOfMemoryError", f"-Dlog4j2.configurationFile={LOG4J_PROPERTIES}",
                   "-cp", cp, "kafka.Kafka", str(props)]
        with open(log_file, "wb") as out:
            # A new session (process group): Ctrl-C in this terminal does not reach the
            # broker, and stop() kills the whole group.
            process = subprocess.Popen(command, cwd=data_dir, stdin=subprocess.DEVNULL,
                                       stdout=out, stderr=subprocess.STDOUT,
                                       start_new_session=True)
        broker = Broker(data_dir, port, process, owns_data_dir)
        if stop_at_exit:
            _started.add(broker)
        (data_dir / PID_FILE).write_text(json.dumps({"pid": process.pid, "port": port}) + "\n")

        deadline = time.monotonic() + timeout
        broker.wait_until_ready(timeout, log)
        broker.create_topics(topics, partitions, timeout=max(10.0, deadline - time.monotonic()))
        return broker
    except BaseException:  # Ctrl-C included: stop what was started, then re-raise
        if broker:
            broker.stop(timeout=10)  # also removes a temp data dir
        elif owns_data_dir:
            shutil.rmtree(data_dir, ignore_errors=True)
        raise


def _up(args) -> int:
    controller_port = args.controller_port
    if controller_port is None:
        controller_port = args.port + 1 if args.port else 0
    # `kill` or a closed terminal stop a half-started broker too, like Ctrl-C does.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    signal.signal(signal.SIGHUP, signal.default_int_handler)
    broker = start(args.data_dir, args.port, controller_port, args.topics, log=print,
                   timeout=args.timeout, stop_at_exit=False)  # it runs on, until `down`
    names = ", ".join(_parse_topics(args.topics, 1)) or "none"
    print(f"kafka: broker ready at {broker.bootstrap} (topics: {names})")
    return 0


def _down(args) -> int:
    info = running_broker(args.data_dir)
    if info:
        print(f"kafka: stopping the broker (pid {info['pid']})...")
    started = time.monotonic()
    if stop(args.data_dir):  # also removes a stale pid file
        print(f"kafka: broker stopped ({time.monotonic() - started:.1f}s)")
    else:
        print(f"kafka: no broker running from {args.data_dir}: nothing to stop")
    return 0


def _status(args) -> int:
    info = running_broker(args.data_dir)
    if not info:
        print(f"kafka: not running (data dir {args.data_dir})")
        return 3
    print(f"kafka: running at {HOST}:{info.get('port')} (pid {info['pid']}), "
          f"data in {args.data_dir}")
    return 0


def main(argv=None) -> int:
    env = os.environ.get
    parser = argparse.ArgumentParser(
        prog="broker.py", description="A local Apache Kafka broker (KRaft, one node).")
    parser.add_argument("command", choices=["up", "down", "status"])
    # Defaults from the environment: argparse converts them with `type` too.
    parser.add_argument("--port", type=int, default=env("KAFKA_PORT") or 9092,
                        help="client port (KAFKA_PORT, 9092; 0: any free port)")
    parser.add_argument("--controller-port", type=int, default=env("KAFKA_CONTROLLER_PORT"),
                        help="KRaft controller port (KAFKA_CONTROLLER_PORT, port + 1)")
    parser.add_argument("--data-dir", type=Path, default=env("KAFKA_DATA_DIR") or DEFAULT_DATA_DIR,
                        help="config, storage, log, pid file (KAFKA_DATA_DIR, .kafka)")
    parser.add_argument("--topics", default=env("KAFKA_TOPICS", ""),
                        help="comma list, NAME or NAME:PARTITIONS (KAFKA_TOPICS)")
    parser.add_argument("--timeout", type=float, default=env("KAFKA_START_TIMEOUT") or 120,
                        help="seconds to wait for the broker (KAFKA_START_TIMEOUT, 120)")
    args = parser.parse_args(argv)
    args.data_dir = args.data_dir.expanduser().resolve()
    sys.stdout.reconfigure(line_buffering=True)  # progress lines appear as they happen
    try:
        return {"up": _up, "down": _down, "status": _status}[args.command](args)
    except BrokerError as e:
        print(f"ERROR: {e}", file=sys.stderr)
        if e.details:
            print(e.details, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("kafka: interrupted (nothing left running)", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
