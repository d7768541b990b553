"""Kafka records as plain dicts <-> Spark rows with the Kafka source schema."""

from __future__ import annotations

import base64
import json
import os
from datetime import datetime, timezone
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

CONTRACT = Path(__file__).resolve().parents[2] / "contract"
VECTORS = CONTRACT / "vectors.json"

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


def local_spark():
    """A small local SparkSession: no Kafka connector (the project's conf/ would pull it)."""
    from pyspark.sql import SparkSession

    os.environ.pop("SPARK_CONF_DIR", None)
    session = (
        SparkSession.builder.master("local[1]")
        .appName("unit-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "1")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    return session


def load_settings_contract(section: str) -> dict:
    """One section of contract/settings.json (kafka_client_defaults, patterns)."""
    return json.loads((CONTRACT / "settings.json").read_text(encoding="utf-8"))[section]


def load_vectors(section: str = "cases") -> list[dict]:
    """The default transform's cases, or another section's (validate_json)."""
    vectors = json.loads(VECTORS.read_text(encoding="utf-8"))
    return vectors["cases"] if section == "cases" else vectors[section]["cases"]


def decode(record: dict) -> dict:
    """A vector record as bytes, the way Spark and Kafka hold it; its other fields (topic,
    partition, offset, timestamp) as they are."""
    headers = record["headers"]
    return {
        **record,
        "key": to_bytes(record["key"]),
        "value": to_bytes(record["value"]),
        "headers": None if headers is None
        else [(h["key"], to_bytes(h["value"])) for h in headers],
    }


def encode(record: dict) -> dict:
    """decode()'s inverse: bytes as text where they are UTF-8, else as {"base64": ...}."""
    headers = record["headers"]
    return {
        **record,
        "key": from_bytes(record["key"]),
        "value": from_bytes(record["value"]),
        "headers": None if headers is None
        else [{"key": name, "value": from_bytes(value)} for name, value in headers],
    }


def to_bytes(value: str | dict | None) -> bytes | None:
    if value is None:
        return None
    if isinstance(value, dict):
        return base64.b64decode(value["base64"])
    return value.encode("utf-8")


def from_bytes(raw: bytes | None) -> str | dict | None:
    if raw is None:
        return None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return {"base64": base64.b64encode(raw).decode("ascii")}


def source_frame(spark, records: list[dict]):
    """A static DataFrame shaped like Spark's Kafka source, one row per decoded record. Where a
    record does not say where it was read, it is topic 'input', partition 0, offset = its index,
    timestamp 2024-01-01T00:00:00Z."""
    default_time = int(datetime(2024, 1, 1, tzinfo=timezone.utc).timestamp() * 1000)

    def time(r):
        return datetime.fromtimestamp(r.get("timestamp", default_time) / 1000, timezone.utc)

    rows = [
        (r["key"], r["value"], r.get("topic", "input"), r.get("partition", 0),
         r.get("offset", offset), time(r), 0, r["headers"])
        for offset, r in enumerate(records)
    ]
    return spark.createDataFrame(rows, KAFKA_SOURCE_SCHEMA)


def from_rows(rows) -> list[dict]:
    """Output rows as records; with the topic each goes to when the rows have one. A string
    key or value is its UTF-8 bytes, as the Kafka sink writes it."""
    def raw(value):
        if value is None:
            return None
        return value.encode("utf-8") if isinstance(value, str) else bytes(value)

    return [
        {
            **({"topic": row["topic"]} if "topic" in row.asDict() else {}),
            "key": raw(row["key"]),
            "value": raw(row["value"]),
            "headers": None if row["headers"] is None
            else [(h["key"], raw(h["value"])) for h in row["headers"]],
        }
        for row in rows
    ]
