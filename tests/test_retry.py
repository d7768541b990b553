"""A rejected answer ends with a retry line: how to run again from the answers cookiecutter
saved, with only the bad one fixed. Tried the way a new user meets it: every prompt answered
in a real terminal (pexpect), then the hint followed to the letter."""

import importlib
import json
import os
import re
import shlex
import sys
from pathlib import Path

import cookiecutter.config
import pexpect
import pytest

from conftest import ROOT, TEMPLATE_JSON, load_hook

pre = load_hook("pre_gen_project")

PROMPT_END = re.compile(r"\)(\x1b\[[0-9;]*m)?: ")  # "...(default): ", colours or not
HINT = re.compile(r'Retry with your other answers kept: set "(?P<field>\w+)" to a valid value '
                  r"\(e\.g\. (?P<example>[^)]+)\) in (?P<file>\S+), then run: (?P<command>.+)")
TIMEOUT = 300  # generous: the machine may be busy


@pytest.fixture
def user(tmp_path, monkeypatch):
    """A user with an empty home, working in their own directory (cookiecutter on PATH)."""
    home, work = tmp_path / "home", tmp_path / "work"
    home.mkdir()
    work.mkdir()
    for name in ("COOKIECUTTER_CONFIG", "NO_COLOR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("PWD", str(work))
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.chdir(work)
    # cookiecutter's config module reads the home directory at import, as it does in the hook's
    # fresh process: import it again for this user, and again for the real one afterwards.
    importlib.reload(cookiecutter.config)
    yield work
    monkeypatch.undo()
    importlib.reload(cookiecutter.config)


def answers(**changes):
    """The context a hook sees, as cookiecutter renders it, with some answers changed."""
    context = {key: value for key, value in TEMPLATE_JSON.items() if not key.startswith("__")}
    context.update(project_slug="kappa-app", package_name="kappa_app",
                   java_package="com.example.kappaapp", dlq_topic="topic2-dlq",
                   _template="gh:me/tpl",
                   _repo_dir="/cache/cookiecutter-spark-kafka", _output_dir=os.getcwd(),
                   _checkout=None)
    context.update(changes)
    return context


def save_replay(directory: Path, context: dict) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "cookiecutter-spark-kafka.json"
    path.write_text(json.dumps({"cookiecutter": context}))
    return path


def hint_for(context: dict) -> str:
    with pytest.raises(pre.InputError) as error:
        pre.validate(context)
    return pre.retry_hint(error.value, context)


def test_hint_names_the_saved_file_in_the_default_replay_dir(user):
    context = answers(spark_version="5.0.0")
    saved = save_replay(user.parent / "home" / ".cookiecutter_replay", context)

    assert hint_for(context) == (
        'Retry with your other answers kept: set "spark_version" to a valid value (e.g. 4.2.0) '
        f"in {saved}, then run: cookiecutter --replay-file {saved} gh:me/tpl")


def test_hint_follows_the_replay_dir_of_the_user_config(user, monkeypatch):
    context = answers(input_topic="a b", _output_dir="/elsewhere", _checkout="v2")
    (user / "config.yaml").write_text("default_context: {}\nreplay_dir: '~/answers' # mine\n")
    monkeypatch.setenv("COOKIECUTTER_CONFIG", "config.yaml")  # relative to where it was run
    saved = save_replay(user.parent / "home" / "answers", context)

    assert hint_for(context).endswith(f"in {saved}, then run: cookiecutter --replay-file {saved} "
                                      "gh:me/tpl -o /elsewhere --checkout v2")


@pytest.mark.parametrize("why", ["no replay file (cruft)", "other answers saved", "bad config"])
def test_without_the_saved_answers_the_hint_passes_the_value_on_the_command_line(
        user, monkeypatch, why):
    context = answers(spark_version="5.0.0")
    if why == "other answers saved":
        save_replay(user.parent / "home" / ".cookiecutter_replay", answers(author="Someone"))
    if why == "bad config":
        monkeypatch.setenv("COOKIECUTTER_CONFIG", "/nonexistent.yaml")

    assert hint_for(context) == ("Retry: pass the fixed answer on the command line, "
                                 "e.g. cookiecutter gh:me/tpl spark_version=4.2.0")


def test_hint_suggests_a_value_not_the_prose_around_it(user):
    context = answers(spark_version="4.1.1")  # refused: "e.g. 4.2.0 instead"

    assert hint_for(context).endswith(" spark_version=4.2.0")


def spawn(*args: str, cwd: Path) -> pexpect.spawn:
    # A wide terminal, so no prompt is wrapped across lines (COLUMNS too: under pytest-xdist
    # it is set for the worker, and rich, cookiecutter's prompt library, prefers it).
    return pexpect.spawn("cookiecutter", list(args), cwd=str(cwd),
                         env=dict(os.environ, COLUMNS="400"), encoding="utf-8",
                         timeout=TIMEOUT, dimensions=(50, 400))


def test_interactive_bad_answer_shows_error_and_hint_and_the_hint_works(user):
    typed = {"project_name": "Zoë's Stream", "spark_version": "5.0.0", "input_topic": "payments"}
    session = spawn(str(ROOT), cwd=user)
    for field, prompt in TEMPLATE_JSON["__prompts__"].items():
        session.expect_exact(prompt)
        session.expect(PROMPT_END)
        session.sendline(typed.get(field, ""))  # Enter: keep the default
    session.expect(pexpect.EOF)
    session.close()
    lines = [line.strip() for line in session.before.splitlines()]

    assert session.exitstatus != 0
    error = next(i for i, line in enumerate(lines) if line.startswith("ERROR:"))
    assert lines[error].startswith("ERROR: spark_version=5.0.0: Spark 5.0 is not supported;")
    hint = HINT.fullmatch(lines[error + 1])
    assert hint, lines[error:error + 3]
    assert list(user.iterdir()) == []

    # Exactly as the hint says: fix that one answer in the saved file, run the command.
    saved = Path(hint["file"])
    replay = json.loads(saved.read_text(encoding="utf-8"))
    replay["cookiecutter"][hint["field"]] = hint["example"]
    saved.write_text(json.dumps(replay), encoding="utf-8")
    command = shlex.split(hint["command"])
    assert command[0] == "cookiecutter"
    retry = spawn(*command[1:], cwd=user)
    retry.expect(pexpect.EOF)
    retry.close()

    assert retry.exitstatus == 0, retry.before
    project = user / "zoes-stream"
    recorded = json.loads((project / ".cookiecutter.json").read_text())["cookiecutter"]
    assert recorded["project_name"] == "Zoë's Stream"
    assert (recorded["spark_version"], recorded["input_topic"]) == ("4.2.0", "payments")
    assert (project / "python" / "src" / "zoes_stream").is_dir()


def test_hint_finds_answers_where_a_user_config_puts_them(user, monkeypatch):
    """The hook asks cookiecutter's config API, from the directory cookiecutter started in."""
    (user.parent / "cc.yaml").write_text('replay_dir: "$HOME/replays"\n')
    monkeypatch.setenv("COOKIECUTTER_CONFIG", "../cc.yaml")
    session = spawn("--no-input", str(ROOT), "output_topic=topic1", cwd=user)
    session.expect(pexpect.EOF)
    session.close()

    hint = HINT.search(session.before)
    assert hint and hint["field"] == "output_topic", session.before
    assert Path(hint["file"]) == user.parent / "home" / "replays" / f"{ROOT.name}.json"
    assert Path(hint["file"]).is_file()
