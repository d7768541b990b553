"""The transform on a local SparkSession with static DataFrames: no Kafka involved."""

from pyspark.sql.types import BinaryType
from records import source_frame

from {{ cookiecutter.package_name }}.transform import transform


def test_output_has_only_the_columns_the_kafka_sink_writes(spark):
    output = transform(source_frame(spark, []))

    assert output.columns == ["key", "value", "headers"]
    assert output.schema["value"].dataType == BinaryType()


def test_keeps_key_value_and_headers_bytes(spark):
    record = {"key": b"k", "value": b"\xff\x00v", "headers": [("h", b"\x01")]}

    [row] = transform(source_frame(spark, [record])).collect()

    assert (bytes(row["key"]), bytes(row["value"])) == (b"k", b"\xff\x00v")
    assert [(h["key"], bytes(h["value"])) for h in row["headers"]] == [("h", b"\x01")]


def test_runs_as_a_plan_on_the_jvm_without_python_udfs(spark):
    plan = transform(source_frame(spark, []))._jdf.queryExecution().executedPlan().toString()

    assert "BatchEvalPython" not in plan and "ArrowEvalPython" not in plan
