"""Any package name the hook accepts gives a project whose tests can import it. The names that
could clash are the top-level modules the generated project itself has; they are derived here
from a project rendered with every option, not kept by hand, and each must be refused by the
hook with its one ERROR line (or render and pass: tests/test_generated_project.py renders one
project as `cluster`, the name of the old cluster tooling, and runs its unit tests)."""

from pathlib import Path

import pytest

from conftest import render, render_cli

PROBE = "zz_probe"  # the probe render's own package: the one top-level name it may have


def top_level_modules(project: Path) -> set[str]:
    """The name each .py file is imported under where its folder is on sys.path: its topmost
    enclosing package (a folder with __init__.py), or the module itself."""
    names = set()
    for path in project.rglob("*.py"):
        top = path
        while (top.parent / "__init__.py").is_file():
            top = top.parent
        names.add(top.stem if top.suffix == ".py" else top.name)
    return names


@pytest.fixture(scope="module")
def project_modules(tmp_path_factory) -> set[str]:
    project = render(tmp_path_factory.mktemp("names"), package_name=PROBE, include_java="yes",
                     include_scala="yes", local_cluster="yes")
    return top_level_modules(project) - {PROBE}


def test_the_project_has_top_level_modules_besides_the_app(project_modules):
    assert {"tests", "kappa_local", "main"} <= project_modules


def test_every_top_level_module_name_of_the_project_is_refused_as_the_package(project_modules,
                                                                            tmp_path):
    for name in sorted(project_modules):
        out = tmp_path / name
        out.mkdir()
        result = render_cli(out, f"package_name={name}")

        first = (result.stdout + result.stderr).splitlines()[0]
        assert result.returncode != 0, f"package_name={name} rendered"
        assert first == (f"ERROR: package_name={name}: must not be a Python keyword or shadow a "
                         "module the app imports; e.g. kappa_app"), first
        assert list(out.iterdir()) == []
