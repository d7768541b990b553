"""How the app reports what stops it: one line, naming the setting or record to look at."""

import pytest

from {{ cookiecutter.package_name }}.app import failure_reason, first_line, output_mode_mismatch


def test_an_aggregation_without_watermark_in_append_mode_names_the_output_mode_setting(spark):
    counts = spark.readStream.format("rate").load().groupBy("value").count()

    with pytest.raises(Exception) as raised:  # Spark's own refusal, worded per version
        counts.writeStream.format("noop").outputMode("append").start()

    reason = first_line(raised.value)
    assert "output mode" in reason.lower()
    assert output_mode_mismatch("append", reason) == (
        f"OUTPUT_MODE=append does not fit this transform: {reason}; set OUTPUT_MODE (or "
        "--output-mode) to update or complete, or give its aggregation a watermark (README: "
        "Output modes)")


def test_a_query_failure_is_its_first_line_or_the_record_that_had_nowhere_to_go():
    failure = Exception("Job aborted: Lost task 0.0: java.lang.RuntimeException: record "
                        "at topic in, partition 0, offset 5 has an error and no "
                        "dead-letter topic is set (KAFKA_DLQ_TOPIC): value is null\n\tat x")

    assert failure_reason(failure) == ("record at topic in, partition 0, offset 5 has an error "
                                       "and no dead-letter topic is set (KAFKA_DLQ_TOPIC): "
                                       "value is null")
    assert failure_reason(Exception("Job aborted: broker down\n\tat x")) == (
        "Job aborted: broker down")
