"""End to end: state and output modes, on a real local Kafka broker.

The project is switched to the stateful example (transform.count_per_key_per_minute and its JVM
twins): a count per key and minute of event time, with a one-minute watermark, written in the
default OUTPUT_MODE=append once the watermark closes a minute. The counts must be exact, and
after a stop and a restart they carry on from the state in the checkpoint.
"""

from __future__ import annotations

import json
import signal
import time
from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timezone

import pytest
from kappa_local.testing.apps import START_TIMEOUT
from kappa_local.testing.records import assert_nothing_lost, consume_until, produce

from .e2e_support import RUN_PATHS, report, start_app, with_transform_lines

pytestmark = pytest.mark.e2e

MINUTE = 60_000  # the example's window and its watermark delay, in epoch milliseconds


def closed_minutes(events: list[tuple[str, int]], after: Sequence[tuple[str, int]] = ()) -> list:
    """The records the example writes once the watermark (the newest event time seen, minus a
    minute) has passed a minute: one per key and minute, counting every event before it."""
    watermark = max(at for _, at in [*events, *after]) - MINUTE
    counts = Counter((at // MINUTE * MINUTE, key) for key, at in [*events, *after])
    return [(key.encode(), json.dumps({"key": key, "start": iso(start), "end": iso(start + MINUTE),
                                       "count": count}, separators=(",", ":")).encode(), [])
            for (start, key), count in sorted(counts.items()) if start + MINUTE <= watermark]


def counts(records: list[tuple]) -> dict[str, int]:
    """key -> count of the example's output records, for the report."""
    return {json.loads(value)["key"]: json.loads(value)["count"] for _, value, _ in records}


def iso(millis: int) -> str:
    return datetime.fromtimestamp(millis / 1000, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def produce_events(kafka, topic: str, events: list[tuple[str, int]]) -> None:
    produce(kafka, topic, [(key.encode(), b"x", []) for key, _ in events],
            timestamps=[at for _, at in events])


@pytest.mark.parametrize("run_path", RUN_PATHS)
def test_windowed_counts_are_exact_and_carry_on_from_the_checkpoint(apps, tmp_path, kafka,
                                                                     topics, example, run_path):
    project = example("count_per_key_per_minute")
    checkpoint = tmp_path / "checkpoint"
    zero = (int(time.time() * 1000) // MINUTE - 10) * MINUTE  # a whole minute, 10 minutes ago

    def at(second: int) -> int:
        return zero + second * 1000

    # Minute 0 and part of minute 1; the last event moves the watermark past minute 0 only.
    before = [("a", at(5)), ("a", at(10)), ("b", at(20)), ("a", at(50)), ("b", at(55)),
              ("a", at(65)), ("c", at(70)), ("c", at(80)), ("c", at(90)), ("c", at(100)),
              ("tick", at(121))]
    # While the app is stopped: the rest of minute 1, then an event that closes it.
    after = [("a", at(95)), ("a", at(110)), ("c", at(115)), ("tick", at(181))]

    produce_events(kafka, topics.source, before)
    app = start_app(apps, tmp_path, kafka, topics, run_path, checkpoint, "first", project)
    first = closed_minutes(before)  # minute 0: a 3, b 2
    consume_until(kafka, topics.sink, first)
    app.assert_stopped_cleanly(app.terminate(signal.SIGTERM))

    produce_events(kafka, topics.source, after)
    restarted = start_app(apps, tmp_path, kafka, topics, run_path, checkpoint, "restarted",
                          project)
    # Minute 1 counts the events of both runs (a 1 + 2, c 4 + 1): from zero it would be 2 and 1.
    restored = [record for record in closed_minutes(before, after) if record not in first]
    seen = consume_until(kafka, topics.sink, first + restored)

    duplicates = assert_nothing_lost(first + restored, seen)
    assert restarted.process.poll() is None, restarted.logs()
    report(f"windowed counts via {run_path}", before_stop=counts(first),
           after_restart=counts(restored), duplicates=duplicates)


def test_an_output_mode_that_does_not_fit_the_transform_stops_with_one_line_naming_it(
        apps, tmp_path, kafka, topics):
    app = start_app(apps, tmp_path, kafka, topics, "python -m", tmp_path / "checkpoint", "run",
                    OUTPUT_MODE="complete")  # the pass-through has no aggregation to complete

    assert app.process.wait(START_TIMEOUT) == 2, app.logs()
    errors = [line for line in app.stderr_path.read_text().splitlines()
              if line.startswith("ERROR: ")]
    assert len(errors) == 1 and errors[0].startswith(
        "ERROR: OUTPUT_MODE=complete does not fit this transform: "), app.logs()
    assert errors[0].endswith("; set OUTPUT_MODE (or --output-mode) to append or update, or give "
                              "its aggregation a watermark (README: Output modes)")
    app.assert_no_stack_trace()


def test_a_transform_without_a_value_column_stops_with_one_line_naming_the_columns(
        apps, tmp_path, kafka, topics):
    project = with_transform_lines(tmp_path / "project", {"python": 'return records.select("key")'})

    app = start_app(apps, tmp_path, kafka, topics, "python -m", tmp_path / "checkpoint", "run",
                    project)

    assert app.process.wait(START_TIMEOUT) == 2, app.logs()
    errors = [line for line in app.stderr_path.read_text().splitlines()
              if line.startswith("ERROR: ")]
    assert errors == ["ERROR: the transform returned columns (key binary); the Kafka sink needs "
                      "value (string or binary) and optionally key (string or binary), headers "
                      "(array<struct<key:string,value:binary>>) and error (string)"], app.logs()
    app.assert_no_stack_trace()
