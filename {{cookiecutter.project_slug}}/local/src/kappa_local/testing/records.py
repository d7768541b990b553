"""Records on a real broker for tests: produce them (as the broker acknowledged them), read a
whole topic, and check that nothing was lost byte for byte. ``kafka`` is anything with a
``client_config`` (confluent-kafka settings): a Broker, a Cluster."""

from __future__ import annotations

import contextlib
import time
import uuid
from collections import Counter

from .apps import START_TIMEOUT

CONSUME_TIMEOUT = 600


def produce(kafka, topic: str, records: list[tuple], rate: float | None = None,
            timestamps: list[int] | None = None) -> list[tuple[int, int, int]]:
    """Produce (key, value, headers) records, optionally ``rate`` per second and with their
    timestamps (epoch ms); returns where each landed: (partition, offset, timestamp), as the
    broker reported it."""
    from confluent_kafka import Producer

    producer = Producer({**kafka.client_config, "linger.ms": 5})
    landed: dict[int, tuple[int, int, int]] = {}

    def delivered(index, error, message):
        if error is None:
            landed[index] = (message.partition(), message.offset(), message.timestamp()[1])

    for i, (key, value, headers) in enumerate(records):
        producer.produce(topic, key=key, value=value, headers=headers,
                         timestamp=timestamps[i] if timestamps else 0,
                         on_delivery=lambda error, message, i=i: delivered(i, error, message))
        producer.poll(0)
        if rate and i % 50 == 0:
            time.sleep(50 / rate)
    assert producer.flush(CONSUME_TIMEOUT) == 0, "the producer could not deliver every record"
    assert len(landed) == len(records), "the broker did not acknowledge every record"
    return [landed[i] for i in range(len(records))]


@contextlib.contextmanager
def reading(kafka, topic: str):
    """A consumer of the whole topic, from its first record, in a group of its own."""
    from confluent_kafka import Consumer

    consumer = Consumer({**kafka.client_config, "group.id": uuid.uuid4().hex,
                         "auto.offset.reset": "earliest", "enable.auto.commit": False})
    consumer.subscribe([topic])
    try:
        yield consumer
    finally:
        consumer.close()


def consume_until(kafka, topic: str, expected: list[tuple], timeout=CONSUME_TIMEOUT) -> list:
    """Everything on the topic until every expected record has arrived (or the timeout)."""
    wanted, seen = Counter(map(freeze, expected)), []
    deadline = time.monotonic() + timeout
    with reading(kafka, topic) as consumer:
        while time.monotonic() < deadline and +(wanted - Counter(seen)):
            for message in consumer.consume(num_messages=1000, timeout=1.0):
                assert message.error() is None, message.error()
                seen.append(freeze((message.key(), message.value(), message.headers() or [])))
        # Extra copies still in flight right after the last expected record are counted too
        # (this only affects the reported duplicates, never whether the test passes).
        for message in consumer.consume(num_messages=10000, timeout=2.0):
            seen.append(freeze((message.key(), message.value(), message.headers() or [])))
    return seen


def freeze(record) -> tuple:
    """A (key, value, headers) record as a hashable tuple, headers as (name, bytes) pairs."""
    key, value, headers = record
    return key, value, tuple((name, bytes(v) if v is not None else None) for name, v in headers)


def assert_nothing_lost(expected: list[tuple], seen: list[tuple]) -> int:
    """Every expected record arrived byte for byte; returns how many extra copies arrived (the
    Kafka sink is at-least-once)."""
    missing = Counter(map(freeze, expected)) - Counter(seen)
    assert not missing, f"{sum(missing.values())} records lost, e.g. {next(iter(missing))}"
    unexpected = set(seen) - set(map(freeze, expected))
    assert not unexpected, f"records that were never produced: {list(unexpected)[:3]}"
    return len(seen) - len(expected)


def wait_until_some_output(kafka, topic: str, timeout: float = START_TIMEOUT) -> None:
    """Wait until the topic holds at least one record."""
    deadline = time.monotonic() + timeout
    with reading(kafka, topic) as consumer:
        while time.monotonic() < deadline:
            if consumer.consume(num_messages=1, timeout=1.0):
                return
    raise AssertionError(f"no output on {topic} within {timeout}s")
