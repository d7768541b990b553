"""Rendered projects pass their own checks with real pyspark: ruff, unit tests and contract
vectors for the newest 3.x and 4.x lines."""

import re
import subprocess

import pytest
from conftest import NEWEST_3X, NEWEST_4X, pyspark_venv, render

pytestmark = pytest.mark.slow


def make(project, *targets, venv, timeout=1200):
    """Run the generated project's own Makefile; returns the completed process."""
    return subprocess.run(["make", *targets, f"VENV={venv}"], cwd=project, capture_output=True,
                          text=True, timeout=timeout)


def tail(result, lines=40):
    return "\n".join((result.stdout + result.stderr).splitlines()[-lines:])


@pytest.mark.parametrize("spark_version", [NEWEST_3X, NEWEST_4X])
def test_rendered_python_project_passes_ruff_and_its_unit_tests(tmp_path, spark_version):
    project = render(tmp_path, spark_version=spark_version, project_name="Orders Stream")

    result = make(project, "lint", "test-unit", venv=pyspark_venv(spark_version))

    assert result.returncode == 0, tail(result)
    assert "All checks passed!" in result.stdout
    passed = re.search(r"(\d+) passed", result.stdout)
    assert passed and int(passed[1]) >= 20, tail(result)
    assert "failed" not in result.stdout.splitlines()[-1]
