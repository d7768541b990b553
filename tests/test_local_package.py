"""kappa-local, the projects' local-infrastructure package (local/): a rendered project carries
it byte for byte, and its own tests pass in the project's venv, console commands included."""

import filecmp
import subprocess

import pytest

from conftest import DEFAULT_SPARK, FIRST_HALF, ROOT, make, pyspark_venv, tail

LOCAL = ROOT / "{{cookiecutter.project_slug}}" / "local"


def same_tree(a, b) -> bool:
    compared = filecmp.dircmp(a, b, ignore=["__pycache__", ".pytest_cache", ".ruff_cache",
                                            "kappa_local.egg-info"])
    return (not compared.left_only and not compared.right_only and not compared.diff_files
            and all(same_tree(a / name, b / name) for name in compared.common_dirs))


def test_a_project_carries_kappa_local_unrendered(default_project):
    assert same_tree(LOCAL, default_project / "local")


@pytest.mark.slow
@FIRST_HALF
def test_kappa_local_passes_its_own_tests_in_the_projects_venv(default_project):
    venv = pyspark_venv(DEFAULT_SPARK)
    installed = make(default_project, "install", venv=venv)
    assert installed.returncode == 0, tail(installed)

    result = subprocess.run([str(venv / "bin" / "python"), "-m", "pytest", "-q", "local/tests"],
                            cwd=default_project, capture_output=True, text=True, timeout=1800)

    assert result.returncode == 0, tail(result)
    assert " passed" in result.stdout and "skipped" not in result.stdout
