"""What the end-to-end tests share: running the app as a user would (each run path and
variant, in its own process group), producing and consuming records on the real broker, and
checking that nothing was lost. The fixtures (broker, topics, jars, app cleanup) are in
conftest.py; the tests are in test_e2e*.py.

Deadlines are generous on purpose: every wait returns as soon as its condition holds, so a quiet
machine never waits them out, and a loaded one (CI on 2 busy cores) has room.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
N = int(os.environ.get("E2E_RECORDS", "2000"))
BIN = Path(sys.executable).parent
# The JVM variants present in this project (the template prunes the others).
JARS = {variant: PROJECT / variant / "target" / f"{{ cookiecutter.project_slug }}-{variant}.jar"
        for variant in ("java", "scala") if (PROJECT / variant / "pom.xml").exists()}
RUN_PATHS = ["python -m", "spark-submit", *JARS]
START_TIMEOUT = 600  # the first run resolves the connector from Maven Central
CONSUME_TIMEOUT = 600
STOP_TIMEOUT = 300

class App:
    """One run of the app in its own process group, logs in files for diagnostics."""

    def __init__(self, command: list[str], env: dict[str, str], log_dir: Path):
        self.stdout_path, self.stderr_path = log_dir / "stdout.log", log_dir / "stderr.log"
        log_dir.mkdir(parents=True, exist_ok=True)
        with open(self.stdout_path, "wb") as out, open(self.stderr_path, "wb") as err:
            self.process = subprocess.Popen(command, cwd=PROJECT, env=env, stdout=out,
                                            stderr=err, start_new_session=True)

    def events(self) -> list[dict]:
        text = self.stdout_path.read_text(encoding="utf-8", errors="replace")
        complete = text[:text.rfind("\n") + 1]  # the app may be writing the last line now
        return [json.loads(line) for line in complete.splitlines() if line.startswith("{")]

    def wait_for_event(self, name: str, timeout: float = START_TIMEOUT, **fields) -> dict:
        """The first `name` event whose fields match (a callable tests a field's value).

        Listener events are asynchronous: a progress line may be printed after the records it
        reports have already reached a consumer, so tests wait for it instead of asserting."""

        def matches(event: dict) -> bool:
            return event["event"] == name and all(
                test(event.get(key)) if callable(test) else event.get(key) == test
                for key, test in fields.items())

        deadline = time.monotonic() + timeout
        while True:
            found = [e for e in self.events() if matches(e)]
            if found:
                return found[0]
            if self.process.poll() is not None or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        # One last look: the app may have printed the line just before it exited.
        found = [e for e in self.events() if matches(e)]
        if found:
            return found[0]
        raise AssertionError(f"no '{name}' event with {fields} within {timeout:.0f}s "
                             f"(exit {self.process.poll()});\n{self.logs()}")

    def terminate(self, sig: int, timeout: float = STOP_TIMEOUT) -> int:
        """Signal the whole process group, as a terminal (Ctrl-C) or a container stop does."""
        os.killpg(self.process.pid, sig)
        return self.process.wait(timeout)

    def assert_stopped_cleanly(self, exit_code: int) -> None:
        events = [e["event"] for e in self.events()]
        assert exit_code == 0, self.logs()
        assert "stopping" in events and events[-1] == "stopped", events
        assert "Traceback" not in self.stderr_path.read_text(errors="replace")
        assert "\n\tat " not in self.stderr_path.read_text(errors="replace")  # no JVM trace

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(STOP_TIMEOUT)

    def logs(self) -> str:
        tail = self.stderr_path.read_text(errors="replace").splitlines()[-30:]
        return self.stdout_path.read_text(errors="replace") + "\n".join(tail)


def start_app(apps, tmp_path, kafka, topics, run_path: str, checkpoint: Path, name: str, *,
              secrets_from_files: bool = True, conf_dir: Path = PROJECT / "conf",
              **settings: str) -> App:
    """Run the app on ``kafka`` as its user would: the broker's settings for the app (on a
    secured broker its secrets as KAFKA_OPTION_<NAME>_FILE paths, or as values if not
    ``secrets_from_files``), then ``settings`` on top."""
    source, sink = topics
    # Kafka settings of the shell that runs the tests (say, exported for `make run`) stay out.
    inherited = {key: value for key, value in os.environ.items()
                 if not key.startswith(("KAFKA_OPTION_", "KAFKA_BROKERS"))}
    env = {**inherited, **kafka.app_env(from_files=secrets_from_files), "KAFKA_IN_TOPIC": source,
           "KAFKA_OUT_TOPIC": sink, "CHECKPOINT_LOCATION": str(checkpoint), **settings,
           "SPARK_CONF_DIR": str(conf_dir), "PYTHONUNBUFFERED": "1",
           "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}  # spark-submit finds pyspark
    if run_path == "python -m":
        command = [sys.executable, "-m", "{{ cookiecutter.package_name }}"]
    elif run_path == "spark-submit":
        command = [str(BIN / "spark-submit"), "--master", "local[2]",
                   "--py-files", str(package_zip(tmp_path)), "python/main.py"]
    else:  # a JVM variant's jar, through spark-submit
        command = [str(BIN / "spark-submit"), "--master", "local[2]",
                   "--class", "{{ cookiecutter.java_package }}.App", str(JARS[run_path])]
    app = App(command, env, tmp_path / "logs" / name)
    apps.append(app)
    return app


def package_zip(tmp_path: Path) -> Path:
    target = tmp_path / "{{ cookiecutter.package_name }}.zip"
    if not target.exists():
        subprocess.run([sys.executable, "-m", "zipfile", "-c", str(target),
                        "{{ cookiecutter.package_name }}"], cwd=PROJECT / "python" / "src",
                       check=True)
    return target


def new_topics(kafka, test_name: str) -> tuple[str, str]:
    """A fresh (input, output) topic pair; on a secured broker the app's user may read the
    input and write the output, nothing else."""
    name = f"e2e-{re.sub(r'[^a-zA-Z0-9._-]+', '-', test_name[:40])}-{uuid.uuid4().hex[:6]}"
    source, sink = f"{name}-in", f"{name}-out"
    kafka.create_topics([source, sink], partitions=1)
    kafka.allow_app(reads=[source], writes=[sink])
    return source, sink


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


def produce(kafka, topic: str, records: list[tuple], rate: float | None = None) -> None:
    from confluent_kafka import Producer

    producer = Producer({**kafka.client_config, "linger.ms": 5})
    for i, (key, value, headers) in enumerate(records):
        producer.produce(topic, key=key, value=value, headers=headers)
        producer.poll(0)
        if rate and i % 50 == 0:
            time.sleep(50 / rate)
    assert producer.flush(CONSUME_TIMEOUT) == 0, "the producer could not deliver every record"


@contextlib.contextmanager
def reading(kafka, topic: str):
    """A consumer of the whole topic, from its first record, in a group of its own."""
    from confluent_kafka import Consumer

    consumer = Consumer({**kafka.client_config, "group.id": uuid.uuid4().hex,
                         "auto.offset.reset": "earliest", "enable.auto.commit": False})
    consumer.subscribe([topic])
    try:
        yield consumer
    finally:
        consumer.close()


def consume_until(kafka, topic: str, expected: list[tuple], timeout=CONSUME_TIMEOUT) -> list:
    """Everything on the topic until every expected record has arrived (or the timeout)."""
    wanted, seen = Counter(map(freeze, expected)), []
    deadline = time.monotonic() + timeout
    with reading(kafka, topic) as consumer:
        while time.monotonic() < deadline and +(wanted - Counter(seen)):
            for message in consumer.consume(num_messages=1000, timeout=1.0):
                assert message.error() is None, message.error()
                seen.append(freeze((message.key(), message.value(), message.headers() or [])))
        # Extra copies still in flight right after the last expected record are counted too
        # (this only affects the reported duplicates, never whether the test passes).
        for message in consumer.consume(num_messages=10000, timeout=2.0):
            seen.append(freeze((message.key(), message.value(), message.headers() or [])))
    return seen


def freeze(record) -> tuple:
    key, value, headers = record
    return key, value, tuple((name, bytes(v) if v is not None else None) for name, v in headers)


def assert_nothing_lost(expected: list[tuple], seen: list[tuple]) -> int:
    """Every expected record arrived byte for byte; returns how many extra copies arrived."""
    missing = Counter(map(freeze, expected)) - Counter(seen)
    assert not missing, f"{sum(missing.values())} records lost, e.g. {next(iter(missing))}"
    unexpected = set(seen) - set(map(freeze, expected))
    assert not unexpected, f"records that were never produced: {list(unexpected)[:3]}"
    return len(seen) - len(expected)


def report(name: str, **numbers) -> None:
    """Measured numbers on stdout (pytest -s) and in e2e-report.json for the README/notes."""
    line = json.dumps({"test": name, **numbers})
    print(f"\nE2E {line}", file=sys.__stdout__, flush=True)
    (PROJECT / "build").mkdir(exist_ok=True)
    with open(PROJECT / "build" / "e2e-report.jsonl", "a", encoding="utf-8") as out:
        out.write(line + "\n")


def wait_until_some_output(kafka, topic: str, timeout: float = START_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    with reading(kafka, topic) as consumer:
        while time.monotonic() < deadline:
            if consumer.consume(num_messages=1, timeout=1.0):
                return
    raise AssertionError(f"no output on {topic} within {timeout}s")
