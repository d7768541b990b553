"""Rendered projects pass their own checks with real pyspark: ruff, unit tests and contract
vectors for the newest 3.x and 4.x lines, the 3.x one without a dead-letter topic, the 4.x one
with its package named `cluster` (the name of a module of the old local tooling)."""

import re

import pytest

from conftest import NEWEST_3X, NEWEST_4X, make, pyspark_venv, render, tail

pytestmark = pytest.mark.slow

# The newest 3.x line renders with dlq_topic empty (no dead-letter topic), the 4.x one with it.
LINES = [pytest.param(NEWEST_3X, "", id=f"{NEWEST_3X}-no-dead-letter-topic"),
         pytest.param(NEWEST_4X, "orders-dlq", id=NEWEST_4X)]
PACKAGES = {NEWEST_3X: "orders_stream", NEWEST_4X: "cluster"}


@pytest.mark.parametrize("spark_version, dlq_topic", LINES)
def test_rendered_python_project_passes_ruff_and_its_unit_tests(tmp_path, spark_version,
                                                                 dlq_topic):
    project = render(tmp_path, spark_version=spark_version, project_name="Orders Stream",
                     package_name=PACKAGES[spark_version], dlq_topic=dlq_topic)

    result = make(project, "lint", "test-unit", venv=pyspark_venv(spark_version))

    assert result.returncode == 0, tail(result)
    assert "All checks passed!" in result.stdout
    passed = re.search(r"(\d+) passed", result.stdout)
    assert passed and int(passed[1]) >= 20, tail(result)
    assert "failed" not in result.stdout.splitlines()[-1]


@pytest.mark.parametrize("spark_version, dlq_topic", LINES)
def test_java_and_scala_variants_build_and_pass_mvn_verify(tmp_path, spark_version, dlq_topic):
    project = render(tmp_path, spark_version=spark_version, include_java="yes",
                     include_scala="yes", dlq_topic=dlq_topic)

    result = make(project, "test-java", "test-scala", venv=pyspark_venv(spark_version))

    assert result.returncode == 0, tail(result)
    for variant in ("java", "scala"):
        reports = list((project / variant / "target" / "surefire-reports").glob("*.txt"))
        summary = " ".join(r.read_text() for r in reports)
        assert reports and "FAILURE" not in summary, summary[-2000:]
        assert (project / variant / "target" / f"kappa-app-{variant}.jar").is_file()
