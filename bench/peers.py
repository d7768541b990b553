"""Peers a user would pick instead of the generated app, on the same broker and data: (d) a
Quix Streams app and (e) a PyFlink SQL job. Each runs in its own venv (its pins clash with
pyspark's: py4j, confluent-kafka), made from bench/peer_apps/requirements-*.txt."""

from __future__ import annotations

import os
import subprocess
import uuid
from pathlib import Path

from .children import Proc
from .common import BENCH, CACHE, say, venv_python
from .contenders import Contender

APPS = BENCH / "peer_apps"
# Flink's Kafka SQL connector for the Flink 2.2 line (apache-flink 2.2.x on PyPI).
FLINK_CONNECTOR = "org.apache.flink:flink-sql-connector-kafka:5.0.0-2.2"


def python_for(peer: str) -> Path:
    package = {"quix": "quixstreams", "flink": "apache-flink"}[peer]
    return venv_python(APPS / f"requirements-{peer}.txt", f"bench-{peer}", package)


def flink_connector_jar() -> Path:
    """The connector jar, copied from the local Maven repository (Maven resolves it from
    Maven Central the first time)."""
    group, artifact, version = FLINK_CONNECTOR.split(":")
    folder = CACHE / "flink"
    jar = folder / f"{artifact}-{version}.jar"
    if not jar.is_file():
        say(f"setup: mvn dependency:copy {FLINK_CONNECTOR}")
        done = subprocess.run(["mvn", "-q", "-B", "dependency:copy",
                               f"-Dartifact={FLINK_CONNECTOR}", f"-DoutputDirectory={folder}"],
                              capture_output=True, text=True)
        if done.returncode != 0 or not jar.is_file():
            raise RuntimeError(f"could not fetch {FLINK_CONNECTOR} from Maven Central: "
                               f"{(done.stdout + done.stderr).strip()[-300:]}")
    return jar


def prepare(peers: list[str]) -> dict[str, str]:
    """Create the peers' venvs and fetch Flink's connector; returns peer -> why not, for the
    peers that cannot run."""
    failed = {}
    for peer in peers:
        try:
            python_for(peer)
            if peer == "flink":
                flink_connector_jar()
        except (subprocess.CalledProcessError, RuntimeError, OSError) as error:
            failed[peer] = str(error)
    return failed


def start(c: Contender, bootstrap: str, in_topic: str, out_topic: str, work: Path,
          logs: Path, name: str, bounded: bool) -> Proc:
    env = dict(os.environ, KAFKA_BROKERS=bootstrap, KAFKA_IN_TOPIC=in_topic,
               KAFKA_OUT_TOPIC=out_topic, CONSUMER_GROUP=f"bench-{c.key}-{uuid.uuid4().hex}",
               STATE_DIR=str(work / "state" / name), PYTHONUNBUFFERED="1")
    if c.variant == "flink":
        env.update(FLINK_CONNECTOR_JAR=str(flink_connector_jar()), PARALLELISM="2",
                   BOUNDED="1" if bounded else "0")
    script = APPS / ("flink_job.py" if c.variant == "flink" else "quix_app.py")
    return Proc(name, [str(python_for(c.variant)), str(script)], env, work, logs)


def versions() -> dict:
    found = {}
    for peer, package in (("quix", "quixstreams"), ("flink", "apache-flink")):
        done = subprocess.run([str(python_for(peer)), "-m", "pip", "show", package],
                              capture_output=True, text=True)
        version = next((line.split(":", 1)[1].strip() for line in done.stdout.splitlines()
                        if line.startswith("Version:")), "?")
        found[package] = version
    found["flink_connector"] = FLINK_CONNECTOR
    return found
