"""Fixtures: a local SparkSession for unit tests, and for the end-to-end tests a real Kafka
broker (kafka/broker.py), fresh topics, the JVM variants' jars and app cleanup."""

import os
import subprocess
import sys

import pytest
from e2e_support import JARS, PROJECT, START_TIMEOUT, new_topics

sys.path.insert(0, str(PROJECT / "kafka"))
import broker as local_kafka  # noqa: E402  (kafka/broker.py: the project's own broker runner)


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


@pytest.fixture
def topics(kafka, request):
    """A fresh (input, output) topic pair for one test."""
    return new_topics(kafka, request.node.name)


@pytest.fixture
def sasl_topics(sasl_kafka, request):
    """A fresh (input, output) topic pair on the SASL_SSL broker, with the app's ACLs."""
    return new_topics(sasl_kafka, request.node.name)


@pytest.fixture
def apps():
    """Every app process a test starts; all are killed (process group) even if it fails."""
    started = []
    yield started
    for app in started:
        app.kill()
