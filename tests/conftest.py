"""Shared fixtures: the template, its version table, rendering, and cached pyspark venvs."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cookiecutter.main import cookiecutter

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE_JSON = json.loads((ROOT / "cookiecutter.json").read_text())
SPARK_LINES = TEMPLATE_JSON["_spark_lines"]
VERIFIED_VERSIONS = [row["verified"] for row in SPARK_LINES.values()]
DEFAULT_SPARK = TEMPLATE_JSON["spark_version"]


def _newest(major: str) -> str:
    versions = [v for v in VERIFIED_VERSIONS if v.startswith(major + ".")]
    return max(versions, key=lambda v: tuple(int(part) for part in v.split(".")))


NEWEST_3X, NEWEST_4X = _newest("3"), _newest("4")
VENVS = ROOT / ".cache" / "venvs"
# `make test` runs two pytest-xdist workers, each a group of the slow tests (xdist_group "a" or
# "b"), balanced by their measured durations; see the Makefile.
FIRST_HALF, SECOND_HALF = pytest.mark.xdist_group("a"), pytest.mark.xdist_group("b")


def load_hook(name: str):
    """A hook module imported from hooks/ as plain Python (its Jinja context is never read)."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "hooks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def render(output_dir: Path, **answers) -> Path:
    """Render the template without prompts; returns the generated project's directory."""
    return Path(cookiecutter(str(ROOT), no_input=True, output_dir=str(output_dir),
                             extra_context=answers))


def render_cli(output_dir: Path, *answers: str) -> subprocess.CompletedProcess:
    """Render through the cookiecutter command line, as a user or a CI script would."""
    return subprocess.run(
        [sys.executable, "-m", "cookiecutter", "--no-input", "-o", str(output_dir), str(ROOT),
         *answers],
        capture_output=True, text=True, timeout=600,
    )


def pyspark_venv(spark_version: str) -> Path:
    """A venv with pyspark==spark_version and the generated project's dev tools, made once
    and reused between runs (.cache/ is git-ignored). Each pytest-xdist worker past the first
    has venvs of its own: `make install` points a venv's editable installs at one project."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    venv = VENVS / f"pyspark-{spark_version}{'' if worker == 'gw0' else '-' + worker}"
    ready = venv / ".ready"
    if not ready.exists():
        print(f"\n[setup] creating {venv.relative_to(ROOT)} (pyspark is ~450 MB: about a minute "
              "the first time)", file=sys.stderr, flush=True)
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet",
                        "--disable-pip-version-check", f"pyspark=={spark_version}",
                        "pytest>=8", "ruff>=0.6", "confluent-kafka>=2.4", "zstandard>=0.22"],
                       check=True)
        ready.touch()
    return venv


def make(project: Path, *targets: str, venv: Path, timeout: float = 3600,
         env: dict | None = None) -> subprocess.CompletedProcess:
    """Run the generated project's own Makefile with the given venv.

    The venv is shared between rendered projects, so its install stamp is dropped first:
    `make install` then points the editable install at this project, not an older render."""
    (venv / ".installed").unlink(missing_ok=True)
    return subprocess.run(["make", "--no-print-directory", *targets, f"VENV={venv}"],
                          cwd=project, capture_output=True, text=True, timeout=timeout,
                          env=None if env is None else {**os.environ, **env})


def tail(result: subprocess.CompletedProcess, lines: int = 60) -> str:
    return "\n".join((result.stdout + result.stderr).splitlines()[-lines:])


SPARK_OR_KAFKA = re.compile(r"kafka\.Kafka|org\.apache\.spark\.deploy\.SparkSubmit|pyspark")


def spark_and_kafka_processes(under: Path) -> dict[int, str]:
    """pid -> command line of every broker or Spark process whose command line or working
    directory lies under `under` (so processes of unrelated runs on the machine are ignored)."""
    found = {}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            cwd = os.readlink(proc / "cwd")
        except OSError:
            continue
        if SPARK_OR_KAFKA.search(cmdline) and (str(under) in cmdline or cwd.startswith(str(under))):
            found[int(proc.name)] = cmdline
    return found


def assert_none_left_under(path: Path) -> None:
    """Fails if a broker or Spark process of `path` is still running once the ones being
    stopped have had time to exit."""
    deadline = time.monotonic() + 180  # processes being stopped may take a while on a busy host
    while (left := spark_and_kafka_processes(path)) and time.monotonic() < deadline:
        time.sleep(1)
    assert not left, "processes left running: " + "; ".join(c[:160] for c in left.values())


@pytest.fixture
def no_orphans(tmp_path):
    """Fails the test if it leaves a broker or Spark process of its own running."""
    yield
    assert_none_left_under(tmp_path)


@pytest.fixture(scope="session")
def default_project(tmp_path_factory) -> Path:
    return render(tmp_path_factory.mktemp("default"))
