"""Peer (e): the same pass-through as an Apache Flink job through PyFlink, in Flink SQL with
Flink's Kafka SQL connector, the way the connector's docs show.

Reads KAFKA_IN_TOPIC and writes every record (key, value, headers as raw bytes) to
KAFKA_OUT_TOPIC at parallelism 2 (PARALLELISM), on Flink's embedded local cluster. Delivery is
at-least-once: the sink flushes on every checkpoint (every 5 s) and the source commits its
offsets with the checkpoint. BOUNDED=1 stops the job at the offsets that were the latest when it
started, Flink's counterpart of Spark's available-now. FLINK_CONNECTOR_JAR points at
flink-sql-connector-kafka (from Maven Central).
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from pyflink.table import EnvironmentSettings, TableEnvironment


def log_event(event: str, **fields) -> None:
    print(json.dumps({"ts": round(time.time(), 3), "event": event, **fields}), flush=True)


def kafka_table(name: str, topic: str, brokers: str, extra: dict[str, str]) -> str:
    options = {"connector": "kafka", "topic": topic, "properties.bootstrap.servers": brokers,
               "key.format": "raw", "key.fields": "key", "value.format": "raw",
               "value.fields-include": "EXCEPT_KEY", **extra}
    with_clause = ",\n  ".join(f"'{k}' = '{v}'" for k, v in options.items())
    return (f"CREATE TABLE {name} (\n  `key` BYTES,\n  `value` BYTES,\n"
            f"  `headers` MAP<STRING, BYTES> METADATA\n) WITH (\n  {with_clause}\n)")


def main() -> None:
    env = os.environ
    brokers = env["KAFKA_BROKERS"]
    tables = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
    config = tables.get_config()
    config.set("pipeline.jars", Path(env["FLINK_CONNECTOR_JAR"]).resolve().as_uri())
    config.set("parallelism.default", env.get("PARALLELISM", "2"))
    config.set("execution.checkpointing.interval", "5 s")
    source = {"properties.group.id": env["CONSUMER_GROUP"],
              "scan.startup.mode": "earliest-offset"}
    if env.get("BOUNDED") == "1":
        source["scan.bounded.mode"] = "latest-offset"
    tables.execute_sql(kafka_table("source", env["KAFKA_IN_TOPIC"], brokers, source))
    tables.execute_sql(kafka_table("sink", env["KAFKA_OUT_TOPIC"], brokers,
                                   {"sink.delivery-guarantee": "at-least-once"}))
    job = tables.execute_sql("INSERT INTO sink SELECT `key`, `value`, `headers` FROM source")
    log_event("started", app="flink")
    job.wait()
    log_event("stopped", app="flink")


if __name__ == "__main__":
    main()
