"""Kafka records as plain dicts <-> Spark rows with the Kafka source schema."""

from __future__ import annotations

import base64
import json
from datetime import datetime
from pathlib import Path

from pyspark.sql.types import (
    ArrayType,
    BinaryType,
    IntegerType,
    LongType,
    StringType,
    StructField,
    StructType,
    TimestampType,
)

VECTORS = Path(__file__).resolve().parents[2] / "contract" / "vectors.json"

HEADER = StructType([StructField("key", StringType()), StructField("value", BinaryType())])
KAFKA_SOURCE_SCHEMA = StructType([
    StructField("key", BinaryType()),
    StructField("value", BinaryType()),
    StructField("topic", StringType()),
    StructField("partition", IntegerType()),
    StructField("offset", LongType()),
    StructField("timestamp", TimestampType()),
    StructField("timestampType", IntegerType()),
    StructField("headers", ArrayType(HEADER)),
])


def load_vectors() -> list[dict]:
    return json.loads(VECTORS.read_text(encoding="utf-8"))["cases"]


def decode(record: dict) -> dict:
    """A vector record (base64 strings) as bytes, the way Spark and Kafka hold it."""
    def raw(text):
        return None if text is None else base64.b64decode(text)

    headers = record["headers"]
    return {
        "key": raw(record["key"]),
        "value": raw(record["value"]),
        "headers": None if headers is None else [(h["key"], raw(h["value"])) for h in headers],
    }


def source_frame(spark, records: list[dict]):
    """A static DataFrame shaped like Spark's Kafka source, one row per decoded record."""
    rows = [
        (r["key"], r["value"], "input", 0, offset, datetime(2024, 1, 1), 0, r["headers"])
        for offset, r in enumerate(records)
    ]
    return spark.createDataFrame(rows, KAFKA_SOURCE_SCHEMA)


def from_rows(rows) -> list[dict]:
    def raw(value):
        return None if value is None else bytes(value)

    return [
        {
            "key": raw(row["key"]),
            "value": raw(row["value"]),
            "headers": None if row["headers"] is None
            else [(h["key"], raw(h["value"])) for h in row["headers"]],
        }
        for row in rows
    ]
