"""Routing the transform's rows to the output or dead-letter topic, on static DataFrames."""

import pytest
from pyspark.sql import functions as F

from {{ cookiecutter.package_name }}.routing import (
    DEAD_LETTER_HEADERS,
    TransformResultError,
    check_columns,
    kafka_records,
    missing_context_warning,
    record_without_dead_letter_topic,
)

from .records import from_rows, source_frame

RECORDS = [{"key": b"k1", "value": b"good", "headers": [("h", b"1")]},
           {"key": b"k2", "value": b"bad", "headers": None}]


def flag_bad(records):
    return records.withColumn("error", F.when(F.col("value") == F.lit(b"bad"), "too bad"))


def test_without_an_error_column_every_row_goes_to_the_output_topic_unchanged(spark):
    rows = source_frame(spark, RECORDS).select("key", "value", "headers")

    output = from_rows(kafka_records(rows, "out", "dlq").collect())

    assert output == [{"topic": "out", **record} for record in RECORDS]


def test_a_row_with_an_error_goes_to_the_dead_letter_topic_with_context_headers(spark):
    rows = flag_bad(source_frame(spark, RECORDS))

    good, bad = from_rows(kafka_records(rows, "out", "dlq").collect())

    assert good == {"topic": "out", **RECORDS[0]}
    assert bad == {"topic": "dlq", "key": b"k2", "value": b"bad", "headers": [
        ("dead-letter.error", b"too bad"), ("dead-letter.source.topic", b"input"),
        ("dead-letter.source.partition", b"0"), ("dead-letter.source.offset", b"1"),
        ("dead-letter.source.timestamp", b"1704067200000")]}
    assert [name for name, _ in bad["headers"]] == list(DEAD_LETTER_HEADERS)


def test_the_sink_gets_only_the_columns_it_writes(spark):
    rows = flag_bad(source_frame(spark, RECORDS)).drop("headers")

    assert kafka_records(rows, "out", "dlq").columns == ["topic", "key", "value", "headers"]
    assert kafka_records(rows.drop("error"), "out", None).columns == ["topic", "key", "value"]


def test_without_a_dead_letter_topic_a_row_with_an_error_fails_naming_the_record(spark):
    rows = flag_bad(source_frame(spark, RECORDS))

    with pytest.raises(Exception) as raised:
        kafka_records(rows, "out", None).collect()

    assert record_without_dead_letter_topic(str(raised.value)) == (
        "record at topic input, partition 0, offset 1 has an error and no dead-letter topic is "
        "set (KAFKA_DLQ_TOPIC): too bad")


@pytest.mark.parametrize("failure", [
    # Spark 3.5 puts the task failure first; Spark 4 appends SQLSTATE codes.
    "Job aborted due to stage failure: Task 0 in stage 0.0 failed 1 times, most recent failure: "
    "Lost task 0.0 in stage 0.0 (TID 0) (host executor driver): java.lang.RuntimeException: "
    "record at topic in, partition 3, offset 7 has an error and no dead-letter topic is set "
    "(KAFKA_DLQ_TOPIC): id is missing\n\tat org.apache.spark.Some.frame(Some.java:1)",
    "[STREAM_FAILED] Query [id = 1, runId = 2] terminated with exception: [USER_RAISED_EXCEPTION] "
    "record at topic in, partition 3, offset 7 has an error and no dead-letter topic is set "
    "(KAFKA_DLQ_TOPIC): id is missing SQLSTATE: P0001 SQLSTATE: XXKST\n=== Streaming Query ===",
])
def test_the_failed_record_is_found_in_the_way_each_spark_line_reports_it(failure):
    assert record_without_dead_letter_topic(failure) == (
        "record at topic in, partition 3, offset 7 has an error and no dead-letter topic is set "
        "(KAFKA_DLQ_TOPIC): id is missing")
    assert record_without_dead_letter_topic("Job aborted: broker down") is None


@pytest.mark.parametrize("columns, returned", [
    (["key"], "key binary"),
    (["key", "CAST(partition AS INT) AS value"], "key binary, value int"),
    (["value", "CAST(1 AS INT) AS error"], "value binary, error int"),
    (["value", "CAST(1 AS STRING) AS headers"], "value binary, headers string"),
])
def test_columns_the_sink_cannot_write_fail_with_one_line_naming_them(spark, columns, returned):
    rows = source_frame(spark, RECORDS).selectExpr(*columns)

    with pytest.raises(TransformResultError) as raised:
        check_columns(rows)

    message = str(raised.value)
    assert message.startswith(f"the transform returned columns ({returned}); the Kafka sink "
                              "needs value (string or binary) and optionally key")
    assert "\n" not in message


@pytest.mark.parametrize("columns", [
    ["value"], ["CAST(value AS STRING) AS value", "CAST(key AS STRING) AS key"],
    ["value", "CAST(NULL AS STRING) AS error"],
    ["key", "value", "headers", "topic", "partition", "offset", "timestamp",
     "CAST(NULL AS STRING) AS error"],
])
def test_columns_the_sink_can_write_pass(spark, columns):
    check_columns(source_frame(spark, RECORDS).selectExpr(*columns))


def test_a_plain_select_that_drops_source_columns_still_routes_bad_rows(spark):
    """records.select("key", <value>, "headers", <error>): every context header that can still
    be filled, in the usual order, and the good rows unchanged."""
    rows = flag_bad(source_frame(spark, RECORDS)).select("key", "value", "headers", "error",
                                                         "offset")

    good, bad = from_rows(kafka_records(rows, "out", "dlq").collect())

    assert good == {"topic": "out", **RECORDS[0]}
    assert bad == {"topic": "dlq", "key": b"k2", "value": b"bad", "headers": [
        ("dead-letter.error", b"too bad"), ("dead-letter.source.offset", b"1")]}


def test_without_a_dead_letter_topic_a_dropped_source_column_shows_as_a_question_mark(spark):
    rows = flag_bad(source_frame(spark, RECORDS)).select("key", "value", "error", "topic")

    with pytest.raises(Exception) as raised:
        kafka_records(rows, "out", None).collect()

    assert record_without_dead_letter_topic(str(raised.value)) == (
        "record at topic input, partition ?, offset ? has an error and no dead-letter topic is "
        "set (KAFKA_DLQ_TOPIC): too bad")


def test_the_app_warns_once_which_context_a_transform_dropped(spark):
    records = source_frame(spark, RECORDS)

    dropped = missing_context_warning(flag_bad(records).select("value", "error", "topic",
                                                               "timestamp"))

    assert dropped == (
        "WARNING: the transform's result has an error column but not partition, offset: "
        "dead-letter records will lack dead-letter.source.partition, "
        "dead-letter.source.offset headers; keep the source columns with "
        "records.withColumn(...) rather than records.select(...)")
    assert missing_context_warning(flag_bad(records)) is None
    assert missing_context_warning(records.select("value")) is None  # no error column
