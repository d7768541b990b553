"""One Apache Kafka node in KRaft mode (broker and controller in one JVM): its config, its
storage and its process. The single broker (broker.py) and every node of a cluster are built
here, from the same config builder."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from .processes import HOST, LocalError, command_line, start_in_own_group, stop_group

DEFAULT_HEAP_OPTS = "-Xms128m -Xmx512m"  # small on purpose: Spark needs the memory

# What a node keeps in its data dir.
PID_FILE = "broker.pid"  # {"pid": ..., "port": ...}
LOG_FILE = "broker.log"  # the JVM's stdout and stderr
SERVER_PROPERTIES = "server.properties"
LOG4J_PROPERTIES = "log4j2.properties"
STORAGE = "data"  # Kafka's log.dirs: topics and cluster metadata


@dataclass(frozen=True)
class Node:
    node_id: int
    port: int  # for clients
    controller_port: int  # for the KRaft quorum
    data_dir: Path

    @property
    def bootstrap(self) -> str:
        return f"{HOST}:{self.port}"


def server_properties(node: Node, voters: Sequence[Node], client_protocol: str = "PLAINTEXT",
                      extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The broker config of ``node`` in a cluster whose controllers are ``voters`` (all nodes
    are combined broker+controller). One node: internal topics get one replica. Three: every
    topic gets 3 replicas and needs 2 in sync, so one node can die without losing a record
    that was acknowledged with acks=all. ``extra`` adds or overrides keys (security)."""
    replicas = min(3, len(voters))
    min_isr = max(1, replicas - 1)
    client, controller = f"{HOST}:{node.port}", f"{HOST}:{node.controller_port}"
    props = {
        "process.roles": "broker,controller",
        "node.id": str(node.node_id),
        # A static voter list, so the storage is formatted without --standalone.
        "controller.quorum.voters": ",".join(
            f"{v.node_id}@{HOST}:{v.controller_port}" for v in voters),
        "listeners": f"{client_protocol}://{client},CONTROLLER://{controller}",
        "advertised.listeners": f"{client_protocol}://{client}",
        "inter.broker.listener.name": client_protocol,
        "controller.listener.names": "CONTROLLER",
        # The controller listener stays PLAINTEXT on loopback, as in Kafka's own examples.
        "listener.security.protocol.map":
            f"{client_protocol}:{client_protocol},CONTROLLER:PLAINTEXT",
        "log.dirs": str(node.data_dir / STORAGE),
        "num.partitions": "1",
        "default.replication.factor": str(replicas),
        "min.insync.replicas": str(min_isr),
        # Kafka's internal topics: replicated like the rest, one partition each (fast to start).
        "offsets.topic.replication.factor": str(replicas),
        "offsets.topic.num.partitions": "1",
        "transaction.state.log.replication.factor": str(replicas),
        "transaction.state.log.min.isr": str(min_isr),
        "transaction.state.log.num.partitions": "1",
        "share.coordinator.state.topic.replication.factor": str(replicas),
        "share.coordinator.state.topic.min.isr": str(min_isr),
        "share.coordinator.state.topic.num.partitions": "1",
        "group.initial.rebalance.delay.ms": "0",
    }
    props.update(extra or {})
    return props


def write_config(node: Node, props: Mapping[str, str]) -> Path:
    """Write server.properties and log4j2.properties into the node's data dir (at every start:
    ports may change). Returns the server.properties path."""
    path = node.data_dir / SERVER_PROPERTIES
    lines = ["# Written by kappa_local (kafka_node.py) at every start: changes here are lost."]
    lines += [f"{key}={_escape(value)}" for key, value in props.items()]
    # Java reads .properties as ISO-8859-1 and understands \uXXXX for everything else. Mode
    # 600: a secured node's config holds passwords.
    write_private(path, ("\n".join(lines) + "\n").encode("latin-1", errors="backslashreplace"))
    # Log to stdout (that is, broker.log) at INFO, without the long config dumps.
    (node.data_dir / LOG4J_PROPERTIES).write_text(
        "status = warn\n"
        "appender.out.type = Console\n"
        "appender.out.name = STDOUT\n"
        "appender.out.layout.type = PatternLayout\n"
        "appender.out.layout.pattern = [%d] %p %m (%c)%n\n"
        "rootLogger.level = INFO\n"
        "rootLogger.appenderRef.out.ref = STDOUT\n"
        "logger.config.name = org.apache.kafka.common.config.AbstractConfig\n"
        "logger.config.level = WARN\n")
    return path


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\")


