"""Template updates with cruft, on real git repos: a project generated at template commit A and
then edited by its users takes template commit B (a fixed generated file and a newer Spark)
with `cruft update`. The template is a throw-away git copy of this working tree, so the tests
never depend on this repository's own git state."""

import json
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from test_render import expected_versions, version_mentions

from conftest import DEFAULT_SPARK, ROOT, SECOND_HALF, make, pyspark_venv, tail

CRUFT = Path(sys.executable).parent / "cruft"
GIT = ["git", "-c", "user.name=Template Tests", "-c", "user.email=tests@example.invalid",
       "-c", "commit.gpgsign=false"]
TEMPLATE_DIR = "{{cookiecutter.project_slug}}"
# A offers one supported line, B the newest; 4.1 is left out on purpose (it may be withdrawn).
OLD_SPARK, NEW_SPARK = "4.0.0", "4.2.0"
# B's fix to a generated file: appended to conf/spark-defaults.conf.
TEMPLATE_FIX = "\n# Event times in UTC on every machine.\nspark.sql.session.timeZone       UTC\n"
CONFLICT_MARKERS = ("<<<<<<<", ">>>>>>>")


def git(repo: Path, *args: str) -> str:
    return subprocess.run([*GIT, *args], cwd=repo, check=True, capture_output=True, text=True,
                          timeout=120).stdout


def commit_all(repo: Path, message: str) -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD").strip()


