"""End to end: the app on a real local Kafka broker, through every run path and variant.

Records with keys and headers, non-ASCII text, bytes that are not UTF-8, empty values and null
keys cross a real broker and must come out byte for byte. Stopping and restarting from the
checkpoint must lose nothing; the Kafka sink is at-least-once, so duplicates are counted and
reported, not forbidden. E2E_RECORDS sets N (default 2000). A SIGKILL mid-stream, bad records
and parity between the variants: test_e2e_dead_letter.py; state: test_e2e_stateful.py.
"""

from __future__ import annotations

import signal
import time

import pytest
from kappa_local.testing.records import assert_nothing_lost, consume_until, produce

from .e2e_support import RUN_PATHS, N, make_records, report, start_app

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("jars")]


@pytest.mark.parametrize("run_path", RUN_PATHS)
def test_every_record_crosses_the_broker_byte_for_byte(apps, tmp_path, kafka, topics, run_path):
    records = make_records(N, "a")
    started = time.monotonic()
    app = start_app(apps, tmp_path, kafka, topics, run_path, tmp_path / "checkpoint", "run")

    produce(kafka, topics.source, records)
    seen = consume_until(kafka, topics.sink, records)

    duplicates = assert_nothing_lost(records, seen)
    app.wait_for_event("progress", input_rows=lambda rows: rows > 0)
    app.assert_stopped_cleanly(app.terminate(signal.SIGTERM))
    report(f"byte-for-byte via {run_path}", records=N, duplicates=duplicates,
           seconds=round(time.monotonic() - started, 1))


def test_ctrl_c_stops_cleanly_and_restart_resumes_from_the_checkpoint(apps, tmp_path, kafka,
                                                                       topics):
    checkpoint = tmp_path / "checkpoint"
    first, second = make_records(N, "before-stop"), make_records(N, "while-stopped")

    app = start_app(apps, tmp_path, kafka, topics, "python -m", checkpoint, "first")
    produce(kafka, topics.source, first)
    consume_until(kafka, topics.sink, first)
    app.assert_stopped_cleanly(app.terminate(signal.SIGINT))  # Ctrl-C

    produce(kafka, topics.source, second)  # the app is down: these wait in the input topic
    start_app(apps, tmp_path, kafka, topics, "python -m", checkpoint, "second")
    seen = consume_until(kafka, topics.sink, first + second)

    duplicates = assert_nothing_lost(first + second, seen)
    report("restart after Ctrl-C", records=2 * N, duplicates=duplicates)
