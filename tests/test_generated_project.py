"""Rendered projects pass their own checks with real pyspark: ruff, unit tests and contract
vectors for the newest 3.x and 4.x lines, the 3.x one without a dead-letter topic, the 4.x one
with its package named `cluster` (the name of a module of the old local tooling)."""

import difflib
import re

import pytest

from conftest import FIRST_HALF, NEWEST_3X, NEWEST_4X, SECOND_HALF, make, pyspark_venv, render, tail

pytestmark = pytest.mark.slow

# The newest 3.x line renders with dlq_topic empty (no dead-letter topic), the 4.x one with it.
LINES = [pytest.param(NEWEST_3X, "", id=f"{NEWEST_3X}-no-dead-letter-topic", marks=SECOND_HALF),
         pytest.param(NEWEST_4X, "orders-dlq", id=NEWEST_4X, marks=FIRST_HALF)]
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


@FIRST_HALF
def test_changing_the_transform_is_one_make_vectors_away_from_green(tmp_path):
    """The edit loop, as a user does it: change transform(), see the contract test name the
    cases and point at `make vectors`, run it, and the unit tests pass; the vectors file
    changes by one line per changed value."""
    project = render(tmp_path)
    venv = pyspark_venv(NEWEST_4X)
    transform = project / "python" / "src" / "kappa_app" / "transform.py"
    vectors = project / "contract" / "vectors.json"
    before = vectors.read_text(encoding="utf-8")
    transform.write_text(transform.read_text(encoding="utf-8").replace(
        'return records.select("key", "value", "headers")',
        'return records.select("key", F.upper(F.col("value").cast("string")).alias("value"), '
        '"headers")'), encoding="utf-8")

    stale = make(project, "test-unit", venv=venv)
    regenerated = make(project, "vectors", venv=venv)
    after = vectors.read_text(encoding="utf-8")
    green = make(project, "test-unit", venv=venv)

    assert stale.returncode != 0
    assert "case 'ascii key and value': the output differs from contract/vectors.json; if the " \
           "transform changed on purpose, run `make vectors`" in stale.stdout, tail(stale)
    assert regenerated.returncode == 0, tail(regenerated)
    assert "expected outputs changed for" in regenerated.stdout
    assert '"value": "HELLO"' in after and '"value": "hello"' in after  # output, input
    changed = [line for line in difflib.unified_diff(before.splitlines(), after.splitlines(),
                                                      lineterm="", n=0)
               if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    # Only values change (a non-UTF-8 value that became text loses its {"base64": ...} braces).
    assert changed and all(re.fullmatch(r'[+-]\s*("(value|base64)": .*|[{}],?)', line)
                           for line in changed), changed
    assert green.returncode == 0, tail(green)
    again = make(project, "vectors", venv=venv)
    assert "is up to date" in again.stdout and vectors.read_text(encoding="utf-8") == after
