"""The console commands: kafka-up, kafka-down, kafka-status for the single broker (broker.py)
and cluster-up, cluster-down, cluster-status for the local cluster (cluster.py). Every setting
is a flag whose default comes from an environment variable (``--help`` lists them), so the
project's Makefile passes its settings through unchanged. A problem is one ``ERROR:`` line on
stderr (then details) and exit 1; ``*-status`` exits 3 when not (wholly) running."""

from __future__ import annotations

import argparse
import os
import shlex
import signal
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from . import broker, cluster, kafka_admin, kafka_node, kafka_security
from .processes import HOST, LocalError

env = os.environ.get


def _run(name: str, command: Callable[[argparse.Namespace], int],
         parser: argparse.ArgumentParser, argv: Sequence[str] | None) -> int:
    args = parser.parse_args(argv)
    sys.stdout.reconfigure(line_buffering=True)  # progress lines appear as they happen
    try:
        return command(args)
    except LocalError as e:
        print(f"ERROR: {e}", file=sys.stderr)
        if e.details:
            print(e.details, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"{name}: interrupted (nothing left running)", file=sys.stderr)
        return 130


def _stop_on_termination() -> None:
    """`kill` or a closed terminal stop a half-started broker or cluster, like Ctrl-C does."""
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    signal.signal(signal.SIGHUP, signal.default_int_handler)


def _names(text: str) -> list[str]:
    return [name.strip() for name in text.split(",") if name.strip()]


# The single broker.

def _broker_parser(prog: str, description: str, starts: bool = False) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument("--port", type=int, default=env("KAFKA_PORT") or 9092,
                        help="client port on 127.0.0.1 (KAFKA_PORT, 9092; 0: any free port)")
    parser.add_argument("--data-dir", type=Path, default=env("KAFKA_DATA_DIR") or ".kafka",
                        help="config, storage, log, pid file (KAFKA_DATA_DIR, .kafka)")
    if starts:
        parser.add_argument("--controller-port", type=int, default=env("KAFKA_CONTROLLER_PORT"),
                            help="KRaft controller port (KAFKA_CONTROLLER_PORT, port + 1)")
        parser.add_argument("--topics", default=env("KAFKA_TOPICS", ""),
                            help="topics to create: comma list, NAME or NAME:PARTITIONS "
                                 "(KAFKA_TOPICS)")
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
    return parser


def kafka_up(argv: Sequence[str] | None = None) -> int:
    """Start a broker and leave it running until kafka-down."""
    parser = _broker_parser("kafka-up", "Start a local Apache Kafka broker (KRaft, one node) "
                            "and create topics; kafka-down stops it.", starts=True)
    return _run("kafka", _kafka_up, parser, argv)


def _kafka_up(args) -> int:
    controller_port = args.controller_port
    if controller_port is None:
        controller_port = args.port + 1 if args.port else 0
    _stop_on_termination()
    running = broker.start(args.data_dir.expanduser(), args.port, controller_port, args.topics,
                           log=print,
                           timeout=args.timeout, stop_at_exit=False,  # it runs on until down
                           security=args.security, app_reads=_names(args.app_reads),
                           app_writes=_names(args.app_writes))
    names = ", ".join(kafka_admin.parse_topics(args.topics, 1)) or "none"
    print(f"kafka: broker ready at {running.bootstrap} (topics: {names})")
    if running.security.secured:
        _print_how_to_connect(running, args)
    return 0


def _print_how_to_connect(running: broker.Broker, args) -> None:
    """The app's settings as export lines, and where the test clients' settings are. Secrets
    stay in their mode-600 files: the lines name those files (KAFKA_OPTION_<NAME>_FILE)."""
    security = running.security
    reads, writes = ", ".join(_names(args.app_reads)), ", ".join(_names(args.app_writes))
    print(f"kafka: {security.protocol} on {running.bootstrap}; credentials in {security.dir} "
          f"(mode 600); user app may read {reads or 'no topic'} and write {writes or 'no topic'}")
    print("kafka: for the app (make run, make submit, make run-java, ...), in your shell:")
    for name, value in running.app_env().items():
        print(f"  export {name}={shlex.quote(value)}")
    files = security.write_client_files(running.bootstrap)
    print("kafka: test clients and tools log in as admin (a super user):")
    print(f"  confluent-kafka: Producer(json.load(open({str(files['confluent-kafka'])!r})))")
    print(f"  Kafka's tools:   --command-config {shlex.quote(str(files['kafka tools']))}")


