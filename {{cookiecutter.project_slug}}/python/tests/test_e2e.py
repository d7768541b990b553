"""End to end: the app on a real local Kafka broker, through both run paths.

Records with keys and headers, non-ASCII text, bytes that are not UTF-8, empty values and null
keys cross a real broker and must come out byte for byte. Stopping, restarting from the
checkpoint and a SIGKILL mid-stream must lose nothing; the Kafka sink is at-least-once, so
duplicates are counted and reported, not forbidden. E2E_RECORDS sets N (default 2000).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(PROJECT / "kafka"))
import broker as local_kafka  # noqa: E402  (kafka/broker.py: the project's own broker runner)

pytestmark = pytest.mark.e2e

N = int(os.environ.get("E2E_RECORDS", "2000"))
BIN = Path(sys.executable).parent
# The JVM variants present in this project (the template prunes the others).
JARS = {variant: PROJECT / variant / "target" / f"{{ cookiecutter.project_slug }}-{variant}.jar"
        for variant in ("java", "scala") if (PROJECT / variant / "pom.xml").exists()}
RUN_PATHS = ["python -m", "spark-submit", *JARS]
# Deadlines are generous on purpose: every wait below returns as soon as its condition holds,
# so a quiet machine never waits them out, and a loaded one (CI on 2 busy cores) has room.
START_TIMEOUT = 600  # the first run resolves the connector from Maven Central
CONSUME_TIMEOUT = 600
STOP_TIMEOUT = 300


@pytest.fixture(scope="module")
def kafka(tmp_path_factory):
    """A real single-node broker on free ports, stopped (whole process group) afterwards."""
    with local_kafka.start(tmp_path_factory.mktemp("kafka"), port=0,
                           timeout=START_TIMEOUT) as running:
        yield running


@pytest.fixture(scope="module", autouse=True)
def jars():
    """Build the jar of every JVM variant once (make package-java / package-scala)."""
    for variant in JARS:
        subprocess.run(["make", "-s", f"package-{variant}", f"VENV={sys.prefix}"], cwd=PROJECT,
                       check=True)


@pytest.fixture
def topics(kafka, request):
    name = f"e2e-{request.node.name[:40].replace('[', '-').strip(']')}-{uuid.uuid4().hex[:6]}"
    source, sink = f"{name}-in", f"{name}-out"
    kafka.create_topics([source, sink], partitions=1)
    return source, sink


@pytest.fixture
def apps():
    """Every app process a test starts; all are killed (process group) even if it fails."""
    started: list[App] = []
    yield started
    for app in started:
        app.kill()


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


def start_app(apps, tmp_path, kafka, topics, run_path: str, checkpoint: Path, name: str,
              **settings: str) -> App:
    source, sink = topics
    env = dict(os.environ, KAFKA_BROKERS=kafka.bootstrap, KAFKA_IN_TOPIC=source,
               KAFKA_OUT_TOPIC=sink, CHECKPOINT_LOCATION=str(checkpoint), **settings,
               SPARK_CONF_DIR=str(PROJECT / "conf"), PYTHONUNBUFFERED="1",
               PATH=f"{BIN}{os.pathsep}{os.environ['PATH']}")  # spark-submit finds pyspark
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

    producer = Producer({"bootstrap.servers": kafka.bootstrap, "linger.ms": 5})
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

    consumer = Consumer({"bootstrap.servers": kafka.bootstrap, "group.id": uuid.uuid4().hex,
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
    with open(PROJECT / "build" / "e2e-report.jsonl", "a", encoding="utf-8") as out:
        out.write(line + "\n")


@pytest.fixture(autouse=True)
def _build_dir():
    (PROJECT / "build").mkdir(exist_ok=True)


@pytest.mark.parametrize("run_path", RUN_PATHS)
def test_every_record_crosses_the_broker_byte_for_byte(apps, tmp_path, kafka, topics, run_path):
    source, sink = topics
    records = make_records(N, "a")
    started = time.monotonic()
    app = start_app(apps, tmp_path, kafka, topics, run_path, tmp_path / "checkpoint", "run")

    produce(kafka, source, records)
    seen = consume_until(kafka, sink, records)

    duplicates = assert_nothing_lost(records, seen)
    app.wait_for_event("progress", input_rows=lambda rows: rows > 0)
    app.assert_stopped_cleanly(app.terminate(signal.SIGTERM))
    report(f"byte-for-byte via {run_path}", records=N, duplicates=duplicates,
           seconds=round(time.monotonic() - started, 1))


def test_every_variant_writes_byte_identical_records(apps, tmp_path, kafka, topics):
    """The same input through each run path and language, catching up with available-now."""
    source, _ = topics
    records = make_records(N, "parity")
    produce(kafka, source, records)
    outputs = {}
    for run_path in RUN_PATHS:
        sink = f"{source}-{run_path.replace(' ', '').replace('-', '')}-out"
        kafka.create_topics([sink])
        app = start_app(apps, tmp_path, kafka, (source, sink), run_path,
                        tmp_path / f"checkpoint-{len(outputs)}", f"parity-{len(outputs)}",
                        TRIGGER="available-now")
        assert app.process.wait(START_TIMEOUT) == 0, app.logs()  # available-now stops by itself
        outputs[run_path] = consume_until(kafka, sink, records)

    produced = [freeze(record) for record in records]
    for run_path, output in outputs.items():
        assert output == produced, f"{run_path} output differs from the input records"
    report("parity", run_paths=list(outputs), records=N, identical=True)


def test_ctrl_c_stops_cleanly_and_restart_resumes_from_the_checkpoint(apps, tmp_path, kafka,
                                                                       topics):
    source, sink = topics
    checkpoint = tmp_path / "checkpoint"
    first, second = make_records(N, "before-stop"), make_records(N, "while-stopped")

    app = start_app(apps, tmp_path, kafka, topics, "python -m", checkpoint, "first")
    produce(kafka, source, first)
    consume_until(kafka, sink, first)
    app.assert_stopped_cleanly(app.terminate(signal.SIGINT))  # Ctrl-C

    produce(kafka, source, second)  # the app is down: these wait in the input topic
    start_app(apps, tmp_path, kafka, topics, "python -m", checkpoint, "second")
    seen = consume_until(kafka, sink, first + second)

    duplicates = assert_nothing_lost(first + second, seen)
    report("restart after Ctrl-C", records=2 * N, duplicates=duplicates)


@pytest.mark.parametrize("run_path", ["python -m", *JARS])
def test_sigkill_mid_stream_then_restart_loses_nothing(apps, tmp_path, kafka, topics, run_path):
    source, sink = topics
    checkpoint = tmp_path / "checkpoint"
    records = make_records(N, "killed")

    app = start_app(apps, tmp_path, kafka, topics, run_path, checkpoint, "doomed")
    app.wait_for_event("started")
    with ThreadPoolExecutor(1) as background:
        producing = background.submit(produce, kafka, source, records,
                                      rate=max(N / 10, 100))  # spread over ~10 s
        wait_until_some_output(kafka, sink)
        app.kill()  # SIGKILL to the whole process group, mid-stream
        producing.result()  # re-raises if the producer failed

    restarted = start_app(apps, tmp_path, kafka, topics, run_path, checkpoint, "restarted")
    # Records sent after the restart prove the query goes on after its recovery batch (on
    # Spark 4.1.1 it wrote that batch and then died: SPARK-55271).
    later = make_records(N // 10, "after-restart")
    produce(kafka, source, later)
    seen = consume_until(kafka, sink, records + later)

    duplicates = assert_nothing_lost(records + later, seen)
    assert restarted.process.poll() is None, restarted.logs()
    report(f"restart after SIGKILL mid-stream via {run_path}", records=N, duplicates=duplicates)


def wait_until_some_output(kafka, topic: str, timeout: float = START_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    with reading(kafka, topic) as consumer:
        while time.monotonic() < deadline:
            if consumer.consume(num_messages=1, timeout=1.0):
                return
    raise AssertionError(f"no output on {topic} within {timeout}s")