def write_private(path: Path, content: str | bytes) -> None:
    """Write a file only its owner can read (mode 600), whatever mode it had before."""
    data = content.encode() if isinstance(content, str) else content
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with open(fd, "wb") as out:
        os.fchmod(fd, 0o600)
        out.write(data)


def new_cluster_id() -> str:
    """16 random bytes, URL-safe base64, as Kafka's StorageTool random-uuid prints; never with
    a leading "-", which would read as an option."""
    cluster_id = "-"
    while cluster_id.startswith("-"):
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
    return cluster_id


def is_formatted(node: Node) -> bool:
    return (node.data_dir / STORAGE / "meta.properties").is_file()


def format_storage(java: str, cp: str, node: Node, props: Path, cluster_id: str,
                   extra_args: Sequence[str] = (), secret_args: Sequence[str] = ()) -> None:
    """Format the node's storage for ``cluster_id`` (every node of a cluster gets the same).
    ``secret_args`` (SCRAM users with their passwords) reach the JVM through a mode-600
    argument file, deleted afterwards, so that they never show in the process list."""
    command = [java, "-Xmx256m", "-cp", cp, "kafka.tools.StorageTool", "format",
               "-t", cluster_id, "-c", str(props), *extra_args]
    argfile = node.data_dir / "format.args"
    if secret_args:  # `java @file` reads its arguments, main class included, from the file
        write_private(argfile, "\n".join(json.dumps(arg, ensure_ascii=False)
                                          for arg in [*command[1:], *secret_args]))
        command = [java, f"@{argfile}"]
    try:
        result = subprocess.run(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True)
    finally:
        argfile.unlink(missing_ok=True)
    if result.returncode != 0:
        raise LocalError(f"formatting the storage in {node.data_dir / STORAGE} failed:",
                         result.stdout.rstrip())


def start_process(java: str, cp: str, node: Node, props: Path) -> subprocess.Popen:
    """Start the node's JVM in its own process group and record its pid file."""
    heap = os.environ.get("KAFKA_HEAP_OPTS") or DEFAULT_HEAP_OPTS
    command = [java, *heap.split(), *os.environ.get("KAFKA_OPTS", "").split(),
               "-XX:+ExitOnOutOfMemoryError", f"-Dlog4j2.configurationFile={LOG4J_PROPERTIES}",
               "-cp", cp, "kafka.Kafka", str(props)]
    process = start_in_own_group(command, node.data_dir, node.data_dir / LOG_FILE)
    (node.data_dir / PID_FILE).write_text(
        json.dumps({"pid": process.pid, "port": node.port}) + "\n")
    return process


def is_node(pid: int, data_dir: Path) -> bool:
    """Is ``pid`` a live Kafka node of ``data_dir`` (not a stranger that reused the pid)?"""
    cmdline = command_line(pid) or ""  # a zombie has an empty command line
    return "kafka.Kafka" in cmdline and str(data_dir / SERVER_PROPERTIES) in cmdline


def running_node(data_dir) -> dict | None:
    """The node running from ``data_dir``, as ``{"pid": ..., "port": ...}``, or None."""
    data_dir = Path(data_dir).resolve()
    try:
        info = json.loads((data_dir / PID_FILE).read_text())
        return info if is_node(info["pid"], data_dir) else None
    except (OSError, ValueError, KeyError, TypeError):  # no pid file, or a broken one
        return None


def stop_node(data_dir, timeout: float = 30.0) -> int | None:
    """Stop the node running from ``data_dir`` (SIGTERM, then SIGKILL) and remove its pid
    file, stale ones included. Returns its pid, or None if none was running."""
    data_dir = Path(data_dir).resolve()
    info = running_node(data_dir)
    if info:
        stop_group(info["pid"], lambda: is_node(info["pid"], data_dir), timeout)
    (data_dir / PID_FILE).unlink(missing_ok=True)
    return info["pid"] if info else None
