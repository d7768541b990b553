"""The app on a real cluster: Spark's standalone Master with 2 Workers and 3 Kafka nodes, all
on this machine (kappa-local's local_cluster fixture, started by `cluster-up` as `make
cluster-up` does). While records stream in with acks=all, the broker leading the input
partition, one executor and one Worker are killed with SIGKILL. Every acknowledged record must come out exactly as it went in.

`make e2e-cluster` runs this file. E2E_CLUSTER_RATE sets the input rate (records/s, default
100). Figures go to build/e2e-report.jsonl, one JSON line per variant.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from kappa_local.testing.apps import START_TIMEOUT
from kappa_local.testing.faults import AckingProducer, OutputLog, has_finished_a_task, wait_until
from kappa_local.testing.records import CONSUME_TIMEOUT

from .e2e_support import JARS, new_topics, report, start_app

pytestmark = [pytest.mark.cluster, pytest.mark.usefixtures("jars")]

RATE = int(os.environ.get("E2E_CLUSTER_RATE", "100"))
# The Python app through spark-submit, and one JVM variant if the project has one.
RUN_PATHS = ["spark-submit", *list(JARS)[:1]]
BIN = Path(sys.executable).parent  # kappa-local's console commands


def progress(line: str) -> None:
    print(f"[cluster {time.strftime('%H:%M:%S')}] {line}", file=sys.__stderr__, flush=True)


@pytest.fixture
def whole_cluster(local_cluster):
    """The session's cluster with every process running (an earlier test killed some)."""
    local_cluster.start_missing(START_TIMEOUT, log=progress)
    return local_cluster


def test_cluster_up_refuses_a_second_start_and_status_lists_every_process(whole_cluster,
                                                                          tmp_path):
    run_dir = str(whole_cluster.run_dir)

    again = subprocess.run([str(BIN / "cluster-up"), "--dir", run_dir], capture_output=True,
                           text=True)
    status = subprocess.run([str(BIN / "cluster-status"), "--dir", run_dir], capture_output=True,
                            text=True)
    taken = whole_cluster.layout["spark_port"]
    port_taken = subprocess.run([str(BIN / "cluster-up"), "--dir", str(tmp_path / "other"),
                                 "--kafka-port", "0", "--spark-port", str(taken)],
                                capture_output=True, text=True)
    no_java = subprocess.run([str(BIN / "cluster-up"), "--dir", str(tmp_path / "other")],
                             capture_output=True, text=True,
                             env=dict(os.environ, PATH=str(tmp_path / "empty")))

    assert again.returncode == 1 and again.stderr.startswith(
        f"ERROR: the cluster in {run_dir} is already running"), again.stderr
    assert status.returncode == 0, status.stdout
    assert "6 of 6 processes running" in status.stdout
    assert whole_cluster.master_url in status.stdout and whole_cluster.bootstrap in status.stdout
    assert port_taken.returncode == 1 and port_taken.stderr.startswith(
        f"ERROR: port {taken} is already in use: stop what uses it or set "
        "CLUSTER_SPARK_PORT="), port_taken.stderr
    assert no_java.returncode == 1 and no_java.stderr.startswith(
        "ERROR: java not found"), no_java.stderr
    for result in (again, port_taken, no_java):
        assert len(result.stderr.splitlines()) == 1 and "Traceback" not in result.stderr
    assert not (tmp_path / "other").exists(), "a refused start must not leave anything behind"


class SubmittedQuery:
    """The app submitted to the cluster. If it stops under the faults, keep_running() submits
    it again, once, from the same checkpoint: that restart must then complete the output."""

    def __init__(self, submit):
        self.submit, self.restarted = submit, False
        self.app = submit("submitted")

    def keep_running(self) -> None:
        if self.app.process.poll() is not None:
            assert not self.restarted, f"the query stopped again:\n{self.app.logs()}"
            progress(f"the query stopped (exit {self.app.process.returncode}): submitting it "
                     "again from its checkpoint")
            self.app, self.restarted = self.submit("restarted"), True


