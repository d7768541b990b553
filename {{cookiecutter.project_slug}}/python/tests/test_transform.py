"""The transform on a local SparkSession with static DataFrames: no Kafka involved. What it
makes of each record is in contract/vectors.json (test_contract.py); these hold for any
transform the app can run."""

from datetime import datetime, timezone

from {{ cookiecutter.package_name }}.routing import check_columns
from {{ cookiecutter.package_name }}.transform import count_per_key_per_minute, transform

from .records import source_frame


def test_output_has_columns_the_kafka_sink_can_write(spark):
    check_columns(transform(source_frame(spark, [])))  # raises, naming the columns, if not


def test_runs_as_a_plan_on_the_jvm_without_python_udfs(spark):
    plan = transform(source_frame(spark, []))._jdf.queryExecution().executedPlan().toString()

    assert "BatchEvalPython" not in plan and "ArrowEvalPython" not in plan


def test_the_windowed_example_counts_records_per_key_and_minute_of_event_time(spark):
    def at(minute, second):
        return int(datetime(2024, 1, 1, 0, minute, second, tzinfo=timezone.utc).timestamp() * 1000)

    records = [{"key": key, "value": b"v", "headers": None, "timestamp": at(minute, second)}
               for key, minute, second in [(b"a", 0, 1), (b"a", 0, 59), (b"b", 0, 30),
                                           (b"a", 1, 0), (None, 1, 5)]]

    rows = count_per_key_per_minute(source_frame(spark, records)).collect()

    assert sorted((row["key"] or b"", row["value"]) for row in rows) == [
        (b"", '{"start":"2024-01-01T00:01:00.000Z","end":"2024-01-01T00:02:00.000Z","count":1}'),
        (b"a", '{"key":"a","start":"2024-01-01T00:00:00.000Z","end":"2024-01-01T00:01:00.000Z",'
               '"count":2}'),
        (b"a", '{"key":"a","start":"2024-01-01T00:01:00.000Z","end":"2024-01-01T00:02:00.000Z",'
               '"count":1}'),
        (b"b", '{"key":"b","start":"2024-01-01T00:00:00.000Z","end":"2024-01-01T00:01:00.000Z",'
               '"count":1}'),
    ]
