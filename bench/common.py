"""What every part of the benchmark shares: paths, the progress line, the harness's venvs."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
REQUIREMENTS = BENCH / "requirements.txt"
# kappa-local, the projects' local infrastructure (brokers, cluster), from the template itself.
LOCAL_INFRA = ROOT / "{{cookiecutter.project_slug}}" / "local"
RESULTS_ROOT = ROOT / "bench-results"
CACHE = RESULTS_ROOT / ".cache"  # built jars (by source hash), the Ivy home, the Flink jar
VENVS = ROOT / ".cache" / "venvs"
SLUG = "kappa-app"
PACKAGE = "kappa_app"
BUSY = 0.3  # cores used by other processes above which a measurement counts as disturbed
T0 = time.monotonic()


def show(path: Path) -> str:
    """A path relative to the repository when inside it."""
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def say(message: str) -> None:
    elapsed = int(time.monotonic() - T0)
    print(f"[{elapsed // 60:3d}:{elapsed % 60:02d}] {message}", flush=True)


def pinned(requirements: Path, name: str) -> str:
    for line in requirements.read_text().splitlines():
        if line.startswith(f"{name}=="):
            return line.split("==", 1)[1].strip()
    raise SystemExit(f"ERROR: {requirements} does not pin {name}")


def venv_python(requirements: Path, name: str, package: str, *editable: Path) -> Path:
    """The python of .cache/venvs/<name>-<package's pin>, created or updated from
    ``requirements`` (and the ``editable`` projects) when that file changed since the last
    install."""
    venv = VENVS / f"{name}-{pinned(requirements, package)}"
    python = venv / "bin" / "python"
    stamp = venv / ".bench-requirements"
    wanted = hashlib.sha256(requirements.read_bytes() + str(editable).encode()).hexdigest()
    if not (stamp.is_file() and stamp.read_text() == wanted and python.exists()):
        say(f"setup: installing {show(requirements)} into {show(venv)} (first time ~1 min)")
        if not python.exists():
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet",
                        "--disable-pip-version-check", "-r", str(requirements),
                        *(arg for path in editable for arg in ("-e", str(path)))], check=True)
        stamp.write_text(wanted)
    return python


def ensure_venv(module: str) -> None:
    """Re-run ``module`` (python -m bench.<name>) in the harness's venv (pyspark, kappa-local,
    confluent-kafka, matplotlib), creating or updating it first."""
    python = venv_python(REQUIREMENTS, "bench-pyspark", "pyspark", LOCAL_INFRA)
    if Path(sys.prefix).resolve() != python.parent.parent.resolve():
        os.chdir(ROOT)
        os.execv(str(python), [str(python), "-m", module, *sys.argv[1:]])
