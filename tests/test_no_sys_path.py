"""No code edits sys.path, in the template repository or in a project rendered with every option:
modules import each other as packages (kappa-local, bench, python/tests)."""

import re
from pathlib import Path

from conftest import ROOT, render

SYS_PATH_EDIT = re.compile(
    r"sys\.path\s*(\.(insert|append|extend|remove|pop|clear)\b|\[[^]]*\]\s*=[^=]|\+=|=[^=])")
SKIPPED = {".git", ".venv", ".cache", "bench-results", "demo", "node_modules"}


def python_files(root: Path):
    for path in root.rglob("*.py"):
        # This file names the edits it looks for: it is the one place they may appear.
        if not SKIPPED & set(path.relative_to(root).parts) and path != Path(__file__):
            yield path


def edits(root: Path) -> list[str]:
    return [f"{path.relative_to(root)}:{number}: {line.strip()}"
            for path in python_files(root)
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
            if SYS_PATH_EDIT.search(line)]


def test_the_pattern_finds_the_edits_it_is_for():
    edited = ("sys.path.insert(0, x)", "sys.path[:0] = dirs", "sys.path += [d]",
              "sys.path.append(d)", "sys.path = [d]")
    read = ("print(sys.path)", "if sys.path == old:", "first = sys.path[0]")
    assert all(SYS_PATH_EDIT.search(line) for line in edited)
    assert not any(SYS_PATH_EDIT.search(line) for line in read)


def test_the_template_repository_edits_no_sys_path():
    assert list(python_files(ROOT)) and edits(ROOT) == []


def test_a_project_with_every_option_edits_no_sys_path(tmp_path):
    project = render(tmp_path, include_java="yes", include_scala="yes", local_cluster="yes")

    assert len(list(python_files(project))) > 20 and edits(project) == []