@pytest.mark.parametrize("run_path", RUN_PATHS)
def test_no_acknowledged_record_is_lost_when_a_broker_an_executor_and_a_worker_die(
        whole_cluster, apps, tmp_path, run_path):
    cluster, started = whole_cluster, time.monotonic()
    # 2 partitions (one per Worker core), each on all 3 nodes.
    topics = new_topics(cluster, f"faults-{run_path.replace('-', '')}", partitions=2)
    source, sink = topics.source, topics.sink
    query = SubmittedQuery(lambda name: start_app(
        apps, tmp_path, cluster, topics, run_path, tmp_path / "checkpoint", name,
        master=cluster.master_url, SPARK_LOCAL_IP="127.0.0.1"))
    recovery = {}  # seconds from each kill to the first output record written after it

    def executors_on_worker_1() -> list[int]:
        app_ids = cluster.spark.running_apps()  # ids sort by start time: the newest is ours
        return cluster.spark.executors(1, max(app_ids)) if app_ids else []

    with OutputLog(cluster.bootstrap, sink) as output:
        def first_output_after(moment: float, keys=None) -> float:
            return output.seconds_to_first_record_after(moment, START_TIMEOUT,
                                                        query.keep_running, keys)

        with AckingProducer(cluster.bootstrap, source, RATE, tmp_path / "producer") as producer:
            first_output_after(0)  # records flow through the cluster
            wait_until(executors_on_worker_1, START_TIMEOUT, "an executor on worker 1",
                       query.keep_running)

            leader = cluster.kafka.leader(source, partition=0)
            progress(f"kill -9 Kafka node {leader}, leader of {source} partition 0")
            killed_at = cluster.kafka.kill(leader)
            recovery["broker"] = first_output_after(killed_at)
            # The other partition may flow on: how long until the killed leader's one does.
            recovery["broker_partition_0"] = first_output_after(
                killed_at, keys=producer.keys_sent_to(partition=0))
            cluster.kafka.start_missing(log=progress)  # it rejoins and catches up
            cluster.kafka.wait_in_sync(topics, START_TIMEOUT)

            [executor] = executors_on_worker_1()
            progress(f"kill -9 executor pid {executor} on worker 1")
            recovery["executor"] = first_output_after(cluster.spark.kill(executor))
            # One fault at a time: the Master's replacement on worker 1 first takes over.
            wait_until(lambda: [pid for pid in executors_on_worker_1()
                                if pid != executor and has_finished_a_task(pid)],
                       START_TIMEOUT, "a new executor on worker 1 running tasks",
                       query.keep_running)

            progress("kill -9 worker 2")
            recovery["worker"] = first_output_after(cluster.spark.kill_worker(2))
            producer.stop()
        acked, failed = producer.records("success"), producer.records("error")

        progress(f"{len(acked)} records acknowledged: waiting for all of them on {sink}")
        deadline = time.monotonic() + CONSUME_TIMEOUT
        while (missing := output.records_missing(acked)) and time.monotonic() < deadline:
            query.keep_running()
            time.sleep(1)
        out = output.records()

    assert acked, "the producer got no acknowledgement at all"
    assert not missing, (f"{len(missing)} of {len(acked)} acknowledged records never reached "
                         f"{sink}, e.g. {sorted(missing)[:3]};\n{query.app.logs()}")
    unexpected = set(out) - set(acked) - set(failed)
    assert not unexpected, f"records that were never sent: {sorted(unexpected)[:3]}"
    app = query.app
    assert app.process.poll() is None, f"the query is not running:\n{app.logs()}"
    assert "query_terminated" not in [e["event"] for e in app.events()], app.logs()
    # It still stops cleanly (its stderr holds the faults' stack traces: not checked here).
    assert app.terminate(signal.SIGTERM) == 0, app.logs()
    assert app.events()[-1]["event"] == "stopped", app.logs()
    report(f"cluster faults via {run_path}", acked=len(acked), send_errors=len(failed),
           records_out=len(out), duplicates=len(out) - len(set(out)),
           seconds_to_new_output_after_kill=recovery, restarted_from_checkpoint=query.restarted,
           seconds=round(time.monotonic() - started, 1))


def test_cluster_down_stops_everything_even_after_kill_9(local_cluster):
    """Runs last in this file: it takes the session's cluster down (a later test would start
    the processes again)."""
    cluster = local_cluster
    running = cluster.running()
    killed = [name for name in ("spark-master", "spark-worker-1", "kafka-1") if name in running]
    assert killed, f"nothing of the cluster to kill: {running}"
    for name in killed:
        os.kill(running[name], signal.SIGKILL)  # stale pid files left behind, as after a crash

    down = subprocess.run([str(BIN / "cluster-down"), "--dir", str(cluster.run_dir)],
                          capture_output=True, text=True)

    assert down.returncode == 0, down.stdout + down.stderr
    assert cluster.running() == {} and cluster.leftover_jvms() == []
    assert not list(cluster.run_dir.glob("*/*.pid")), "stale pid files left behind"
