"""Rendering the template in a test as a user's command would: one fresh directory and
cookiecutter config per render (its replay file records the answers exactly as cookiecutter
passed them to the hooks), the hooks' own output captured, and the command line that
reproduces the render."""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import sys
import tempfile
from pathlib import Path
from types import SimpleNamespace
from unittest import mock

from cookiecutter.main import cookiecutter

from conftest import ROOT, load_hook
from formats import view

ANSWERS_FILE = load_hook("post_gen_project").ANSWERS_FILE


@contextlib.contextmanager
def captured_stdout():
    """What is written to file descriptor 1 (the hooks' output) while the block runs."""
    sys.stdout.flush()
    saved = os.dup(1)
    result = SimpleNamespace(text="")
    with tempfile.TemporaryFile() as sink:
        os.dup2(sink.fileno(), 1)
        try:
            yield result
        finally:
            sys.stdout.flush()
            os.dup2(saved, 1)
            os.close(saved)
            sink.seek(0)
            result.text = sink.read().decode("utf-8", "replace")


@contextlib.contextmanager
def generated(answers: dict):
    """Render in a fresh directory with its own cookiecutter config (replay file included, which
    records the answers exactly as cookiecutter passed them to the hooks)."""
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        out, replay = tmp / "out", tmp / "replay"
        out.mkdir()
        config = tmp / "config.yaml"
        config.write_text(f"cookiecutters_dir: {tmp / 'repos'}\nreplay_dir: {replay}\n")
        run = SimpleNamespace(out=out, project=None, error=None, stdout="", passed=None)
        with mock.patch.dict(os.environ, {"COOKIECUTTER_CONFIG": str(config)}), \
                captured_stdout() as stdout:
            try:
                run.project = Path(cookiecutter(str(ROOT), no_input=True, output_dir=str(out),
                                                extra_context=answers))
            except Exception as error:  # classified by the caller
                run.error = error
        run.stdout = stdout.text
        saved = list(replay.glob("*.json"))
        run.passed = json.loads(saved[0].read_text())["cookiecutter"] if saved else None
        yield run


def command_line(answers: dict) -> str:
    """The shell line that reproduces a render: bash $'...' quoting, byte by byte, for an
    argument that does not print as itself."""
    def quote(arg: str) -> str:
        if arg.isprintable():
            return shlex.quote(arg)
        try:
            data = arg.encode("utf-8", "surrogateescape")  # how Python decoded the bytes
        except UnicodeEncodeError:  # a surrogate only the Python API can pass
            data = arg.encode("utf-8", "surrogatepass")
        return "$'" + "".join(chr(b) if 0x20 <= b < 0x7f and b not in b"\\'" else f"\\x{b:02x}"
                              for b in data) + "'"

    args = ["cookiecutter", "--no-input", str(ROOT)] + [f"{k}={v}" for k, v in answers.items()]
    return " ".join(quote(arg) for arg in args)


def recorded(project: Path) -> dict:
    return json.loads((project / ANSWERS_FILE).read_text())["cookiecutter"]


def views(project: Path) -> dict[str, object]:
    """Relative path -> view for every file; a file that does not parse fails here, named."""
    found = {}
    for path in sorted(p for p in project.rglob("*") if p.is_file()):
        name = str(path.relative_to(project))
        try:
            found[name] = view(path)
        except Exception as error:
            raise AssertionError(f"{name} does not parse: {type(error).__name__}: {error}") \
                from None
    return found
