"""Kafka -> transform -> Kafka as one Spark Structured Streaming query.

Records never visit the driver: Spark's Kafka source and sink move them on the executors.
Run it with `python -m {{ cookiecutter.package_name }}` (embedded local Spark) or with
spark-submit (see the README); both read conf/spark-defaults.conf, which pins the connector.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from .config import (
    AVAILABLE_NOW,
    OUTPUT_MODES,
    REAL_TIME,
    REAL_TIME_DEFAULT_INTERVAL,
    ConfigError,
    Settings,
    parse_settings,
)
from .failures import describe_failure, java_causes
from .progress import ProgressLogger, log_event
from .routing import (
    TransformResultError,
    kafka_records,
    missing_context_warning,
    record_without_dead_letter_topic,
)
from .transform import transform

APP_NAME = "{{ cookiecutter.project_slug }}"
EXIT_OK, EXIT_FAILED, EXIT_BAD_CONFIG = 0, 1, 2

# python/src/<package>/app.py -> the project root's conf/ (spark-defaults.conf, log4j2).
PROJECT_CONF_DIR = Path(__file__).resolve().parents[3] / "conf"


def main(argv: Sequence[str] | None = None) -> int:
    try:
        settings = parse_settings(argv, os.environ)
    except ConfigError as error:
        print(f"ERROR: {error}", file=sys.stderr)
        return EXIT_BAD_CONFIG

    spark = create_session()
    try:
        query = start_query(spark, settings)
    except TransformResultError as error:
        print(f"ERROR: {error}", file=sys.stderr)
        spark.stop()
        return EXIT_BAD_CONFIG
    except Exception as error:  # Spark reports a missing connector, a bad option or mode here
        reason = first_line(error)
        if "output mode" in reason.lower():
            print(f"ERROR: {output_mode_mismatch(settings.effective_output_mode, reason)}",
                  file=sys.stderr)
            code = EXIT_BAD_CONFIG
        else:
            print(f"ERROR: could not start the query: {reason}", file=sys.stderr)
            code = EXIT_FAILED
        spark.stop()
        return code
    log_event("started", app=APP_NAME, brokers=settings.brokers, in_topic=settings.in_topic,
              out_topic=settings.out_topic, dlq_topic=settings.dlq_topic,
              checkpoint=settings.checkpoint, trigger=settings.trigger,
              output_mode=settings.effective_output_mode)
    return run_until_stopped(spark, query)


def create_session():
    from pyspark.sql import SparkSession

    # spark-submit has already read its configuration; `python -m` starts the JVM here, and
    # the JVM reads spark-defaults.conf (the pinned connector) from SPARK_CONF_DIR.
    if PROJECT_CONF_DIR.is_dir():
        os.environ.setdefault("SPARK_CONF_DIR", str(PROJECT_CONF_DIR))
    spark = SparkSession.builder.appName(APP_NAME).getOrCreate()
    spark.streams.addListener(ProgressLogger())
    return spark


def read_stream(spark, settings: Settings):
    reader = (
        spark.readStream.format("kafka")
        .option("kafka.bootstrap.servers", settings.brokers)
        .option("subscribe", settings.in_topic)
        .option("startingOffsets", settings.starting_offsets)
        .option("includeHeaders", "true")
        .options(**settings.source_options)
    )
    if settings.max_offsets_per_trigger:
        reader = reader.option("maxOffsetsPerTrigger", settings.max_offsets_per_trigger)
    return reader.load()


def start_query(spark, settings: Settings):
    rows = transform(read_stream(spark, settings))
    warning = missing_context_warning(rows)
    if warning:
        print(warning, file=sys.stderr)
    writer = (
        kafka_records(rows, settings.out_topic, settings.dlq_topic)
        .writeStream.format("kafka")
        .queryName(APP_NAME)
        .outputMode(settings.effective_output_mode)
        .option("kafka.bootstrap.servers", settings.brokers)
        .option("checkpointLocation", settings.checkpoint)
        .options(**settings.sink_options)
    )
    return with_trigger(writer, settings.trigger).start()


def with_trigger(writer, trigger: str):
    """Micro-batches (an interval), available-now, or real-time mode."""
    if trigger == AVAILABLE_NOW:
        return writer.trigger(availableNow=True)
    real_time = REAL_TIME.fullmatch(trigger)
    if real_time:
        interval = real_time["checkpoint_interval"] or REAL_TIME_DEFAULT_INTERVAL
        return writer.trigger(realTime=interval)
    return writer.trigger(processingTime=trigger)


def output_mode_mismatch(mode: str, reason: str) -> str:
    """An output mode that does not fit the transform is a setting to change, so it is named."""
    others = " or ".join(m for m in OUTPUT_MODES if m != mode)
    return (f"OUTPUT_MODE={mode} does not fit this transform: {reason}; set OUTPUT_MODE (or "
            f"--output-mode) to {others}, or give its aggregation a watermark (README: Output "
            "modes)")


def run_until_stopped(spark, query) -> int:
    """Wait for the query; on SIGTERM or Ctrl-C stop it cleanly and return 0."""
    stop_signals: list[str] = []

    def request_stop(signum, _frame) -> None:
        stop_signals.append(signal.Signals(signum).name)

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    forward_jvm_signals(spark, stop_signals.append)
    try:
        while not stop_signals and query.isActive:
            query.awaitTermination(1)
        error = None if stop_signals else query.exception()
    except Exception as raised:  # the query failed, or the JVM went down under spark-submit
        error = None if stop_signals else raised
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the stop short
    if error is not None:
        # A rejected login or TLS handshake gets a line that says what to check.
        message = describe_failure(java_causes(query), f"the query failed: {failure_reason(error)}")
        print(f"ERROR: {message}", file=sys.stderr)
        spark.stop()
        return EXIT_FAILED
    if stop_signals:
        log_event("stopping", signal=stop_signals[0])
    try:
        query.stop()
        spark.stop()
    except Exception:  # under spark-submit the JVM may already be shutting down
        pass
    log_event("stopped", app=APP_NAME)
    return EXIT_OK


class JvmSignalHandler:
    """A sun.misc.SignalHandler written in Python: py4j calls it back from the JVM."""

    def __init__(self, on_signal):
        self.on_signal = on_signal

    def handle(self, jvm_signal) -> None:
        self.on_signal("SIG" + jvm_signal.getName())

    class Java:
        implements = ["sun.misc.SignalHandler"]


def forward_jvm_signals(spark, on_signal) -> None:
    """Under spark-submit the driver JVM is the process that gets SIGTERM or Ctrl-C; left
    alone it would shut down under the running query. Hand those signals to our loop."""
    jvm = spark.sparkContext._jvm
    handler = JvmSignalHandler(on_signal)
    for name in ("TERM", "INT"):
        jvm.sun.misc.Signal.handle(jvm.sun.misc.Signal(name), handler)


def first_line(error: BaseException) -> str:
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0]


def failure_reason(error: BaseException) -> str:
    """The first line of a query failure; only the record and its error when a row with an
    error had no dead-letter topic to go to."""
    return record_without_dead_letter_topic(str(error)) or first_line(error)
