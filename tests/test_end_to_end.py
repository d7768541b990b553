"""Rendered projects' own end-to-end tests against a real local Kafka broker, on every offered
Spark line, on a local cluster with nodes killed, and the README's demo. Real broker (Maven
Central jars), real Spark, nothing mocked.

A line is offered only if it is proven here: the version table (`_spark_lines`) drives both
this file and tests/test_registries.py."""

import json
import os
import subprocess
import sys

import pytest

from conftest import (
    DEFAULT_SPARK,
    FIRST_HALF,
    ROOT,
    SECOND_HALF,
    SPARK_LINES,
    make,
    pyspark_venv,
    render,
    tail,
)

pytestmark = pytest.mark.e2e

E2E_RECORDS = {"E2E_RECORDS": os.environ.get("E2E_RECORDS", "2000")}
OTHER_LINES = [pytest.param(row["verified"], row["scala_binary"], id=line, marks=SECOND_HALF)
               for line, row in SPARK_LINES.items() if row["verified"] != DEFAULT_SPARK]


def e2e_report(project) -> list[dict]:
    rows = [json.loads(line) for line in
            (project / "build" / "e2e-report.jsonl").read_text().splitlines()]
    print("\n" + "\n".join(json.dumps(row) for row in rows))
    return rows


def per_run_path(test: str, run_paths: list[str]) -> set[str]:
    return {f"{test} via {run_path}" for run_path in run_paths}


@FIRST_HALF
def test_default_project_with_every_variant_passes_its_end_to_end_tests(tmp_path, no_orphans):
    """Default answers plus the Java and Scala variants, so the parity run covers all three;
    on a plaintext broker and on secured ones (SASL_SSL with ACLs, mutual TLS)."""
    project = render(tmp_path, include_java="yes", include_scala="yes")

    result = make(project, "e2e", venv=pyspark_venv(DEFAULT_SPARK), env=E2E_RECORDS)

    assert result.returncode == 0, tail(result)
    assert "25 passed" in result.stdout, tail(result)
    report = e2e_report(project)
    every_path = ["python -m", "spark-submit", "java", "scala"]
    assert {row["test"] for row in report} == {
        "parity", "restart after Ctrl-C", *per_run_path("byte-for-byte", every_path),
        *per_run_path("dead letters and SIGKILL", every_path),
        *per_run_path("windowed counts", every_path), *per_run_path("SASL_SSL", every_path),
        *per_run_path("dead letters without source columns", ["python -m", "java", "scala"]),
        "mutual TLS via python -m", "wrong password via python -m", "wrong password via java"}
    secured = [row for row in report if row["test"].startswith(("SASL_SSL", "mutual TLS"))]
    assert all(row["records"] == int(E2E_RECORDS["E2E_RECORDS"]) for row in secured), secured
    [parity] = [row for row in report if row["test"] == "parity"]
    assert parity["run_paths"] == every_path


@SECOND_HALF
def test_default_project_loses_nothing_when_cluster_nodes_die_mid_stream(tmp_path, no_orphans):
    """make e2e-cluster: a Spark standalone Master with 2 Workers and 3 Kafka nodes; the Python
    app and the Java variant each lose a partition leader, an executor and a Worker mid-stream."""
    project = render(tmp_path, include_java="yes", local_cluster="yes")

    result = make(project, "e2e-cluster", venv=pyspark_venv(DEFAULT_SPARK))

    assert result.returncode == 0, tail(result)
    assert "4 passed" in result.stdout, tail(result)
    rows = {row["test"]: row for row in e2e_report(project)}
    assert set(rows) == {"cluster faults via spark-submit", "cluster faults via java"}
    for row in rows.values():
        assert row["acked"] > 0 and row["records_out"] >= row["acked"], row
        assert set(row["seconds_to_new_output_after_kill"]) == {
            "broker", "broker_partition_0", "executor", "worker"}, row


@pytest.mark.parametrize("spark_version, scala_binary", OTHER_LINES)
def test_every_offered_spark_line_survives_a_crash_end_to_end(tmp_path, no_orphans,
                                                              spark_version, scala_binary):
    """The smaller set on each other line: byte for byte, a Ctrl-C restart, and the dead-letter
    topic through a SIGKILL and restart, for Python and one JVM variant (Scala where its binary
    differs from the default line's); the stateful example's restored counts from Python (the
    RocksDB state store on this line); on SASL_SSL, Python moves records (secrets from files,
    leak scan) and fails cleanly on a wrong password."""
    default_binary = SPARK_LINES[DEFAULT_SPARK.rpartition(".")[0]]["scala_binary"]
    jvm = "scala" if scala_binary != default_binary else "java"
    project = render(tmp_path, spark_version=spark_version, **{f"include_{jvm}": "yes"})

    # Parity, the spark-submit run path, the stateful example on the JVM, the one-line stops for
    # a misfit config, mutual TLS and the JVM variants on a secured broker are the default line's.
    default_line_only = ["byte_identical", "spark", "without_a_dead_letter_topic", "output_mode",
                         "drops_the_source_columns",
                         "without_a_value_column", f"(windowed and {jvm})", "mutual",
                         "(security and (java or scala))"]
    result = make(project, "e2e", "PYTEST_ARGS=-k '" + " and ".join(
        f"not {name}" for name in default_line_only) + "'",
                  venv=pyspark_venv(spark_version), env=E2E_RECORDS)

    assert result.returncode == 0, tail(result)
    assert "8 passed" in result.stdout, tail(result)
    assert {row["test"] for row in e2e_report(project)} == {
        "restart after Ctrl-C", "windowed counts via python -m",
        *per_run_path("byte-for-byte", ["python -m", jvm]),
        *per_run_path("dead letters and SIGKILL", ["python -m", jvm]),
        "SASL_SSL via python -m", "wrong password via python -m"}


def test_every_offered_line_records_the_tests_that_proved_it():
    here = {name for name in globals() if name.startswith("test_")}
    for line, row in SPARK_LINES.items():
        proven = row["proven"]
        assert proven["on"] and proven["by"], line
        for test in proven["by"]:
            path, _, name = test.partition("::")
            assert (ROOT / path).is_file(), (line, test)
            assert not name or path != "tests/test_end_to_end.py" or name in here, (line, test)


@SECOND_HALF
def test_make_demo_shows_messages_flowing_and_cleans_up(tmp_path, no_orphans):
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "demo.py")],
                            env={**os.environ, "DEMO_DIR": str(tmp_path / "demo")},
                            capture_output=True, text=True, timeout=2400)

    assert result.returncode == 0, tail(result)
    received = [line for line in result.stdout.splitlines() if "received <-" in line]
    assert len(received) == 5, tail(result)
    assert 'value="Grüße aus Köln, 你好, 🚀"' in result.stdout
    assert "value=0xdeadbeef00ff" in result.stdout
    assert "Demo complete" in result.stdout
