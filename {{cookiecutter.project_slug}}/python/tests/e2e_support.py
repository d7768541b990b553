"""What this project's end-to-end tests share: running the app as a user would (each run path
and variant, in its own process group), the records they send, and switching the project to one
of its examples. Brokers, the cluster, the App process runner and the produce/consume helpers
come from kappa-local (local/README.md); the fixtures are in conftest.py and kappa-local's
pytest plugin.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import uuid
from pathlib import Path
from typing import NamedTuple

from kappa_local.testing.apps import App

PROJECT = Path(__file__).resolve().parents[2]
N = int(os.environ.get("E2E_RECORDS", "2000"))
BIN = Path(sys.executable).parent
# The JVM variants present in this project (the template prunes the others).
JARS = {variant: PROJECT / variant / "target" / f"{{ cookiecutter.project_slug }}-{variant}.jar"
        for variant in ("java", "scala") if (PROJECT / variant / "pom.xml").exists()}
RUN_PATHS = ["python -m", "spark-submit", *JARS]

# Switching to an example the way the transform's comment tells users to: its line replaces the
# pass-through line, in the transform file of each variant.
TRANSFORM_FILES = {
    "python": "python/src/{{ cookiecutter.package_name }}/transform.py",
    "java": "java/src/main/java/{{ cookiecutter.__java_package_dir }}/Transform.java",
    "scala": "scala/src/main/scala/{{ cookiecutter.__java_package_dir }}/Transform.scala",
}
PASS_THROUGH = {"python": 'return records.select("key", "value", "headers")',
                "java": 'return records.select("key", "value", "headers");',
                "scala": 'records.select("key", "value", "headers")'}
EXAMPLES = {
    "validate_json": {"python": "return validate_json(records)",
                      "java": "return validateJson(records);", "scala": "validateJson(records)"},
    # The validating example through a plain select, which drops the source columns.
    "validate_json_select": {
        "python": 'return validate_json(records).select("key", "value", "headers", "error")',
        "java": 'return validateJson(records).select("key", "value", "headers", "error");',
        "scala": 'validateJson(records).select("key", "value", "headers", "error")'},
    "count_per_key_per_minute": {"python": "return count_per_key_per_minute(records)",
                                 "java": "return countPerKeyPerMinute(records);",
                                 "scala": "countPerKeyPerMinute(records)"},
}


class Topics(NamedTuple):
    source: str
    sink: str
    dead_letter: str

def start_app(apps, tmp_path, kafka, topics: Topics, run_path: str, checkpoint: Path,
              name: str, project: Path = PROJECT, master: str = "local[2]", *,
              secrets_from_files: bool = True, conf_dir: Path | None = None,
              **settings: str) -> App:
    """The app of `project` (this one, or a copy switched to an example) on `topics`, run as
    its user would: the broker's settings for the app (on a secured broker its secrets as
    KAFKA_OPTION_<NAME>_FILE paths, or as values if not ``secrets_from_files``), then
    ``settings`` on top."""
    # Kafka settings of the shell that runs the tests (say, exported for `make run`) stay out.
    inherited = {key: value for key, value in os.environ.items()
                 if not key.startswith(("KAFKA_OPTION_", "KAFKA_BROKERS"))}
    env = {**inherited, **kafka.app_env(from_files=secrets_from_files),
           "KAFKA_IN_TOPIC": topics.source, "KAFKA_OUT_TOPIC": topics.sink,
           "KAFKA_DLQ_TOPIC": topics.dead_letter, "CHECKPOINT_LOCATION": str(checkpoint),
           **settings, "SPARK_CONF_DIR": str(conf_dir or project / "conf"),
           "PYTHONUNBUFFERED": "1",
           "PYTHONPATH": str(project / "python" / "src"),  # ahead of the installed app
           "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}  # spark-submit finds pyspark
    if run_path == "python -m":
        command = [sys.executable, "-m", "{{ cookiecutter.package_name }}"]
    elif run_path == "spark-submit":
        command = [str(BIN / "spark-submit"), "--master", master,
                   "--py-files", str(package_zip(tmp_path, project)), "python/main.py"]
    else:  # a JVM variant's jar, through spark-submit
        command = [str(BIN / "spark-submit"), "--master", master,
                   "--class", "{{ cookiecutter.java_package }}.App", str(jar(project, run_path))]
    app = App(command, env, tmp_path / "logs" / name, cwd=project)
    apps.append(app)
    return app


def jar(project: Path, variant: str) -> Path:
    """The variant's jar in `project`, built first if it is not there (a project copy)."""
    built = project / JARS[variant].relative_to(PROJECT)
    if not built.exists():
        print(f"\n[setup] building {variant} in {project.name} (make package-{variant})",
              file=sys.__stdout__, flush=True)
        subprocess.run(["make", "-s", f"package-{variant}", f"VENV={sys.prefix}"], cwd=project,
                       check=True)
    return built


def package_zip(tmp_path: Path, project: Path = PROJECT) -> Path:
    target = tmp_path / "{{ cookiecutter.package_name }}.zip"
    if not target.exists():
        subprocess.run([sys.executable, "-m", "zipfile", "-c", str(target),
                        "{{ cookiecutter.package_name }}"], cwd=project / "python" / "src",
                       check=True)
    return target


