"""What the Kafka sink writes: every row of the transform goes to the output topic, or, when it
has an `error`, to the dead-letter topic with the key, value and headers it has, plus headers
that say what was wrong and where the record came from.

One query, one checkpoint, one sink: the sink's per-row `topic` column picks the topic (the
`topic` option is not set, as it would override the column), so records stay on the
executors and both topics are written at least once, like any Kafka sink output.
"""

from __future__ import annotations

import re

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import ArrayType, BinaryType, StringType, StructType

# Appended to a dead-letter record's own headers, after Kafka Connect's __connect.errors.*: the
# error, then where the record came from. Values are UTF-8 text; the timestamp is the source
# record's, in epoch milliseconds. README: Dead-letter topic.
DEAD_LETTER_HEADERS = ("dead-letter.error", "dead-letter.source.topic",
                       "dead-letter.source.partition", "dead-letter.source.offset",
                       "dead-letter.source.timestamp")
# The per-batch count of dead-letter rows, observed on the way to the sink (progress lines).
DEAD_LETTER_METRIC = "dead_letter"

# What a dead-letter record's context headers are made of: each source column the transform
# kept gives its header (a transform that dropped one still routes, without that header).
SOURCE_COLUMNS = ("topic", "partition", "offset", "timestamp")
SINK_COLUMNS = ("value (string or binary) and optionally key (string or binary), headers "
                "(array<struct<key:string,value:binary>>) and error (string)")
NO_DEAD_LETTER_TOPIC = " has an error and no dead-letter topic is set (KAFKA_DLQ_TOPIC): "
# How Spark's failure wraps it: 3.5 puts the task failure before it, 4.x SQLSTATE codes after.
# A source column the transform dropped shows as "?".
RAISED_FOR_A_RECORD = re.compile(
    rf"record at topic \S+, partition \S+, offset \S+{re.escape(NO_DEAD_LETTER_TOPIC)}.*?"
    r"(?= SQLSTATE: |$)", re.MULTILINE)
HEADERS_TYPE = ArrayType(StructType().add("key", StringType()).add("value", BinaryType()))


class TransformResultError(ValueError):
    """The transform returned columns the sink cannot write; str() is the one-line message."""


def kafka_records(rows: DataFrame, out_topic: str, dlq_topic: str | None) -> DataFrame:
    """The sink's columns (topic, key, value, headers) for the rows transform() returned.

    Without a dead-letter topic (dlq_topic None), a row with an error fails the query with a
    message naming the record, rather than being dropped.
    """
    check_columns(rows)
    written = [name for name in ("key", "value") if name in rows.columns]
    if "error" not in rows.columns:
        kept = written + (["headers"] if "headers" in rows.columns else [])
        return rows.select(F.lit(out_topic).alias("topic"), *kept)
    failed = F.col("error").isNotNull()
    dead_letter = (F.lit(dlq_topic) if dlq_topic
                   else F.raise_error(no_dead_letter_topic(rows.columns)))
    own_headers = (F.col("headers") if "headers" in rows.columns
                   else F.lit(None).cast(HEADERS_TYPE))
    headers = F.concat(F.coalesce(own_headers, F.array().cast(HEADERS_TYPE)),
                       context_headers(rows.columns))
    return (
        rows.observe(DEAD_LETTER_METRIC, F.count(F.when(failed, True)).alias("rows"))
        .select(F.when(failed, dead_letter).otherwise(F.lit(out_topic)).alias("topic"),
                *written,
                F.when(failed, headers).otherwise(own_headers).alias("headers"))
    )


def context_headers(columns: list[str]) -> Column:
    """The dead-letter.* headers: the error, then each source column that ``columns`` has."""
    values = {"error": F.col("error"), "topic": F.col("topic"),
              "partition": F.col("partition"), "offset": F.col("offset"),
              "timestamp": F.expr("unix_millis(timestamp)")}
    sources = ("error", *SOURCE_COLUMNS)
    return F.array(*(F.struct(F.lit(name).alias("key"),
                              values[source].cast("string").cast("binary").alias("value"))
                     for name, source in zip(DEAD_LETTER_HEADERS, sources, strict=True)
                     if source == "error" or source in columns))


def no_dead_letter_topic(columns: list[str]) -> Column:
    """The message a row with an error fails the query with when no dead-letter topic is set;
    a source column that ``columns`` lacks shows as "?"."""
    def source(name: str) -> Column:
        return F.col(name).cast("string") if name in columns else F.lit("?")

    return F.concat(F.lit("record at topic "), source("topic"), F.lit(", partition "),
                    source("partition"), F.lit(", offset "), source("offset"),
                    F.lit(NO_DEAD_LETTER_TOPIC), F.col("error"))


def missing_context_warning(rows: DataFrame) -> str | None:
    """One line for the start of the app when the transform gives rows an error but dropped
    source columns, so that their dead-letter records lack those headers; else None."""
    missing = [name for name in SOURCE_COLUMNS if name not in rows.columns]
    if "error" not in rows.columns or not missing:
        return None
    headers = ", ".join(f"dead-letter.source.{name}" for name in missing)
    return (f"WARNING: the transform's result has an error column but not {', '.join(missing)}: "
            f"dead-letter records will lack {headers} headers; keep the source columns with "
            "records.withColumn(...) rather than records.select(...)")


def record_without_dead_letter_topic(failure: str) -> str | None:
    """no_dead_letter_topic()'s message (one line) in the text of a failure, else None."""
    found = RAISED_FOR_A_RECORD.search(failure)
    return found[0] if found else None


def check_columns(rows: DataFrame) -> None:
    """Raises TransformResultError unless the sink can write these columns."""
    types = {field.name: field.dataType for field in rows.schema.fields}
    text_or_bytes = (StringType, BinaryType)
    fine = (
        isinstance(types.get("value"), text_or_bytes)
        and ("key" not in types or isinstance(types["key"], text_or_bytes))
        and ("headers" not in types or is_headers_type(types["headers"]))
        and ("error" not in types or isinstance(types["error"], StringType))
    )
    if not fine:
        returned = ", ".join(f"{name} {kind.simpleString()}" for name, kind in types.items())
        raise TransformResultError(f"the transform returned columns ({returned}); the Kafka "
                                   f"sink needs {SINK_COLUMNS}")


def is_headers_type(kind) -> bool:
    element = kind.elementType if isinstance(kind, ArrayType) else None
    return (isinstance(element, StructType) and element.names == ["key", "value"]
            and isinstance(element["key"].dataType, StringType)
            and isinstance(element["value"].dataType, BinaryType))
