"""End to end: the app on a real local Kafka broker, through every run path and variant.

Records with keys and headers, non-ASCII text, bytes that are not UTF-8, empty values and null
keys cross a real broker and must come out byte for byte. Stopping, restarting from the
checkpoint and a SIGKILL mid-stream must lose nothing; the Kafka sink is at-least-once, so
duplicates are counted and reported, not forbidden. E2E_RECORDS sets N (default 2000).
"""

from __future__ import annotations

import signal
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from e2e_support import (
    JARS,
    RUN_PATHS,
    START_TIMEOUT,
    N,
    assert_nothing_lost,
    consume_until,
    freeze,
    make_records,
    produce,
    report,
    start_app,
    wait_until_some_output,
)

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("jars")]


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
