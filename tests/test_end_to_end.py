"""The default project's own end-to-end tests against a real local Kafka broker, and the
README's demo. Real broker (Maven Central jars), real Spark, nothing mocked."""

import json
import os
import subprocess
import sys

import pytest

from conftest import DEFAULT_SPARK, ROOT, make, pyspark_venv, render, tail

pytestmark = pytest.mark.e2e


def test_default_project_with_every_variant_passes_its_end_to_end_tests(tmp_path, no_orphans):
    """Default answers plus the Java and Scala variants, so the parity run covers all three."""
    project = render(tmp_path, include_java="yes", include_scala="yes")

    result = make(project, "e2e", venv=pyspark_venv(DEFAULT_SPARK),
                  env={"E2E_RECORDS": os.environ.get("E2E_RECORDS", "2000")})

    assert result.returncode == 0, tail(result)
    assert "7 passed" in result.stdout, tail(result)
    report = [json.loads(line) for line in
              (project / "build" / "e2e-report.jsonl").read_text().splitlines()]
    print("\n" + "\n".join(json.dumps(row) for row in report))
    assert {row["test"] for row in report} == {
        "byte-for-byte via python -m", "byte-for-byte via spark-submit", "byte-for-byte via java",
        "byte-for-byte via scala", "parity", "restart after Ctrl-C",
        "restart after SIGKILL mid-stream"}
    [parity] = [row for row in report if row["test"] == "parity"]
    assert parity["run_paths"] == ["python -m", "spark-submit", "java", "scala"]


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
