"""A local Apache Kafka cluster: three KRaft nodes (broker and controller in each JVM) with one
cluster id, on loopback. Every node is set up by kafka_node.py, exactly as the single broker
is; with three voters its config gives every topic 3 replicas and needs 2 in sync, so one node
can die without losing a record that was acknowledged with acks=all. cluster.py runs it next
to a Spark standalone cluster (cluster-up)."""

from __future__ import annotations

import os
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from . import jars, kafka_admin, kafka_node
from .kafka_node import STORAGE, Node
from .processes import LocalError, tail

SIZE = 3  # the smallest quorum that survives losing a node


def cluster_nodes(run_dir: Path, ports, controller_ports) -> list[Node]:
    """Node i (1-based) keeps its config, storage, log and pid file in <run_dir>/kafka-<i>."""
    pairs = zip(ports, controller_ports, strict=True)
    return [Node(i, port, controller, Path(run_dir) / f"kafka-{i}")
            for i, (port, controller) in enumerate(pairs, start=1)]


class KafkaCluster:
    """The nodes of one cluster, found by their pid files: a cluster started by ``make
    cluster-up`` can be checked, killed and restarted from another process (the tests)."""

    def __init__(self, nodes: list[Node]):
        self.nodes = {node.node_id: node for node in nodes}
        self.bootstrap = ",".join(node.bootstrap for node in nodes)  # every node, for clients
        self._processes = {}  # node id -> Popen, for the nodes this Python process started

    def running(self) -> dict[int, int]:
        """Node id -> pid of every node that runs now."""
        return {node_id: info["pid"] for node_id, node in self.nodes.items()
                if (info := kafka_node.running_node(node.data_dir))}

    def start_missing(self, log=print) -> list[int]:
        """Start every node that does not run (formatting new storage with the cluster's id);
        returns their ids. Call wait_until_ready() next."""
        missing = [node for node_id, node in self.nodes.items() if node_id not in self.running()]
        if not missing:
            return []
        java, cp = jars.java(), jars.classpath(log)
        cluster_id = self._cluster_id()
        voters = list(self.nodes.values())

        def start(node: Node) -> None:
            node.data_dir.mkdir(parents=True, exist_ok=True)
            props = kafka_node.write_config(node, kafka_node.server_properties(node, voters))
            if not kafka_node.is_formatted(node):
                kafka_node.format_storage(java, cp, node, props, cluster_id)
            self._processes[node.node_id] = kafka_node.start_process(java, cp, node, props)

        log(f"kafka: starting node {', '.join(str(n.node_id) for n in missing)} "
            f"(ports {', '.join(str(n.port) for n in missing)})...")
        with ThreadPoolExecutor(len(missing)) as pool:  # JVM start-ups overlap
            list(pool.map(start, missing))
        return [node.node_id for node in missing]

    def _cluster_id(self) -> str:
        """The id the formatted nodes share; a new one if none is formatted yet."""
        for node in self.nodes.values():
            meta = node.data_dir / STORAGE / "meta.properties"
            if meta.is_file():
                for line in meta.read_text().splitlines():
                    if line.startswith("cluster.id="):
                        return line.partition("=")[2].strip()
        return kafka_node.new_cluster_id()

    def wait_until_ready(self, timeout: float, log=print) -> None:
        """Wait until every node is registered as a broker with the cluster."""
        admin = kafka_admin.admin_client(self.bootstrap)
        log(f"kafka: waiting for {len(self.nodes)} brokers at {self.bootstrap}...")
        deadline = time.monotonic() + timeout
        while kafka_admin.brokers_answering(admin) < len(self.nodes):
            for node_id, process in self._processes.items():
                if process.poll() is not None:
                    log_file = self.nodes[node_id].data_dir / kafka_node.LOG_FILE
                    raise LocalError(f"kafka node {node_id} exited (exit code "
                                     f"{process.returncode}); the end of {log_file}:",
                                     tail(log_file))
            if time.monotonic() > deadline:
                raise LocalError(f"the Kafka cluster was not ready within {timeout:.0f}s "
                                 f"(logs: {self.nodes[1].data_dir.parent}/kafka-*/broker.log)")
            time.sleep(0.5)

    def create_topics(self, names, partitions: int = 1, timeout: float = 120.0) -> None:
        """Create topics (names, or "name:partitions") unless they exist, each partition on
        every node, and wait until every replica is in sync."""
        wanted = kafka_admin.parse_topics(names, partitions)
        kafka_admin.create_topics(self.admin(), wanted, replicas=len(self.nodes), timeout=timeout)

    def wait_in_sync(self, topics, timeout: float) -> None:
        """Wait until every partition of ``topics`` has a leader and all its replicas in sync
        (a restarted node catches up first)."""
        admin, deadline = self.admin(), time.monotonic() + timeout
        while not kafka_admin.all_in_sync(admin, topics, replicas=len(self.nodes)):
            if time.monotonic() > deadline:
                raise LocalError(f"{', '.join(topics)}: replicas not all in sync within "
                                 f"{timeout:.0f}s")
            time.sleep(0.5)

    def leader(self, topic: str, partition: int = 0) -> int:
        """The node id that leads a partition now."""
        metadata = self.admin().list_topics(topic, timeout=30)
        return metadata.topics[topic].partitions[partition].leader

    def kill(self, node_id: int) -> float:
        """SIGKILL a node's JVM, a crash with no clean shutdown; returns the time (epoch
        seconds) it was sent. Its pid file stays behind, stale, as after a real crash."""
        info = kafka_node.running_node(self.nodes[node_id].data_dir)
        if not info:
            raise LocalError(f"kafka node {node_id} is not running")
        killed_at = time.time()
        os.kill(info["pid"], signal.SIGKILL)
        while kafka_node.running_node(self.nodes[node_id].data_dir):
            if node_id in self._processes:
                self._processes[node_id].poll()  # reap it if it was our child
            time.sleep(0.05)
        return killed_at

    def stop(self, timeout: float = 30.0) -> None:
        """Stop every node at once (one by one, the last ones would wait for a quorum that is
        gone) and remove their pid files, stale ones included."""
        with ThreadPoolExecutor(len(self.nodes)) as pool:
            list(pool.map(lambda node: kafka_node.stop_node(node.data_dir, timeout),
                          self.nodes.values()))
        for process in self._processes.values():
            process.poll()

    def admin(self):
        return kafka_admin.admin_client(self.bootstrap)
