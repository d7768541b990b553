"""make demo: render the default project, start a real Kafka broker, run the app on embedded
local Spark, send a few messages and show them arriving on the output topic, then clean up.

Runs in two stages. Stage 1 (the template's venv) renders the project and installs its venv.
Stage 2 (the project's venv, which has pyspark and confluent-kafka) does the live part.
Every step says what it does; a failure names the step and what to do about it.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEMO_DIR = Path(os.environ.get("DEMO_DIR", ROOT / "demo"))
SAMPLES = [
    (b"user-1", b"hello, kappa", []),
    (b"user-2", "Grüße aus Köln, 你好, 🚀".encode(), [("lang", b"de")]),
    (None, b'{"order": 42, "amount": 9.99}', [("content-type", b"application/json")]),
    (b"sensor-7", bytes([0xDE, 0xAD, 0xBE, 0xEF, 0x00, 0xFF]), [("encoding", b"binary")]),
    (b"user-1", b"", [("note", b"an empty value")]),
]


class StepFailed(Exception):
    pass


@contextlib.contextmanager
def step(name: str, hint: str):
    """Announce a step, time it, and turn a failure into one line naming the step and a fix."""
    print(f"==> {name}", flush=True)
    started = time.monotonic()
    try:
        yield
    except (KeyboardInterrupt, StepFailed):
        raise
    except Exception as error:
        raise StepFailed(f"step '{name}' failed: {error}\n    what to do: {hint}") from error
    print(f"    done in {time.monotonic() - started:.1f}s", flush=True)


def stage_one() -> Path:
    from cookiecutter.main import cookiecutter

    with step("render the default project into demo/", "run `make test-fast` to see what broke"):
        project = Path(cookiecutter(str(ROOT), no_input=True, output_dir=str(DEMO_DIR),
                                    overwrite_if_exists=True))
        print(f"    {project}", flush=True)
    with step("install the project's venv (pyspark, confluent-kafka; ~1 min the first time)",
              "check that PyPI is reachable and Python 3.10+ is used"):
        subprocess.run(["make", "--no-print-directory", "install"], cwd=project, check=True)
    return project


def stage_two(project: Path) -> None:
    from kappa_local import broker as local_kafka  # the project's local/, in its venv

    answers = json.loads((project / ".cookiecutter.json").read_text())["cookiecutter"]
    source, sink = answers["input_topic"], answers["output_topic"]
    broker = app = None
    try:
        with step("start a real Kafka broker (KRaft, jars from Maven Central, first run ~1 min)",
                  "install Java 17, check that Maven Central is reachable, see "
                  "local/README.md"):
            broker = local_kafka.start(DEMO_DIR / "kafka-data", port=0, topics=[source, sink],
                                       log=lambda line: print(f"    {line}", flush=True))
            print(f"    broker at {broker.bootstrap}, topics {source} and {sink}", flush=True)
        with step("start the app: python -m " + answers["package_name"]
                  + " (embedded Spark; the connector resolves from Maven Central once)",
                  f"read {project / 'demo-app.log'}"):
            app = start_app(project, answers["package_name"], broker.bootstrap, source, sink)
            wait_for_event(app, "started", timeout=600)
        with step(f"send {len(SAMPLES)} messages to {source} and watch {sink}",
                  "the app's log shows why records did not arrive"):
            produce(broker.bootstrap, source)
            show_arrivals(broker.bootstrap, sink, expected=len(SAMPLES), timeout=600)
    finally:
        with step("clean up: stop the app and the broker", "pgrep -af 'kafka.Kafka|pyspark'"):
            if app is not None:
                stop_app(app)
            if broker is not None:
                broker.stop()
    print("\nDemo complete: every message crossed a real broker through Spark and back.")


def start_app(project: Path, package: str, bootstrap: str, source: str, sink: str):
    env = dict(os.environ, KAFKA_BROKERS=bootstrap, KAFKA_IN_TOPIC=source, KAFKA_OUT_TOPIC=sink,
               CHECKPOINT_LOCATION=str(DEMO_DIR / "checkpoints" / uuid.uuid4().hex[:8]),
               PYTHONUNBUFFERED="1")
    log = open(project / "demo-app.log", "w")  # noqa: SIM115 - lives as long as the app
    app = subprocess.Popen([sys.executable, "-m", package], cwd=project, env=env,
                           stdout=subprocess.PIPE, stderr=log, text=True,
                           start_new_session=True)
    app.events = []
    threading.Thread(target=echo_events, args=(app,), daemon=True).start()
    return app


def echo_events(app) -> None:
    """Print the app's structured lines as they come: start-up, progress, stop."""
    for line in app.stdout:
        try:
            event = json.loads(line)
        except ValueError:
            continue
        app.events.append(event)
        fields = ", ".join(f"{k}={v}" for k, v in event.items() if k not in ("ts", "event"))
        print(f"    app | {event['event']}: {fields}", flush=True)