def new_topics(kafka, test_name: str, partitions: int = 1) -> Topics:
    """Fresh input, output and dead-letter topics on a broker or a cluster; on a secured broker
    the app's user may read the input and write the other two, nothing else."""
    name = f"e2e-{re.sub(r'[^a-zA-Z0-9._-]+', '-', test_name[:40])}-{uuid.uuid4().hex[:6]}"
    fresh = Topics(f"{name}-in", f"{name}-out", f"{name}-dlq")
    kafka.create_topics(list(fresh), partitions=partitions)
    kafka.allow_app(reads=[fresh.source], writes=[fresh.sink, fresh.dead_letter])
    return fresh


def switch_to_example(example: str, copy: Path) -> Path:
    """A copy of this project switched to `example` as the transform's comment tells users: the
    example's line replaces the pass-through line, in every variant (start_app builds a JVM
    variant's jar when it first runs it)."""
    lines = {variant: EXAMPLES[example][variant] for variant in ("python", *JARS)}
    for variant, line in lines.items():
        text = (PROJECT / TRANSFORM_FILES[variant]).read_text(encoding="utf-8")
        offered = line.split(".select(")[0]  # an example's own line, as the comment offers it
        assert f"//   {offered}" in text or f"#   {offered}" in text, f"no comment offers {line}"
    return with_transform_lines(copy, lines)


def with_transform_lines(copy: Path, lines: dict[str, str]) -> Path:
    """A copy of this project (no build output) whose transform returns lines[variant] instead
    of passing records through, in each variant given."""
    shutil.copytree(PROJECT, copy, ignore=shutil.ignore_patterns(
        "target", "build", "checkpoints", ".pytest_cache", "__pycache__"))
    for variant, line in lines.items():
        path = copy / TRANSFORM_FILES[variant]
        text = path.read_text(encoding="utf-8")
        assert text.count(PASS_THROUGH[variant]) == 1, f"{path}: no pass-through line to replace"
        path.write_text(text.replace(PASS_THROUGH[variant], line), encoding="utf-8")
    return copy


def make_records(count: int, run: str) -> list[tuple]:
    """(key, value, headers) with every shape the contract covers; the seq header makes each
    record unique so duplicates can be counted."""
    records = []
    for i in range(count):
        shape = i % 6
        key = None if shape == 1 else f"key-{i % 97}".encode()
        value = {
            0: f"plain value {i}".encode(),
            1: f"null key {i}".encode(),
            2: f"Grüße, 世界 {i} 🚀".encode(),
            3: bytes([0xFF, 0xFE, 0x00, 0x80, i % 256]),
            4: b"",
            5: json.dumps({"id": i, "name": "Zoë"}).encode(),
        }[shape]
        headers = [("seq", f"{run}-{i}".encode()), ("shape", bytes([shape]))]
        if shape == 4:
            headers.append(("empty", b""))
        records.append((key, value, headers))
    return records


def make_json_records(count: int, run: str) -> list[tuple]:
    """(key, value, headers, error) for the validating example: JSON objects with a whole-number
    id, which it passes (error None), and every 10th a poison record of one of seven kinds,
    with the error the README says it gets. The seq header makes each record unique."""
    records = []
    for i in range(count):
        key = None if i % 7 == 1 else f"key-{i % 97}".encode()
        headers = [("seq", f"{run}-{i}".encode())] + ([("empty", b"")] if i % 5 == 0 else [])
        if i % 10 == 3:
            value, error = poison(i)
        else:
            value, error = json.dumps({"id": i, "name": "Zoë 世界 🚀", "run": run}).encode(), None
        records.append((key, value, headers, error))
    return records


def poison(i: int) -> tuple[bytes | None, str]:
    kinds = [
        (b'{"id": ' + str(i).encode() + b",", "value is not a JSON object"),  # cut short
        (json.dumps({"name": f"no id {i}"}).encode(), "id is missing"),
        (json.dumps({"id": f"id-{i}"}).encode(), "id is not a whole number"),
        (bytes([0xFF, 0xFE, 0x00, 0x80, i % 256]), "value is not a JSON object"),  # not UTF-8
        (b"", "value is not a JSON object"),
        (None, "value is null"),
        (json.dumps([i]).encode(), "value is not a JSON object"),
    ]
    return kinds[(i // 10) % len(kinds)]


def routed(records: list[tuple], landed: list[tuple], source: str) -> tuple[list, list]:
    """What the validating example must write, from the README's contract: good records
    unchanged for the output topic; poison ones for the dead-letter topic, their headers
    followed by the error and where they were read (as the broker reported on delivery)."""
    good, dead = [], []
    for (key, value, headers, error), (partition, offset, timestamp) in zip(records, landed,
                                                                            strict=True):
        if error is None:
            good.append((key, value, headers))
        else:
            dead.append((key, value, headers + [
                ("dead-letter.error", error.encode()),
                ("dead-letter.source.topic", source.encode()),
                ("dead-letter.source.partition", str(partition).encode()),
                ("dead-letter.source.offset", str(offset).encode()),
                ("dead-letter.source.timestamp", str(timestamp).encode())]))
    return good, dead


def report(name: str, **numbers) -> None:
    """Measured numbers on stdout (pytest -s) and in e2e-report.json for the README/notes."""
    line = json.dumps({"test": name, **numbers})
    print(f"\nE2E {line}", file=sys.__stdout__, flush=True)
    (PROJECT / "build").mkdir(exist_ok=True)
    with open(PROJECT / "build" / "e2e-report.jsonl", "a", encoding="utf-8") as out:
        out.write(line + "\n")
