#!/usr/bin/env python3
"""A real, local, single-node Apache Kafka broker: no Docker, just jars from Maven Central.

The broker is Apache Kafka itself in KRaft mode (broker and controller in one JVM): Maven
resolves the jars that kafka/pom.xml pins (kafka_jars.py), kafka_node.py writes the node's
config and runs ``java -cp <those jars> kafka.Kafka server.properties``, and kafka_admin.py
uses confluent-kafka's AdminClient to see when it is ready and to create topics.
kafka_security.py secures it on request (SASL_SSL or mutual TLS, with ACLs). See
kafka/README.md.

    python kafka/broker.py up|down|status [--port N] [--controller-port N]
                                          [--data-dir DIR] [--topics a,b:3]
                                          [--security plaintext|sasl_ssl|ssl]
                                          [--app-reads a] [--app-writes b,c]

``up`` needs confluent-kafka (the project's venv); ``down`` and ``status`` run on any
python3. The end-to-end tests use :func:`start`, which returns a :class:`Broker`.
"""

from __future__ import annotations

import argparse
import atexit
import os
import shlex
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

import kafka_admin
import kafka_jars
import kafka_node
import kafka_security
from kafka_node import LOG_FILE, PID_FILE, Node
from kafka_security import PLAINTEXT, Security
from processes import HOST, LocalError, free_port, port_in_use, stop_group, tail

DEFAULT_DATA_DIR = kafka_jars.CACHE_DIR  # <project>/.kafka
BrokerError = LocalError  # what start() raises: one line for the user, then details
running_broker = kafka_node.running_node  # running_broker(data_dir) -> {"pid", "port"} | None
stop = kafka_node.stop_node  # stop(data_dir): stops a broker started from there, e.g. by kafka-up

_started: set = set()  # brokers that this Python process started and still runs


@atexit.register
def _stop_started_brokers() -> None:
    for broker in list(_started):
        broker.stop(timeout=10)


class Broker:
    """A broker started by :func:`start`: ``stop()`` it, or use it as a context manager."""

    def __init__(self, node: Node, process, owns_data_dir: bool, security: Security = PLAINTEXT):
        self.node = node
        self.data_dir = node.data_dir
        self.port = node.port
        self.bootstrap = node.bootstrap  # for bootstrap.servers / kafka.bootstrap.servers
        self.security = security
        # confluent-kafka settings for test clients and tools: the admin, a super user.
        self.client_config = {"bootstrap.servers": self.bootstrap, **security.client_config()}
        self.process = process
        self.pid = process.pid  # also its process group id: it runs in its own session
        self.log_file = node.data_dir / LOG_FILE
        self._owns_data_dir = owns_data_dir  # a temp dir, which stop() removes
        self._stopped = False

    def __enter__(self) -> Broker:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def app_env(self, from_files: bool = True) -> dict[str, str]:
        """The app's environment for this broker: KAFKA_BROKERS and, when it is secured, the
        KAFKA_OPTION_* settings of the app's user (secrets as _FILE paths if ``from_files``)."""
        return {"KAFKA_BROKERS": self.bootstrap, **self.security.app_env(from_files=from_files)}

    def admin(self):
        """A confluent-kafka AdminClient, logged in as the admin on a secured broker."""
        return kafka_admin.admin_client(self.bootstrap, self.security.client_config())

    def wait_until_ready(self, timeout: float, log=print) -> None:
        """Wait until the broker answers a metadata request and lists itself as a broker."""
        admin = self.admin()
        log(f"kafka: waiting for the broker (pid {self.pid}, log {self.log_file})...")
        deadline = time.monotonic() + timeout
        while not kafka_admin.brokers_answering(admin):
            if self.process.poll() is not None:
                raise BrokerError(f"the broker exited during startup (exit code "
                                  f"{self.process.returncode}); the end of {self.log_file}:",
                                  tail(self.log_file))
            if time.monotonic() > deadline:
                raise BrokerError(f"the broker was not ready within {timeout:.0f}s, so it was "
                                  f"stopped; the end of {self.log_file}:", tail(self.log_file))
            time.sleep(0.2)

    def create_topics(self, names, partitions: int = 1, timeout: float = 120.0) -> None:
        """Create topics (names, or "name:partitions") unless they exist, and wait until
        every partition has a leader, so that clients can use them at once."""
        wanted = kafka_admin.parse_topics(names, partitions)
        kafka_admin.create_topics(self.admin(), wanted, replicas=1, timeout=timeout)

    def allow_app(self, reads=(), writes=()) -> None:
        """On a secured broker, let the app's user read ``reads`` and write ``writes`` (topic
        names), and nothing else; on a plaintext one everybody may do anything."""
        self.security.allow_app(self.admin(), reads, writes)

    def stop(self, timeout: float = 30.0) -> None:
        """Stop the broker's whole process group: SIGTERM, SIGKILL after ``timeout``."""
        if self._stopped:
            return
        self._stopped = True
        _started.discard(self)
        stop_group(self.pid, lambda: self.process.poll() is None, timeout)
        self.process.wait()  # reap it
        if not running_broker(self.data_dir):  # (else another broker runs from there now)
            (self.data_dir / PID_FILE).unlink(missing_ok=True)
        if self._owns_data_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)


