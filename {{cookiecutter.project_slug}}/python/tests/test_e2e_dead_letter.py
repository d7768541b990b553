"""End to end: bad records and the dead-letter topic, on a real local Kafka broker.

The project is switched to the validating example (transform.validate_json and its JVM twins)
the way a user does it: one line. Good records must reach the output topic byte for byte, every
poison record the dead-letter topic with its context headers, and the query must go on. A
SIGKILL mid-stream and a restart lose nothing from either topic; the Kafka sink is at least
once, so duplicates are counted and reported. E2E_RECORDS sets N (default 2000).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from kappa_local.testing.apps import START_TIMEOUT
from kappa_local.testing.records import (
    assert_nothing_lost,
    consume_until,
    freeze,
    produce,
    wait_until_some_output,
)

from .e2e_support import JARS, RUN_PATHS, N, Topics, make_json_records, report, routed, start_app

pytestmark = pytest.mark.e2e


def as_produced(records: list[tuple]) -> list[tuple]:
    return [(key, value, headers) for key, value, headers, _error in records]


@pytest.mark.parametrize("run_path", RUN_PATHS)
def test_poison_records_go_to_the_dead_letter_topic_and_a_sigkill_loses_nothing(
        apps, tmp_path, kafka, topics, example, run_path):
    project = example("validate_json")
    checkpoint = tmp_path / "checkpoint"
    records = make_json_records(N, "killed")

    app = start_app(apps, tmp_path, kafka, topics, run_path, checkpoint, "doomed", project)
    app.wait_for_event("started")
    with ThreadPoolExecutor(1) as background:
        producing = background.submit(produce, kafka, topics.source, as_produced(records),
                                      rate=max(N / 10, 100))  # spread over ~10 s
        wait_until_some_output(kafka, topics.dead_letter)
        app.kill()  # SIGKILL to the whole process group, mid-stream
        landed = producing.result()  # re-raises if the producer failed

    restarted = start_app(apps, tmp_path, kafka, topics, run_path, checkpoint, "restarted",
                          project)
    # Records sent after the restart prove the query goes on after its recovery batch (on
    # Spark 4.1.1 it wrote that batch and then died: SPARK-55271).
    later = make_json_records(N // 10, "after-restart")
    landed += produce(kafka, topics.source, as_produced(later))
    good, dead = routed(records + later, landed, topics.source)
    seen_good = consume_until(kafka, topics.sink, good)
    seen_dead = consume_until(kafka, topics.dead_letter, dead)

    duplicates = assert_nothing_lost(good, seen_good), assert_nothing_lost(dead, seen_dead)
    restarted.wait_for_event("progress", dead_letter_rows=lambda rows: rows > 0)
    assert restarted.process.poll() is None, restarted.logs()  # poison did not stop it
    report(f"dead letters and SIGKILL via {run_path}", records=len(good) + len(dead),
           poison=len(dead), duplicates_output=duplicates[0],
           duplicates_dead_letter=duplicates[1])


def test_every_variant_writes_byte_identical_records_to_both_topics(apps, tmp_path, kafka,
                                                                     topics, example):
    """The same input through each run path and language, catching up with available-now."""
    project = example("validate_json")
    records = make_json_records(N, "parity")
    landed = produce(kafka, topics.source, as_produced(records))
    good, dead = routed(records, landed, topics.source)
    outputs = {}
    for run_path in RUN_PATHS:
        name = run_path.replace(" ", "").replace("-", "")
        own = Topics(topics.source, f"{topics.source}-{name}-out", f"{topics.source}-{name}-dlq")
        kafka.create_topics([own.sink, own.dead_letter])
        app = start_app(apps, tmp_path, kafka, own, run_path, tmp_path / f"checkpoint-{name}",
                        f"parity-{name}", project, TRIGGER="available-now")
        assert app.process.wait(START_TIMEOUT) == 0, app.logs()  # available-now stops by itself
        counted = sum(e["dead_letter_rows"] for e in app.events() if e["event"] == "progress")
        outputs[run_path] = (consume_until(kafka, own.sink, good),
                             consume_until(kafka, own.dead_letter, dead), counted)

    for run_path, (output, dead_letters, counted) in outputs.items():
        assert output == [freeze(record) for record in good], f"{run_path}: output topic differs"
        assert dead_letters == [freeze(record) for record in dead], (
            f"{run_path}: dead-letter topic differs")
        assert counted == len(dead), f"{run_path}: progress lines counted {counted} dead letters"
    report("parity", run_paths=list(outputs), records=N, poison=len(dead), identical=True)


def test_without_a_dead_letter_topic_a_bad_record_stops_the_app_with_one_line(
        apps, tmp_path, kafka, topics, example):
    project = example("validate_json")
    records = make_json_records(4, "no-dead-letter-topic")  # the fourth is poison
    landed = produce(kafka, topics.source, as_produced(records))

    app = start_app(apps, tmp_path, kafka, topics, "python -m", tmp_path / "checkpoint", "run",
                    project, KAFKA_DLQ_TOPIC="")

    assert app.process.wait(START_TIMEOUT) == 1, app.logs()
    errors = [line for line in app.stderr_path.read_text().splitlines()
              if line.startswith("ERROR: ")]
    assert errors == [f"ERROR: the query failed: record at topic {topics.source}, partition 0, "
                      f"offset {landed[3][1]} has an error and no dead-letter topic is set "
                      "(KAFKA_DLQ_TOPIC): value is not a JSON object"], app.logs()
    app.assert_no_stack_trace()


def test_a_transform_that_drops_the_source_columns_still_routes_bad_records(
        apps, tmp_path, kafka, topics, example):
    """validate_json(records).select("key", "value", "headers", "error"): in every language the
    good records reach the output topic and the bad ones the dead-letter topic, with their
    error and without the context the select dropped; the app says so once at start."""
    project = example("validate_json_select")
    records = make_json_records(N // 10, "select")
    landed = produce(kafka, topics.source, as_produced(records))
    good, dead = routed(records, landed, topics.source)
    dead = [(key, value, headers[:-4]) for key, value, headers in dead]  # error header only
    variants = ["python -m", *JARS]
    for run_path in variants:
        name = run_path.replace(" ", "")
        own = Topics(topics.source, f"{topics.source}-{name}-out", f"{topics.source}-{name}-dlq")
        kafka.create_topics([own.sink, own.dead_letter])
        app = start_app(apps, tmp_path, kafka, own, run_path, tmp_path / f"checkpoint-{name}",
                        f"select-{name}", project, TRIGGER="available-now")

        assert app.process.wait(START_TIMEOUT) == 0, app.logs()
        warnings = [line for line in app.stderr_path.read_text().splitlines()
                    if line.startswith("WARNING: the transform's result")]
        assert warnings == [
            "WARNING: the transform's result has an error column but not topic, partition, "
            "offset, timestamp: dead-letter records will lack dead-letter.source.topic, "
            "dead-letter.source.partition, dead-letter.source.offset, "
            "dead-letter.source.timestamp headers; keep the source columns with "
            "records.withColumn(...) rather than records.select(...)"], app.logs()
        assert consume_until(kafka, own.sink, good) == [freeze(record) for record in good]
        assert consume_until(kafka, own.dead_letter, dead) == [freeze(record) for record in dead]
        report(f"dead letters without source columns via {run_path}", good=len(good),
               dead_letters=len(dead))
