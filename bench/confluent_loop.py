"""Baseline (b): a plain Python consume-then-produce loop with confluent-kafka (librdkafka).

No Spark. Consumes in batches, re-produces each record (key, value, headers), then flushes and
commits the batch's offsets (at-least-once, like the app). Stops after EXPECTED records.

    python confluent_loop.py BOOTSTRAP IN_TOPIC OUT_TOPIC EXPECTED
"""

from __future__ import annotations

import json
import sys
import time
import uuid

from confluent_kafka import Consumer, KafkaError, Producer

BATCH = 10_000


def log_event(event: str, **fields) -> None:
    print(json.dumps({"ts": round(time.time(), 3), "event": event, **fields}), flush=True)


def main(bootstrap: str, in_topic: str, out_topic: str, expected: int) -> int:
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"loop-{uuid.uuid4().hex}",
                         "auto.offset.reset": "earliest", "enable.auto.commit": False})
    producer = Producer({"bootstrap.servers": bootstrap})
    consumer.subscribe([in_topic])
    log_event("started", app="confluent-loop")
    done = 0
    while done < expected:
        messages = consumer.consume(num_messages=BATCH, timeout=1.0)
        for message in messages:
            if message.error():
                if message.error().code() == KafkaError._PARTITION_EOF:
                    continue
                print(f"ERROR: {message.error()}", file=sys.stderr)
                return 1
            while True:
                try:
                    producer.produce(out_topic, key=message.key(), value=message.value(),
                                     headers=message.headers())
                    break
                except BufferError:
                    producer.poll(0.05)
            producer.poll(0)
            done += 1
        if messages:
            producer.flush()
            consumer.commit(asynchronous=True)
    consumer.close()
    log_event("stopped", app="confluent-loop", records=done)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])))