def cruft(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    assert CRUFT.is_file(), f"{CRUFT} missing: `make venv` installs tests/requirements.txt"
    return subprocess.run([str(CRUFT), *args], cwd=cwd, capture_output=True, text=True,
                          timeout=600)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{path}: {old!r} not found"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def template_at_a(where: Path) -> Path:
    """Commit A: this template as it is on disk, offering Spark OLD_SPARK by default."""
    repo = where / "cookiecutter-spark-kafka"
    repo.mkdir()
    shutil.copy2(ROOT / "cookiecutter.json", repo)
    for name in ("hooks", TEMPLATE_DIR):
        shutil.copytree(ROOT / name, repo / name, ignore=shutil.ignore_patterns("__pycache__"))
    edit(repo / "cookiecutter.json", f'"spark_version": "{DEFAULT_SPARK}"',
         f'"spark_version": "{OLD_SPARK}"')
    git(repo, "init", "-q", "-b", "main")
    commit_all(repo, "A")
    return repo


def template_commit_b(repo: Path) -> str:
    """Commit B: a fix to a generated file, and the newer Spark offered by default."""
    edit(repo / "cookiecutter.json", f'"spark_version": "{OLD_SPARK}"',
         f'"spark_version": "{NEW_SPARK}"')
    conf = repo / TEMPLATE_DIR / "conf" / "spark-defaults.conf"
    conf.write_text(conf.read_text() + TEMPLATE_FIX)
    return commit_all(repo, "B")


def generate(template: Path, where: Path) -> Path:
    """`cruft create` with the defaults, committed to a new git repo as users do."""
    result = cruft("create", str(template), "--no-input", "--output-dir", str(where), cwd=where)
    assert result.returncode == 0, result.stdout + result.stderr
    project = where / "kappa-app"
    git(project, "init", "-q", "-b", "main")
    commit_all(project, "Generated from the template")
    return project


def edit_like_a_user(project: Path) -> None:
    """Change the transform and its contract, add a test, change a setting default."""
    python = project / "python"
    edit(python / "src" / "kappa_app" / "transform.py",
         '    return records.select("key", "value", "headers")',
         "    # Tombstones (null values) are deletes upstream: nothing to forward.\n"
         '    return records.where(records.value.isNotNull()).select("key", "value", "headers")')
    vectors_file = project / "contract" / "vectors.json"
    vectors = json.loads(vectors_file.read_text())
    vectors["cases"] = [c for c in vectors["cases"] if c["input"]["value"] is not None]
    vectors_file.write_text(json.dumps(vectors, indent=2) + "\n")
    (python / "tests" / "test_tombstones.py").write_text(
        "from kappa_app.transform import transform\n\nfrom .records import source_frame\n\n\n"
        "def test_tombstones_are_dropped(spark):\n"
        '    records = [{"key": b"k", "value": None, "headers": None},\n'
        '               {"key": b"k", "value": b"v", "headers": None}]\n\n'
        "    rows = transform(source_frame(spark, records)).collect()\n\n"
        '    assert [bytes(row["value"]) for row in rows] == [b"v"]\n')
    edit(python / "src" / "kappa_app" / "config.py", '"STARTING_OFFSETS", "earliest"',
         '"STARTING_OFFSETS", "latest"')
    edit(python / "tests" / "test_config.py", 'starting_offsets == "earliest"',
         'starting_offsets == "latest"')
    commit_all(project, "Our transform drops tombstones; start from the latest offsets")


def files_with_markers(project: Path) -> list[str]:
    found = []
    for path in project.rglob("*"):
        if path.is_file() and ".git" not in path.relative_to(project).parts:
            text = path.read_text(encoding="utf-8", errors="replace")
            if any(line.startswith(CONFLICT_MARKERS) for line in text.splitlines()):
                found.append(str(path.relative_to(project)))
    return found


@pytest.fixture(scope="module")
def updated(tmp_path_factory):
    """A user-edited project generated at A, updated to B with the Spark bump."""
    where = tmp_path_factory.mktemp("update")
    template = template_at_a(where)
    project = generate(template, where)
    edit_like_a_user(project)
    commit_b = template_commit_b(template)
    check_before = cruft("check", cwd=project)

    result = cruft("update", "-y", "--variables-to-update",
                   json.dumps({"spark_version": NEW_SPARK}), cwd=project)

    return SimpleNamespace(project=project, commit_b=commit_b, result=result,
                           check_before=check_before)


def test_update_keeps_the_users_edits_and_takes_the_template_fix(updated):
    project, result = updated.project, updated.result
    python = project / "python"

    assert updated.check_before.returncode != 0  # cruft check saw the template move on
    assert result.returncode == 0, result.stdout + result.stderr
    assert "records.value.isNotNull()" in (python / "src/kappa_app/transform.py").read_text()
    assert (python / "tests" / "test_tombstones.py").is_file()
    assert '"STARTING_OFFSETS", "latest"' in (python / "src/kappa_app/config.py").read_text()
    assert "tombstone" not in (project / "contract" / "vectors.json").read_text()
    assert (project / "conf" / "spark-defaults.conf").read_text().endswith(TEMPLATE_FIX)

    assert git(project, "ls-files", "-u") == ""
    assert files_with_markers(project) == []
    recorded = json.loads((project / ".cruft.json").read_text())
    assert recorded["commit"] == updated.commit_b
    assert recorded["context"]["cookiecutter"]["spark_version"] == NEW_SPARK
    assert cruft("check", cwd=project).returncode == 0


def test_update_moves_the_connector_and_pyspark_pins_together(updated):
    expected = expected_versions(NEW_SPARK)
    mentions = list(version_mentions(updated.project))

    assert [m for m in mentions if m[2] != expected[m[1]]] == []
    places = {str(name) for name, _, _ in mentions}
    assert {"conf/spark-defaults.conf", "python/pyproject.toml", "README.md"} <= places
    answers = json.loads((updated.project / ".cookiecutter.json").read_text())["cookiecutter"]
    assert answers["spark_version"] == NEW_SPARK


@pytest.mark.slow
@SECOND_HALF
def test_updated_project_passes_its_unit_tests_with_the_new_pyspark(updated):
    result = make(updated.project, "test-unit", venv=pyspark_venv(NEW_SPARK))

    assert result.returncode == 0, tail(result)
    assert " passed" in result.stdout and "failed" not in result.stdout, tail(result)
    # pytest's own record of what it collected: the users' added test ran too.
    ran = (updated.project / "python" / ".pytest_cache" / "v" / "cache" / "nodeids").read_text()
    assert "tests/test_tombstones.py::test_tombstones_are_dropped" in ran


def test_conflicting_edit_stops_make_update_with_one_line_and_can_be_resolved(tmp_path):
    template = template_at_a(tmp_path)
    project = generate(template, tmp_path)
    conf = project / "conf" / "spark-defaults.conf"
    edit(conf, "spark.ui.showConsoleProgress     false", "spark.ui.showConsoleProgress     true")
    commit_all(project, "We like the console progress bar")
    template_commit_b(template)

    update = subprocess.run(["make", "--no-print-directory", "update", f"spark_version={NEW_SPARK}",
                             f"CRUFT={CRUFT}"], cwd=project, capture_output=True, text=True,
                            timeout=600)

    assert update.returncode != 0
    assert update.stdout.splitlines()[-1] == (
        "update: ERROR: conflicts to resolve in: conf/spark-defaults.conf (edit out the "
        "<<<<<<< ======= >>>>>>> blocks, git add, then make update-check)"), update.stdout
    assert git(project, "ls-files", "-u").split()[-1] == "conf/spark-defaults.conf"
    assert files_with_markers(project) == ["conf/spark-defaults.conf"]

    # As the README says: keep what you need from both sides, drop the markers, git add.
    kept = [line for line in conf.read_text().splitlines()
            if not line.startswith((*CONFLICT_MARKERS, "======="))
            and line != "spark.ui.showConsoleProgress     false"]
    conf.write_text("\n".join(kept) + "\n")
    git(project, "add", "conf/spark-defaults.conf")
    check = subprocess.run(["make", "--no-print-directory", "update-check"], cwd=project,
                           capture_output=True, text=True, timeout=120)

    assert check.returncode == 0, check.stdout + check.stderr
    text = conf.read_text()
    assert "spark.ui.showConsoleProgress     true" in text and TEMPLATE_FIX.strip() in text
    assert f"spark-sql-kafka-0-10_2.13:{NEW_SPARK}" in text


def test_a_plain_cookiecutter_project_linked_with_cruft_takes_the_update(tmp_path):
    template = template_at_a(tmp_path)
    made = subprocess.run([sys.executable, "-m", "cookiecutter", "--no-input", "-o", str(tmp_path),
                           str(template), "project_name=Fraud Scorer", "input_topic=payments"],
                          capture_output=True, text=True, timeout=300)
    assert made.returncode == 0, made.stdout + made.stderr
    project = tmp_path / "fraud-scorer"
    git(project, "init", "-q", "-b", "main")
    commit_all(project, "Generated with plain cookiecutter")

    # As the root README says: link with the answers the project recorded.
    answers = json.loads((project / ".cookiecutter.json").read_text())["cookiecutter"]
    linked = cruft("link", str(template), "--no-input", "--extra-context", json.dumps(answers),
                   cwd=project)
    assert linked.returncode == 0, linked.stdout + linked.stderr
    assert cruft("diff", "--exit-code", cwd=project).returncode == 0  # linked at the right commit
    commit_all(project, "Linked to the template with cruft")
    template_commit_b(template)

    update = subprocess.run(["make", "--no-print-directory", "update", f"spark_version={NEW_SPARK}",
                             f"CRUFT={CRUFT}"], cwd=project, capture_output=True, text=True,
                            timeout=600)

    assert update.returncode == 0, update.stdout + update.stderr
    assert update.stdout.splitlines()[-1].startswith("update: no conflicts left")
    conf = (project / "conf" / "spark-defaults.conf").read_text()
    assert f"spark-sql-kafka-0-10_2.13:{NEW_SPARK}" in conf and conf.endswith(TEMPLATE_FIX)
    config = (project / "python" / "src" / "fraud_scorer" / "config.py").read_text()
    assert '"KAFKA_IN_TOPIC", "payments"' in config
