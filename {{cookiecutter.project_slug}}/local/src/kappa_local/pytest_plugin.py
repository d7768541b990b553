"""pytest fixtures for end-to-end tests on the local infrastructure (registered through the
``pytest11`` entry point, so installing kappa-local is enough): real brokers on free ports,
a local cluster, and the app processes a test starts. Each broker and cluster is started once
per session, on first use, and stopped afterwards, whatever the tests did to it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from . import broker, cluster
from .testing.apps import START_TIMEOUT, App

BIN = Path(sys.executable).parent  # the console commands of this venv


def _broker(tmp_path_factory, name: str, security: str = "plaintext"):
    return broker.start(tmp_path_factory.mktemp(name), port=0, security=security,
                        timeout=START_TIMEOUT)


@pytest.fixture(scope="session")
def kafka(tmp_path_factory):
    """A plaintext single-node broker (a :class:`kappa_local.broker.Broker`)."""
    with _broker(tmp_path_factory, "kafka") as running:
        yield running


@pytest.fixture(scope="session")
def sasl_kafka(tmp_path_factory):
    """A broker secured like production ones: SASL_SSL (SCRAM-SHA-512) and ACLs; the app's user
    may use only the topics given to ``allow_app``."""
    with _broker(tmp_path_factory, "kafka-sasl", "sasl_ssl") as running:
        yield running


@pytest.fixture(scope="session")
def mtls_kafka(tmp_path_factory):
    """A broker that wants a client certificate (mutual TLS), with ACLs."""
    with _broker(tmp_path_factory, "kafka-mtls", "ssl") as running:
        yield running


@pytest.fixture(scope="session")
def local_cluster(tmp_path_factory):
    """A Spark standalone Master with 2 Workers and 3 Kafka nodes (a
    :class:`kappa_local.cluster.Cluster`), started and stopped by the ``cluster-up`` and
    ``cluster-down`` commands on free ports; afterwards no JVM may be left in its directory."""
    run_dir = tmp_path_factory.mktemp("cluster")
    up = subprocess.run([str(BIN / "cluster-up"), "--dir", str(run_dir), "--kafka-port", "0",
                         "--spark-port", "0", "--spark-webui-port", "0", "--topics", "",
                         "--timeout", str(START_TIMEOUT)], capture_output=True, text=True)
    try:
        assert up.returncode == 0, up.stdout + up.stderr
        yield cluster.Cluster.load(run_dir)
    finally:
        down = subprocess.run([str(BIN / "cluster-down"), "--dir", str(run_dir)],
                              capture_output=True, text=True)
        assert down.returncode == 0, down.stdout + down.stderr
        if (run_dir / cluster.LAYOUT_FILE).is_file():
            left = cluster.Cluster.load(run_dir).leftover_jvms()
            assert not left, f"cluster-down left JVMs running: {left}"
        shutil.rmtree(run_dir, ignore_errors=True)


@pytest.fixture
def apps():
    """A list for every :class:`kappa_local.testing.apps.App` a test starts; each is killed
    (its whole process group) when the test ends, passed or failed."""
    started: list[App] = []
    yield started
    for app in started:
        app.kill()
