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


def venv_python(requirements: Path, name: str, package: str) -> Path:
    """The python of .cache/venvs/<name>-<package's pin>, created or updated from
    ``requirements`` when that file changed since the last install."""
    venv = VENVS / f"{name}-{pinned(requirements, package)}"
    python = venv / "bin" / "python"
    stamp = venv / ".bench-requirements"
    wanted = hashlib.sha256(requirements.read_bytes()).hexdigest()
    if not (stamp.is_file() and stamp.read_text() == wanted and python.exists()):
        say(f"setup: installing {show(requirements)} into {show(venv)} (first time ~1 min)")
        if not python.exists():
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet",
                        "--disable-pip-version-check", "-r", str(requirements)], check=True)
        stamp.write_text(wanted)
    return python


def ensure_venv(script: Path) -> None:
    """Re-run ``script`` in the harness's venv (pyspark, confluent-kafka, matplotlib), creating
    or updating it first."""
    python = venv_python(REQUIREMENTS, "bench-pyspark", "pyspark")
    if Path(sys.prefix).resolve() != python.parent.parent.resolve():
        os.execv(str(python), [str(python), str(script.resolve()), *sys.argv[1:]])