def wait_for_event(app, name: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(e["event"] == name for e in app.events):
            return
        if app.poll() is not None:
            raise RuntimeError(f"the app exited with code {app.returncode}")
        time.sleep(0.5)
    raise RuntimeError(f"no '{name}' event within {timeout:.0f}s")


def stop_app(app) -> None:
    if app.poll() is None:
        app.send_signal(signal.SIGTERM)  # the app stops its query and exits 0
        with contextlib.suppress(subprocess.TimeoutExpired):
            app.wait(300)  # generous: a busy machine stops Spark slowly
    if _group_alive(app.pid):  # still running, or a child outlived it
        os.killpg(app.pid, signal.SIGKILL)
        app.wait(60)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
        return True
    except ProcessLookupError:
        return False


def produce(bootstrap: str, topic: str) -> None:
    from confluent_kafka import Producer

    producer = Producer({"bootstrap.servers": bootstrap})
    for key, value, headers in SAMPLES:
        producer.produce(topic, key=key, value=value, headers=headers)
        print(f"    sent     -> {topic}: {readable(key, value, headers)}", flush=True)
    if producer.flush(300):
        raise RuntimeError("the producer could not deliver every message")


def show_arrivals(bootstrap: str, topic: str, expected: int, timeout: float) -> None:
    from confluent_kafka import Consumer

    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "demo-" + uuid.uuid4().hex,
                         "auto.offset.reset": "earliest"})
    consumer.subscribe([topic])
    arrived, deadline = 0, time.monotonic() + timeout
    try:
        while arrived < expected and time.monotonic() < deadline:
            for message in consumer.consume(num_messages=100, timeout=1.0):
                if message.error():
                    raise RuntimeError(str(message.error()))
                arrived += 1
                print(f"    received <- {topic}: "
                      f"{readable(message.key(), message.value(), message.headers() or [])}",
                      flush=True)
    finally:
        consumer.close()
    if arrived < expected:
        raise RuntimeError(f"only {arrived} of {expected} messages arrived in {timeout:.0f}s")


def readable(key, value, headers) -> str:
    def show(data):
        if data is None:
            return "null"
        try:
            return json.dumps(data.decode("utf-8"), ensure_ascii=False)
        except UnicodeDecodeError:
            return "0x" + data.hex()

    shown = ", ".join(f"{name}={show(v)}" for name, v in headers)
    return f"key={show(key)} value={show(value)}" + (f" headers[{shown}]" if shown else "")


def main() -> int:
    try:
        if len(sys.argv) == 3 and sys.argv[1] == "--live":
            stage_two(Path(sys.argv[2]))
            return 0
        project = stage_one()
        venv_python = project / ".venv" / "bin" / "python"
        # Ctrl-C reaches both stages; stage two cleans up, so this one just waits for it.
        signal.signal(signal.SIGINT, lambda *_: None)
        return subprocess.run([str(venv_python), __file__, "--live", str(project)]).returncode
    except StepFailed as failure:
        print(f"ERROR: {failure}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\ndemo: interrupted; the broker and the app were stopped.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
