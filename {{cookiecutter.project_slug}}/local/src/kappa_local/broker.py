"""A real, local, single-node Apache Kafka broker: no Docker, just jars from Maven Central.

The broker is Apache Kafka itself in KRaft mode (broker and controller in one JVM): Ivy
resolves its jars (jars.py), kafka_node.py writes the node's config and runs
``java -cp <those jars> kafka.Kafka server.properties``, and kafka_admin.py uses
confluent-kafka's AdminClient to see when it is ready and to create topics. kafka_security.py
secures it on request (SASL_SSL or mutual TLS, with ACLs). :func:`start` returns a running
:class:`Broker`; the ``kafka-up`` command (cli.py) and the ``kafka`` fixture use it.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
import time
from pathlib import Path

from . import jars, kafka_admin, kafka_node, kafka_security
from .kafka_node import LOG_FILE, PID_FILE, Node, running_node
from .kafka_security import PLAINTEXT, Security
from .processes import LocalError, free_port, port_in_use, stop_group, tail

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
                raise LocalError(f"the broker exited during startup (exit code "
                                  f"{self.process.returncode}); the end of {self.log_file}:",
                                  tail(self.log_file))
            if time.monotonic() > deadline:
                raise LocalError(f"the broker was not ready within {timeout:.0f}s, so it was "
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
        if not running_node(self.data_dir):  # (else another broker runs from there now)
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
    and write ``app_writes``. Raises LocalError; whatever goes wrong (Ctrl-C too), nothing is
    left running."""
    log = log or (lambda message: None)
    if security not in kafka_security.MODES:
        raise LocalError(f"unknown security {security!r}: use one of "
                          f"{', '.join(kafka_security.MODES)} (KAFKA_SECURITY)")
    java = jars.java()
    try:
        import confluent_kafka  # noqa: F401  (checked now, before anything starts)
    except ImportError:
        raise LocalError("confluent-kafka is not installed: "
                          "run make install (or pip install confluent-kafka)") from None
    kafka_admin.parse_topics(topics, partitions)  # a bad topic list fails now too

    owns_data_dir = data_dir is None
    data_dir = Path(tempfile.mkdtemp(prefix="kafka-") if owns_data_dir else data_dir).resolve()
    broker = None
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        running = running_node(data_dir)
        if running:
            raise LocalError(f"a broker is already running (pid {running['pid']}, port "
                              f"{running.get('port')}): run make kafka-down first")
        for number, variable in ((port, "KAFKA_PORT"), (controller_port, "KAFKA_CONTROLLER_PORT")):
            if number and port_in_use(number):
                raise LocalError(f"port {number} is already in use: "
                                  f"stop what uses it or set {variable}=...")
        port = port or free_port()
        while controller_port in (0, port):
            controller_port = free_port()

        cp = jars.classpath(log)
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
