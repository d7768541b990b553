"""Fixtures: a local SparkSession for unit tests; for the end-to-end tests fresh topics, the JVM
variants' jars and the project switched to one of its examples. The brokers (kafka,
sasl_kafka, mtls_kafka), the cluster (local_cluster) and app cleanup (apps) are kappa-local's
pytest fixtures (local/README.md)."""

import subprocess
import sys

import pytest

from .e2e_support import JARS, PROJECT, Topics, new_topics, switch_to_example
from .records import local_spark


@pytest.fixture(scope="session")
def spark():
    """A small local SparkSession for unit tests: no Kafka, no connector download."""
    session = local_spark()
    yield session
    session.stop()


@pytest.fixture(scope="session")
def jars():
    """Build the jar of every JVM variant once (make package-java / package-scala)."""
    for variant in JARS:
        subprocess.run(["make", "-s", f"package-{variant}", f"VENV={sys.prefix}"], cwd=PROJECT,
                       check=True)


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
