"""Every generated project ships .github/workflows/ci.yml: for every supported combination it
renders with GitHub's own expressions intact, has one job per variant present, calls only make
targets the project has, and passes actionlint (built from its Go module, pinned, cached)."""

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
import yaml
from test_render import COMBINATIONS

from conftest import ROOT, render

ACTIONLINT_VERSION = "v1.7.12"
ACTIONLINT_MODULE = "github.com/rhysd/actionlint/cmd/actionlint"
ACTIONLINT = ROOT / ".cache" / f"actionlint-{ACTIONLINT_VERSION}" / "actionlint"
MAKE_TARGETS = re.compile(r"^make ((?:[a-z0-9-]+ ?)+)$")


def go_module_proxies(go: str) -> str:
    """The configured Go module proxies without the 'direct' fallback: modules come from a
    proxy only, never straight from a version-control host."""
    configured = subprocess.run([go, "env", "GOPROXY"], capture_output=True, text=True,
                                check=True).stdout.strip()
    proxies = [p for p in re.split(r"[,|]", configured) if p not in ("", "direct", "off")]
    if not proxies:
        pytest.fail(f"actionlint: GOPROXY={configured!r} names no Go module proxy to build "
                    f"actionlint {ACTIONLINT_VERSION} from", pytrace=False)
    return ",".join(proxies)


@pytest.fixture(scope="session")
def actionlint() -> Path:
    """actionlint at the pinned version, built once with `go install` into .cache/."""
    if not ACTIONLINT.is_file():
        go = shutil.which("go")
        if go is None:
            pytest.fail(f"actionlint: `go` is not on PATH; it is needed to build actionlint "
                        f"{ACTIONLINT_VERSION} (go install {ACTIONLINT_MODULE})", pytrace=False)
        ACTIONLINT.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=ACTIONLINT.parent) as bin_dir:
            env = {**os.environ, "GOBIN": bin_dir, "GOPROXY": go_module_proxies(go),
                   "GONOPROXY": "", "GOPRIVATE": "", "GOFLAGS": "-buildvcs=false",
                   "GOTOOLCHAIN": "local"}
            built = subprocess.run([go, "install", f"{ACTIONLINT_MODULE}@{ACTIONLINT_VERSION}"],
                                   env=env, capture_output=True, text=True, timeout=1800)
            if built.returncode != 0:
                pytest.fail(f"actionlint {ACTIONLINT_VERSION} could not be built with go install "
                            f"from the Go module proxy:\n{built.stderr[-3000:]}", pytrace=False)
            os.replace(Path(bin_dir) / "actionlint", ACTIONLINT)
    version = subprocess.run([str(ACTIONLINT), "-version"], capture_output=True, text=True)
    assert version.stdout.splitlines()[0] == ACTIONLINT_VERSION, version.stdout
    return ACTIONLINT


def lint(actionlint: Path, workflow: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(actionlint), "-no-color", "-oneline", str(workflow)],
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("spark_version, java, scala", COMBINATIONS)
def test_workflow_has_a_job_per_variant_and_passes_actionlint(tmp_path, actionlint,
                                                             spark_version, java, scala):
    project = render(tmp_path, spark_version=spark_version, include_java=java,
                     include_scala=scala)
    workflow = project / ".github" / "workflows" / "ci.yml"
    text = workflow.read_text()
    jobs = yaml.safe_load(text)["jobs"]

    expected = {"python", "template"} | {v for v, on in (("java", java), ("scala", scala))
                                         if on == "yes"}
    assert set(jobs) == expected
    assert "${{ github.ref }}" in text and f'SPARK_PIN: "{spark_version}"' in text
    ivy = "~/.ivy2" if spark_version.startswith("3.") else "~/.ivy2.5.2"
    cached = jobs["python"]["steps"][3]["with"]["path"].split()
    assert ivy in cached and "~/.cache/kappa-local" in cached  # Spark's and kappa-local's jars
    assert ("cache" in jobs["python"]["steps"][1]["with"]) == (java == "yes" or scala == "yes")
    commands = [step["run"] for job in jobs.values() for step in job["steps"] if "run" in step]
    targets = [t for c in commands if (m := MAKE_TARGETS.match(c)) for t in m[1].split()]
    assert {"lint", "test-unit", "e2e"} <= set(targets)
    dry_run = subprocess.run(["make", "-n", *targets], cwd=project, capture_output=True,
                             text=True, timeout=120)  # prints the recipes, runs nothing
    assert dry_run.returncode == 0, dry_run.stderr
    assert any("cruft check" in c for c in jobs["template"]["steps"][-1]["run"].splitlines())

    result = lint(actionlint, workflow)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_catches_a_broken_workflow(tmp_path, actionlint, default_project):
    broken = tmp_path / "ci.yml"
    text = (default_project / ".github" / "workflows" / "ci.yml").read_text()
    broken.write_text(text.replace("pull_request:", "pul_request:"))

    result = lint(actionlint, broken)

    assert result.returncode == 1
    assert "pul_request" in result.stdout
