"""A local cluster on loopback: a Spark standalone Master with its Workers
(spark_standalone.py) and a 3-node Apache Kafka cluster (kafka_cluster.py), every process in
its own directory under one run directory. :func:`up` starts one; :class:`Cluster` loads,
inspects, kills and stops one that any process started (``cluster-up``, the ``cluster``
fixture)."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import time
from pathlib import Path

from . import jars, kafka_admin, kafka_cluster, spark_standalone
from .processes import LocalError, command_line, free_port, pids_under, port_in_use

LAYOUT_FILE = "cluster.json"  # the ports and sizes `up` chose; restarts reuse them


class Cluster:
    """The cluster described by <run_dir>/cluster.json: ``kafka`` (a KafkaCluster) and
    ``spark`` (a Standalone). Processes are found by their pid files, so any process can
    inspect, kill, restart or stop a cluster that another one started."""

    def __init__(self, run_dir: Path, layout: dict):
        self.run_dir, self.layout = Path(run_dir).resolve(), layout
        self.kafka = kafka_cluster.KafkaCluster(kafka_cluster.cluster_nodes(
            self.run_dir, layout["kafka_ports"], layout["controller_ports"]))
        self.spark = spark_standalone.Standalone(
            self.run_dir, layout["spark_port"], layout["spark_webui_port"],
            layout["worker_webui_ports"], layout["worker_cores"], layout["worker_memory"])
        self.master_url, self.bootstrap = self.spark.master_url, self.kafka.bootstrap
        # As on the single broker (broker.py); the cluster's Kafka is plaintext.
        self.client_config = {"bootstrap.servers": self.bootstrap}

    def app_env(self, from_files: bool = True) -> dict[str, str]:
        """The app's Kafka environment for this cluster (plaintext: no secrets to place)."""
        return {"KAFKA_BROKERS": self.bootstrap}

    def create_topics(self, names, partitions: int = 1, timeout: float = 120.0) -> None:
        """As Broker.create_topics, with every partition on all 3 nodes, all in sync."""
        self.kafka.create_topics(names, partitions, timeout)

    def allow_app(self, reads=(), writes=()) -> None:
        """As Broker.allow_app; the cluster's Kafka is plaintext: everybody may do anything."""

    @classmethod
    def load(cls, run_dir) -> Cluster:
        try:
            layout = json.loads((Path(run_dir) / LAYOUT_FILE).read_text())
        except (OSError, ValueError):
            raise LocalError(f"no cluster in {run_dir}: run make cluster-up first") from None
        return cls(run_dir, layout)

    def running(self) -> dict[str, int]:
        """Process name -> pid of everything that runs now."""
        kafka = {f"kafka-{node_id}": pid for node_id, pid in self.kafka.running().items()}
        return {**self.spark.running(), **kafka}

    def start_missing(self, timeout: float, log=print) -> None:
        """Start whatever does not run and wait until it is whole: every Worker registered
        and every broker up, with all replicas of the existing topics in sync."""
        deadline = time.monotonic() + timeout
        self.kafka.start_missing(log)
        self.spark.start_missing(log)
        self.kafka.wait_until_ready(deadline - time.monotonic(), log)
        self.spark.wait_until_ready(deadline - time.monotonic(), log)
        topics = [name for name in self.kafka.admin().list_topics(timeout=30).topics
                  if not name.startswith("__")]
        self.kafka.wait_in_sync(topics, max(10.0, deadline - time.monotonic()))

    def stop(self, timeout: float = 30.0) -> None:
        """Stop every process, stale pid files included; then anything still running in the
        run directory (e.g. executors orphaned by a Worker killed with kill -9)."""
        self.spark.stop(timeout)
        self.kafka.stop(timeout)
        leftovers = self.leftover_jvms()
        for pid in leftovers:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)  # orphans: nothing to shut down cleanly
        deadline = time.monotonic() + 30
        while set(leftovers) & set(self.leftover_jvms()) and time.monotonic() < deadline:
            time.sleep(0.1)

    def leftover_jvms(self) -> list[int]:
        """JVMs running in the run directory (a shell someone left there is not one)."""
        return [pid for pid in pids_under(self.run_dir)
                if Path((command_line(pid) or "").split("\0")[0]).name == "java"]


def up(run_dir: Path, kafka_port: int, spark_port: int, spark_webui_port: int, workers: int,
       worker_cores: int, worker_memory: str, topics: str, partitions: int, timeout: float,
       log=print) -> Cluster:
    """Start a whole cluster and create ``topics`` (3 replicas, 2 in sync). Port 0: free
    ports for everything. Nothing is left running if it fails (Ctrl-C included)."""
    jars.java()
    spark_standalone.spark_home()
    try:
        import confluent_kafka  # noqa: F401  (checked now, before anything starts)
    except ImportError:
        raise LocalError("confluent-kafka is not installed: run make install") from None
    wanted = kafka_admin.parse_topics(topics, partitions)  # a bad topic list fails now
    run_dir = run_dir.resolve()
    if (run_dir / LAYOUT_FILE).is_file():
        running = Cluster.load(run_dir).running()
        if running:
            raise LocalError(f"the cluster in {run_dir} is already running ("
                             f"{', '.join(running)}): run make cluster-down first")

    layout = {"kafka_ports": ports(kafka_port, kafka_cluster.SIZE, "CLUSTER_KAFKA_PORT"),
              "controller_ports": ports(kafka_port and kafka_port + 100, kafka_cluster.SIZE,
                                        "CLUSTER_KAFKA_PORT"),
              "spark_port": ports(spark_port, 1, "CLUSTER_SPARK_PORT")[0],
              "worker_webui_ports": [], "worker_cores": worker_cores,
              "worker_memory": worker_memory}
    webui = ports(spark_webui_port, workers + 1, "CLUSTER_SPARK_WEBUI_PORT")
    layout["spark_webui_port"], layout["worker_webui_ports"] = webui[0], webui[1:]
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / LAYOUT_FILE).write_text(json.dumps(layout, indent=2) + "\n")

    cluster = Cluster(run_dir, layout)
    try:
        cluster.start_missing(timeout, log)
        if wanted:
            log(f"kafka: creating topics {', '.join(wanted)} (3 replicas, 2 in sync)...")
            cluster.kafka.create_topics([f"{n}:{p}" for n, p in wanted.items()], timeout=timeout)
        return cluster
    except BaseException:  # Ctrl-C included: stop what was started, then re-raise
        log("cluster: stopping what was started...")
        cluster.stop(timeout=10)
        raise


def ports(first: int, count: int, variable: str) -> list[int]:
    """``count`` consecutive ports from ``first``, checked to be free; 0: any free ports."""
    if not first:
        return [free_port() for _ in range(count)]
    wanted = list(range(first, first + count))
    for port in wanted:
        if port_in_use(port):
            raise LocalError(f"port {port} is already in use: stop what uses it or set "
                             f"{variable}=... (it uses {first}-{first + count - 1})")
    return wanted
