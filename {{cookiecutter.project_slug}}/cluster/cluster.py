#!/usr/bin/env python3
"""A local cluster on loopback: a Spark standalone Master with its Workers
(spark_standalone.py) and a 3-node Apache Kafka cluster (kafka/kafka_cluster.py), every
process in its own directory under one run directory (.cluster/). See cluster/README.md.

    python cluster/cluster.py up|down|status [--dir DIR] [--kafka-port N] [--spark-port N]
                                             [--spark-webui-port N] [--topics a,b:3] ...

``up`` needs the project venv (pyspark, confluent-kafka); ``down`` and ``status`` run on any
python3. The tests use :class:`Cluster` on a cluster that ``up`` started.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "kafka"))
import kafka_admin  # noqa: E402
import kafka_cluster  # noqa: E402
import kafka_jars  # noqa: E402
import spark_standalone  # noqa: E402
from processes import LocalError, command_line, free_port, pids_under, port_in_use  # noqa: E402

DEFAULT_DIR = Path(__file__).resolve().parents[1] / ".cluster"
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
        # As on the single broker (kafka/broker.py); the cluster's Kafka is plaintext.
        self.client_config = {"bootstrap.servers": self.bootstrap}

    def app_env(self, from_files: bool = True) -> dict[str, str]:
        """The app's Kafka environment for this cluster (plaintext: no secrets to place)."""
        return {"KAFKA_BROKERS": self.bootstrap}

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
    kafka_jars.java()
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


def _up(args) -> int:
    # `kill` or a closed terminal stop a half-started cluster too, like Ctrl-C does.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    signal.signal(signal.SIGHUP, signal.default_int_handler)
    started = time.monotonic()
    cluster = up(args.dir, args.kafka_port, args.spark_port, args.spark_webui_port, args.workers,
                 args.worker_cores, args.worker_memory, args.topics, args.partitions,
                 args.timeout)
    print(f"cluster: ready in {time.monotonic() - started:.0f}s (stop it with make cluster-down)")
    print(f"  Spark master:      {cluster.master_url}   (UI {cluster.spark.webui})")
    print(f"  Kafka bootstrap:   {cluster.bootstrap}")
    print(f"  run the app on it: make submit SPARK_MASTER={cluster.master_url} "
          f"SPARK_LOCAL_IP=127.0.0.1 KAFKA_BROKERS={cluster.bootstrap}")
    return 0


def _down(args) -> int:
    if not (args.dir / LAYOUT_FILE).is_file():
        print(f"cluster: no cluster in {args.dir}: nothing to stop")
        return 0
    cluster = Cluster.load(args.dir)
    running = cluster.running()
    print(f"cluster: stopping {', '.join(running) or 'leftovers'} ...")
    started = time.monotonic()
    cluster.stop()
    print(f"cluster: stopped ({time.monotonic() - started:.1f}s)")
    return 0


def _status(args) -> int:
    if not (args.dir / LAYOUT_FILE).is_file():
        print(f"cluster: not running (no cluster in {args.dir})")
        return 3
    cluster = Cluster.load(args.dir)
    running = cluster.running()
    names = [d.name for d in cluster.spark.daemons] + [f"kafka-{i}" for i in cluster.kafka.nodes]
    for name in names:
        state = f"running (pid {running[name]})" if name in running else "DOWN"
        print(f"  {name:16} {state}")
    print(f"cluster: {len(running)} of {len(names)} processes running; Spark master "
          f"{cluster.master_url} ({cluster.spark.alive_workers()} workers alive), "
          f"Kafka bootstrap {cluster.bootstrap}")
    return 0 if len(running) == len(names) else 3


def main(argv=None) -> int:
    env = os.environ.get
    parser = argparse.ArgumentParser(
        prog="cluster.py", description="A local Spark standalone + 3-node Kafka cluster.")
    parser.add_argument("command", choices=["up", "down", "status"])
    parser.add_argument("--dir", type=Path, default=env("CLUSTER_DIR") or DEFAULT_DIR,
                        help="run directory: every process's config, data, log and pid file "
                             "(CLUSTER_DIR, .cluster)")
    parser.add_argument("--kafka-port", type=int, default=env("CLUSTER_KAFKA_PORT") or 19092,
                        help="client port of Kafka node 1; nodes 2 and 3 take the next ones, "
                             "controllers the same + 100 (CLUSTER_KAFKA_PORT, 19092; 0: free)")
    parser.add_argument("--spark-port", type=int, default=env("CLUSTER_SPARK_PORT") or 7077,
                        help="Spark master port (CLUSTER_SPARK_PORT, 7077; 0: free)")
    parser.add_argument("--spark-webui-port", type=int,
                        default=env("CLUSTER_SPARK_WEBUI_PORT") or 8080,
                        help="Spark master UI; Workers take the next ones "
                             "(CLUSTER_SPARK_WEBUI_PORT, 8080; 0: free)")
    parser.add_argument("--workers", type=int, default=env("CLUSTER_WORKERS") or 2,
                        help="Spark Workers (CLUSTER_WORKERS, 2)")
    parser.add_argument("--worker-cores", type=int, default=env("CLUSTER_WORKER_CORES") or 1,
                        help="cores per Worker (CLUSTER_WORKER_CORES, 1)")
    parser.add_argument("--worker-memory", default=env("CLUSTER_WORKER_MEMORY") or "1g",
                        help="memory per Worker (CLUSTER_WORKER_MEMORY, 1g)")
    parser.add_argument("--topics", default=env("KAFKA_TOPICS", ""),
                        help="comma list, NAME or NAME:PARTITIONS (KAFKA_TOPICS)")
    parser.add_argument("--partitions", type=int, default=env("CLUSTER_PARTITIONS") or 2,
                        help="partitions of a topic given without a count: one per Worker "
                             "core (CLUSTER_PARTITIONS, 2)")
    parser.add_argument("--timeout", type=float, default=env("CLUSTER_START_TIMEOUT") or 300,
                        help="seconds to wait for the cluster (CLUSTER_START_TIMEOUT, 300)")
    args = parser.parse_args(argv)
    args.dir = args.dir.expanduser().resolve()
    sys.stdout.reconfigure(line_buffering=True)  # progress lines appear as they happen
    try:
        return {"up": _up, "down": _down, "status": _status}[args.command](args)
    except LocalError as e:
        print(f"ERROR: {e}", file=sys.stderr)
        if e.details:
            print(e.details, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("cluster: interrupted (nothing left running)", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
