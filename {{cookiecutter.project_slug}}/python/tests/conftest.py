"""Fixtures: a local SparkSession for unit tests, and for the end-to-end tests a real Kafka
broker (kafka/broker.py), fresh topics, the JVM variants' jars, the project switched to one of
its examples, and app cleanup; for the cluster tests a Spark standalone cluster with 3 Kafka
nodes (cluster/cluster.py)."""

import os
import shutil
import subprocess
import sys

import pytest
from e2e_support import JARS, PROJECT, START_TIMEOUT, Topics, new_topics, switch_to_example

sys.path[:0] = [str(PROJECT / "kafka"), str(PROJECT / "cluster")]
import broker as local_kafka  # noqa: E402  (kafka/broker.py: the project's own broker runner)
import cluster as local_cluster  # noqa: E402  (cluster/cluster.py: Spark standalone + 3 nodes)


@pytest.fixture(scope="session")
def spark():
    """A small local SparkSession for unit tests: no Kafka, no connector download."""
    from pyspark.sql import SparkSession

    os.environ.pop("SPARK_CONF_DIR", None)  # the project's conf pulls the Kafka connector
    session = (
        SparkSession.builder.master("local[1]")
        .appName("unit-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "1")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="session")
def kafka(tmp_path_factory):
    """A real single-node broker on free ports, stopped (whole process group) afterwards."""
    with local_kafka.start(tmp_path_factory.mktemp("kafka"), port=0,
                           timeout=START_TIMEOUT) as running:
        yield running


@pytest.fixture(scope="session")
def cluster():
    """A local cluster started the way `make cluster-up` does (cluster/cluster.py up) on free
    ports, in build/e2e-cluster; `cluster.py down` stops it afterwards, whatever was killed."""
    run_dir = PROJECT / "build" / "e2e-cluster"
    command = [sys.executable, str(PROJECT / "cluster" / "cluster.py")]
    subprocess.run([*command, "down", "--dir", str(run_dir)], check=True)  # an aborted run's
    shutil.rmtree(run_dir, ignore_errors=True)
    started = subprocess.run([*command, "up", "--dir", str(run_dir), "--kafka-port", "0",
                              "--spark-port", "0", "--spark-webui-port", "0", "--topics", "",
                              "--timeout", str(START_TIMEOUT)],
                             capture_output=True, text=True)
    try:
        assert started.returncode == 0, started.stdout + started.stderr
        yield local_cluster.Cluster.load(run_dir)
    finally:
        stopped = subprocess.run([*command, "down", "--dir", str(run_dir)], capture_output=True,
                                 text=True)
        assert stopped.returncode == 0, stopped.stdout + stopped.stderr
        if (run_dir / local_cluster.LAYOUT_FILE).is_file():
            left = local_cluster.Cluster.load(run_dir).leftover_jvms()
            assert not left, f"cluster.py down left JVMs running: {left}"


@pytest.fixture(scope="session")
def jars():
    """Build the jar of every JVM variant once (make package-java / package-scala)."""
    for variant in JARS:
        subprocess.run(["make", "-s", f"package-{variant}", f"VENV={sys.prefix}"], cwd=PROJECT,
                       check=True)


@pytest.fixture(scope="session")
def sasl_kafka(tmp_path_factory):
    """A broker secured like production ones: SASL_SSL (SCRAM-SHA-512) and ACLs."""
    with local_kafka.start(tmp_path_factory.mktemp("kafka-sasl"), port=0, security="sasl_ssl",
                           timeout=START_TIMEOUT) as running:
        yield running


@pytest.fixture(scope="session")
def example(tmp_path_factory):
    """example(name): a copy of this project switched to that example (made once a session)."""
    made = {}

    def switched(name: str):
        if name not in made:
            made[name] = switch_to_example(name, tmp_path_factory.mktemp("example") / name)
        return made[name]

    return switched


@pytest.fixture
def topics(kafka, request) -> Topics:
    """Fresh input, output and dead-letter topics for one test."""
    return new_topics(kafka, request.node.name)


@pytest.fixture
def sasl_topics(sasl_kafka, request) -> Topics:
    """Fresh topics on the SASL_SSL broker, with the app's ACLs."""
    return new_topics(sasl_kafka, request.node.name)


@pytest.fixture
def apps():
    """Every app process a test starts; all are killed (process group) even if it fails."""
    started = []
    yield started
    for app in started:
        app.kill()