def start(data_dir=None, port: int = 0, controller_port: int = 0, topics=(), *,
          partitions: int = 1, timeout: float = 120.0, log=None, stop_at_exit: bool = True,
          security: str = "plaintext", app_reads=(), app_writes=()) -> Broker:
    """Start a broker, wait until it is ready and create ``topics`` (names or
    "name:partitions"). ``data_dir`` None: a temp dir that stop() removes. Port 0: a free
    port. ``log``: called with progress lines (e.g. ``print``). ``security``: "plaintext",
    "sasl_ssl" or "ssl" (mutual TLS), with ACLs that let the app's user read ``app_reads``
    and write ``app_writes``. Raises BrokerError; whatever goes wrong (Ctrl-C too), nothing is
    left running."""
    log = log or (lambda message: None)
    if security not in kafka_security.MODES:
        raise BrokerError(f"unknown security {security!r}: use one of "
                          f"{', '.join(kafka_security.MODES)} (KAFKA_SECURITY)")
    java = kafka_jars.java()
    try:
        import confluent_kafka  # noqa: F401  (checked now, before anything starts)
    except ImportError:
        raise BrokerError("confluent-kafka is not installed: "
                          "run make install (or pip install confluent-kafka)") from None
    kafka_admin.parse_topics(topics, partitions)  # a bad topic list fails now too

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
            if number and port_in_use(number):
                raise BrokerError(f"port {number} is already in use: "
                                  f"stop what uses it or set {variable}=...")
        port = port or free_port()
        while controller_port in (0, port):
            controller_port = free_port()

        cp = kafka_jars.classpath(log)
        node = Node(1, port, controller_port, data_dir)
        secured = kafka_security.prepare(data_dir, security, kafka_node.is_formatted(node), log)
        props = kafka_node.write_config(node, kafka_node.server_properties(
            node, [node], client_protocol=secured.protocol, extra=secured.server_properties()))
        if not kafka_node.is_formatted(node):
            log(f"kafka: formatting storage in {data_dir} (first run only)...")
            kafka_node.format_storage(java, cp, node, props, kafka_node.new_cluster_id(),
                                      secret_args=secured.scram_users())
        broker = Broker(node, kafka_node.start_process(java, cp, node, props), owns_data_dir,
                        secured)
        if stop_at_exit:
            _started.add(broker)

        deadline = time.monotonic() + timeout
        broker.wait_until_ready(timeout, log)
        broker.create_topics(topics, partitions, timeout=max(10.0, deadline - time.monotonic()))
        broker.allow_app(app_reads, app_writes)
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
                   timeout=args.timeout, stop_at_exit=False,  # it runs on, until `down`
                   security=args.security, app_reads=_names(args.app_reads),
                   app_writes=_names(args.app_writes))
    names = ", ".join(kafka_admin.parse_topics(args.topics, 1)) or "none"
    print(f"kafka: broker ready at {broker.bootstrap} (topics: {names})")
    if broker.security.secured:
        _print_how_to_connect(broker, args)
    return 0


def _names(text: str) -> list[str]:
    return [name.strip() for name in text.split(",") if name.strip()]


def _print_how_to_connect(broker: Broker, args) -> None:
    """The app's settings as export lines, and where the test clients' settings are. Secrets
    stay in their mode-600 files: the lines name those files (KAFKA_OPTION_<NAME>_FILE)."""
    security = broker.security
    reads, writes = ", ".join(_names(args.app_reads)), ", ".join(_names(args.app_writes))
    print(f"kafka: {security.protocol} on {broker.bootstrap}; credentials in {security.dir} "
          f"(mode 600); user app may read {reads or 'no topic'} and write {writes or 'no topic'}")
    print("kafka: for the app (make run, make submit, make run-java, ...), in your shell:")
    for name, value in broker.app_env().items():
        print(f"  export {name}={shlex.quote(value)}")
    files = security.write_client_files(broker.bootstrap)
    print("kafka: test clients and tools log in as admin (a super user):")
    print(f"  confluent-kafka: Producer(json.load(open({str(files['confluent-kafka'])!r})))")
    print(f"  Kafka's tools:   --command-config {shlex.quote(str(files['kafka tools']))}")


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
    parser.add_argument("--security", choices=kafka_security.MODES,
                        default=env("KAFKA_SECURITY") or "plaintext",
                        help="plaintext, sasl_ssl (SCRAM) or ssl (mutual TLS) "
                             "(KAFKA_SECURITY, plaintext)")
    parser.add_argument("--app-reads", default=env("KAFKA_APP_READS", ""),
                        help="secured: topics the app's user may read (KAFKA_APP_READS)")
    parser.add_argument("--app-writes", default=env("KAFKA_APP_WRITES", ""),
                        help="secured: topics the app's user may write, comma list "
                             "(KAFKA_APP_WRITES)")
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
