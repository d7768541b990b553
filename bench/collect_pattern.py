"""Baseline (a): the pattern the template replaces. Not part of any generated project.

A Spark Structured Streaming query that reads Kafka like the app does, but writes with
foreachBatch: collect() each micro-batch to the driver, then re-produce every record with a
Python Kafka producer (confluent-kafka), flushing before the batch counts as done
(at-least-once, like the app's Kafka sink). The same settings as the app, from the environment:
KAFKA_BROKERS, KAFKA_IN_TOPIC, KAFKA_OUT_TOPIC, CHECKPOINT_LOCATION, STARTING_OFFSETS,
MAX_OFFSETS_PER_TRIGGER, TRIGGER ('<n> seconds' or 'available-now'). Run it with the project's
SPARK_CONF_DIR so it gets the same pinned connector.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time


def log_event(event: str, **fields) -> None:
    print(json.dumps({"ts": round(time.time(), 3), "event": event, **fields}), flush=True)


def main() -> int:
    from confluent_kafka import Producer
    from pyspark.sql import SparkSession

    env = os.environ
    brokers, out_topic = env["KAFKA_BROKERS"], env["KAFKA_OUT_TOPIC"]
    trigger = env.get("TRIGGER", "0 seconds")
    spark = SparkSession.builder.appName("collect-pattern").getOrCreate()
    producer = Producer({"bootstrap.servers": brokers})

    def write_batch(batch, batch_id: int) -> None:
        rows = batch.select("key", "value", "headers").collect()  # the whole batch -> driver
        for row in rows:
            headers = [(h.key, bytes(h.value) if h.value is not None else None)
                       for h in row.headers] if row.headers else None
            key = bytes(row.key) if row.key is not None else None
            value = bytes(row.value) if row.value is not None else None
            while True:
                try:
                    producer.produce(out_topic, key=key, value=value, headers=headers)
                    break
                except BufferError:
                    producer.poll(0.05)
            producer.poll(0)
        if producer.flush(120):
            raise RuntimeError(f"batch {batch_id}: records not delivered")
        log_event("progress", batch_id=batch_id, input_rows=len(rows))

    reader = (spark.readStream.format("kafka")
              .option("kafka.bootstrap.servers", brokers)
              .option("subscribe", env["KAFKA_IN_TOPIC"])
              .option("startingOffsets", env.get("STARTING_OFFSETS", "earliest"))
              .option("includeHeaders", "true"))
    if env.get("MAX_OFFSETS_PER_TRIGGER"):
        reader = reader.option("maxOffsetsPerTrigger", env["MAX_OFFSETS_PER_TRIGGER"])
    writer = (reader.load().writeStream.foreachBatch(write_batch)
              .option("checkpointLocation", env["CHECKPOINT_LOCATION"]))
    if trigger == "available-now":
        writer = writer.trigger(availableNow=True)
    else:
        writer = writer.trigger(processingTime=trigger)
    query = writer.start()
    log_event("started", app="collect-pattern", trigger=trigger)

    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    while not stop and query.isActive:
        query.awaitTermination(1)
    failed = None if stop else query.exception()
    query.stop()
    spark.stop()
    if failed:
        print(f"ERROR: the query failed: {failed}", file=sys.stderr)
        return 1
    log_event("stopped", app="collect-pattern")
    return 0


if __name__ == "__main__":
    sys.exit(main())