def kafka_down(argv: Sequence[str] | None = None) -> int:
    parser = _broker_parser("kafka-down", "Stop the local Kafka broker of a data dir.")
    return _run("kafka", _kafka_down, parser, argv)


def _kafka_down(args) -> int:
    data_dir = args.data_dir.expanduser().resolve()
    info = kafka_node.running_node(data_dir)
    if info:
        print(f"kafka: stopping the broker (pid {info['pid']})...")
    started = time.monotonic()
    if kafka_node.stop_node(data_dir):  # also removes a stale pid file
        print(f"kafka: broker stopped ({time.monotonic() - started:.1f}s)")
    else:
        print(f"kafka: no broker running from {data_dir}: nothing to stop")
    return 0


def kafka_status(argv: Sequence[str] | None = None) -> int:
    parser = _broker_parser("kafka-status", "Is the local Kafka broker of a data dir running? "
                            "(exit 0: yes, 3: no)")
    return _run("kafka", _kafka_status, parser, argv)


def _kafka_status(args) -> int:
    data_dir = args.data_dir.expanduser().resolve()
    info = kafka_node.running_node(data_dir)
    if not info:
        print(f"kafka: not running (data dir {data_dir})")
        return 3
    print(f"kafka: running at {HOST}:{info.get('port')} (pid {info['pid']}), data in {data_dir}")
    return 0


# The local cluster.

def _cluster_parser(prog: str, description: str, starts: bool = False) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument("--dir", type=Path, default=env("CLUSTER_DIR") or ".cluster",
                        help="run directory: every process's config, data, log and pid file "
                             "(CLUSTER_DIR, .cluster)")
    if not starts:
        return parser
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
    return parser


def cluster_up(argv: Sequence[str] | None = None) -> int:
    parser = _cluster_parser("cluster-up", "Start a local Spark standalone cluster (a Master "
                             "and Workers) and 3 Kafka nodes; cluster-down stops it.", starts=True)
    return _run("cluster", _cluster_up, parser, argv)


def _cluster_up(args) -> int:
    _stop_on_termination()
    started = time.monotonic()
    running = cluster.up(args.dir.expanduser(), args.kafka_port, args.spark_port,
                         args.spark_webui_port, args.workers, args.worker_cores,
                         args.worker_memory, args.topics, args.partitions, args.timeout)
    print(f"cluster: ready in {time.monotonic() - started:.0f}s (stop it with make cluster-down)")
    print(f"  Spark master:      {running.master_url}   (UI {running.spark.webui})")
    print(f"  Kafka bootstrap:   {running.bootstrap}")
    print(f"  run the app on it: make submit SPARK_MASTER={running.master_url} "
          f"SPARK_LOCAL_IP=127.0.0.1 KAFKA_BROKERS={running.bootstrap}")
    return 0


def cluster_down(argv: Sequence[str] | None = None) -> int:
    parser = _cluster_parser("cluster-down", "Stop the local cluster, whatever state it is in.")
    return _run("cluster", _cluster_down, parser, argv)


def _cluster_down(args) -> int:
    run_dir = args.dir.expanduser().resolve()
    if not (run_dir / cluster.LAYOUT_FILE).is_file():
        print(f"cluster: no cluster in {run_dir}: nothing to stop")
        return 0
    stopping = cluster.Cluster.load(run_dir)
    print(f"cluster: stopping {', '.join(stopping.running()) or 'leftovers'} ...")
    started = time.monotonic()
    stopping.stop()
    print(f"cluster: stopped ({time.monotonic() - started:.1f}s)")
    return 0


def cluster_status(argv: Sequence[str] | None = None) -> int:
    parser = _cluster_parser("cluster-status", "What runs of the local cluster? (exit 0: all "
                             "of it, 3: not all)")
    return _run("cluster", _cluster_status, parser, argv)


def _cluster_status(args) -> int:
    run_dir = args.dir.expanduser().resolve()
    if not (run_dir / cluster.LAYOUT_FILE).is_file():
        print(f"cluster: not running (no cluster in {run_dir})")
        return 3
    loaded = cluster.Cluster.load(run_dir)
    running = loaded.running()
    names = [d.name for d in loaded.spark.daemons] + [f"kafka-{i}" for i in loaded.kafka.nodes]
    for name in names:
        state = f"running (pid {running[name]})" if name in running else "DOWN"
        print(f"  {name:16} {state}")
    print(f"cluster: {len(running)} of {len(names)} processes running; Spark master "
          f"{loaded.master_url} ({loaded.spark.alive_workers()} workers alive), "
          f"Kafka bootstrap {loaded.bootstrap}")
    return 0 if len(running) == len(names) else 3
