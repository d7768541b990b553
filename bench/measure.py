"""Kafka-side measurement for the benchmark: topics, preloading, pacing, timestamps.

Every time here is wall-clock (epoch) time on this machine: the broker's LogAppendTime, the
producer's header stamp and the apps' "started" events all read the same clock.
"""

from __future__ import annotations

import os
import struct
import threading
import time
import uuid
from collections.abc import Callable

from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

# The produce time (ns since the epoch) of a paced record, 8 bytes big-endian.
STAMP_HEADER = "bench-produce-ns"
PHASE_HEADER = "bench-phase"
LOG_APPEND_TIME = {"message.timestamp.type": "LogAppendTime"}

Say = Callable[[str], None]


def create_topics(bootstrap: str, names: list[str], partitions: int,
                  log_append_time: bool = True) -> None:
    """Create topics; output topics stamp LogAppendTime, so a record's timestamp is its arrival."""
    admin = AdminClient({"bootstrap.servers": bootstrap, "log_level": 3})
    config = LOG_APPEND_TIME if log_append_time else {}
    futures = admin.create_topics([NewTopic(n, num_partitions=partitions, replication_factor=1,
                                            config=dict(config)) for n in names],
                                  operation_timeout=30)
    for name, future in futures.items():
        try:
            future.result(60)
        except KafkaException as error:
            raise RuntimeError(f"could not create topic {name}: {error}") from None
    wait_for_leaders(bootstrap, names)


def wait_for_leaders(bootstrap: str, names: list[str], timeout: float = 60) -> None:
    admin = AdminClient({"bootstrap.servers": bootstrap, "log_level": 3})
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        metadata = admin.list_topics(timeout=10)
        ready = [n for n in names if n in metadata.topics and metadata.topics[n].error is None
                 and metadata.topics[n].partitions
                 and all(p.leader >= 0 for p in metadata.topics[n].partitions.values())]
        if len(ready) == len(names):
            return
        time.sleep(0.2)
    raise RuntimeError(f"topics without a leader after {timeout}s: {names}")


def payloads(size: int, variety: int = 4096) -> list[bytes]:
    """Distinct random values of ``size`` bytes (incompressible, as real payloads often are)."""
    pool = os.urandom(size + variety)
    return [pool[i:i + size] for i in range(variety)]


def bulk_producer(bootstrap: str) -> Producer:
    return Producer({"bootstrap.servers": bootstrap, "linger.ms": 20, "batch.size": 1 << 20,
                     "queue.buffering.max.messages": 1_000_000,
                     "queue.buffering.max.kbytes": 1 << 20})


def produce(producer: Producer, topic: str, value: bytes, headers=None, key=None) -> None:
    while True:
        try:
            producer.produce(topic, key=key, value=value, headers=headers)
            return
        except BufferError:  # the local queue is full: let deliveries drain it
            producer.poll(0.05)


def preload(bootstrap: str, topic: str, count: int, pool: list, say: Say) -> float:
    """Write ``count`` records cycling through ``pool`` ((key, value, headers) tuples);
    returns seconds."""
    producer = bulk_producer(bootstrap)
    started = time.monotonic()
    next_note = started + 10
    for i in range(count):
        key, value, headers = pool[i % len(pool)]
        produce(producer, topic, value, headers, key)
        if i % 1000 == 0:
            producer.poll(0)
            if time.monotonic() > next_note:
                say(f"  preload: {i:,}/{count:,} records")
                next_note += 10
    left = producer.flush(300)
    if left:
        raise RuntimeError(f"preload: {left} records were not delivered to {topic}")
    return time.monotonic() - started


def partitions_of(consumer: Consumer, topic: str) -> list[int]:
    metadata = consumer.list_topics(topic, timeout=10)
    return sorted(metadata.topics[topic].partitions)


def _consumer(bootstrap: str, **extra) -> Consumer:
    return Consumer({"bootstrap.servers": bootstrap, "group.id": f"bench-{uuid.uuid4().hex}",
                     "log_level": 3,
                     "enable.auto.commit": False, "auto.offset.reset": "earliest", **extra})


def watermarks(consumer: Consumer, tp: TopicPartition, timeout: float = 60) -> tuple[int, int]:
    """(low, high) offsets of a partition; retried while the broker settles a new topic's
    leadership (NOT_LEADER_FOR_PARTITION and the like)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return consumer.get_watermark_offsets(tp, timeout=10)
        except KafkaException:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def count(bootstrap: str, topic: str) -> int:
    """Records on ``topic`` (sum of high watermarks: the topics here are never truncated)."""
    consumer = _consumer(bootstrap)
    try:
        return sum(watermarks(consumer, TopicPartition(topic, p))[1]
                   for p in partitions_of(consumer, topic))
    finally:
        consumer.close()


def span(bootstrap: str, topic: str) -> dict:
    """Count plus the first and last timestamps (ms) on ``topic``, from each partition's first
    and last record: with LogAppendTime these are the first and last arrivals."""
    consumer = _consumer(bootstrap)
    first, last, total = None, None, 0
    try:
        for p in partitions_of(consumer, topic):
            low, high = watermarks(consumer, TopicPartition(topic, p))
            total += high
            if high <= low:
                continue
            for offset in {low, high - 1}:
                ts = _timestamp_at(consumer, topic, p, offset)
                first = ts if first is None else min(first, ts)
                last = ts if last is None else max(last, ts)
    finally:
        consumer.close()
    return {"count": total, "first_ms": first, "last_ms": last}


def _timestamp_at(consumer: Consumer, topic: str, partition: int, offset: int) -> int:
    consumer.assign([TopicPartition(topic, partition, offset)])
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        message = consumer.poll(1.0)
        if message is None or message.error():
            continue
        return message.timestamp()[1]
    raise RuntimeError(f"could not read {topic}[{partition}]@{offset}")


def wait_for_count(bootstrap: str, topic: str, expected: int, timeout: float, say: Say,
                   alive: Callable[[], bool] = lambda: True, what: str = "") -> int:
    """Poll the output topic until ``expected`` records are there; returns the count.

    Stops early when ``alive()`` turns false and the count stays put for 5 s."""
    deadline = time.monotonic() + timeout
    next_note = time.monotonic() + 15
    consumer = _consumer(bootstrap)
    try:
        parts = [TopicPartition(topic, p) for p in partitions_of(consumer, topic)]
        seen, dead_since = -1, None
        while True:
            now = time.monotonic()
            seen = sum(watermarks(consumer, tp)[1] for tp in parts)
            if seen >= expected or now > deadline:
                return seen
            if not alive():
                dead_since = dead_since or now
                if now - dead_since > 5:
                    return seen
            if now > next_note:
                say(f"  {what}{seen:,}/{expected:,} records on {topic}")
                next_note = now + 15
            time.sleep(0.25)
    finally:
        consumer.close()


def wait_for_first(bootstrap: str, topic: str, timeout: float,
                   alive: Callable[[], bool] = lambda: True) -> int | None:
    """The timestamp (ms) of the first record to show up on ``topic``, or None."""
    consumer = _consumer(bootstrap)
    try:
        parts = [TopicPartition(topic, p) for p in partitions_of(consumer, topic)]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and alive():
            if any(watermarks(consumer, tp)[1] > 0 for tp in parts):
                return span(bootstrap, topic)["first_ms"]
            time.sleep(0.05)
        return None
    finally:
        consumer.close()


class PacedProducer:
    """Produces at fixed rates in a background thread; each record carries its produce time
    (ns, taken just before produce()) and its phase in headers."""

    def __init__(self, bootstrap: str, topic: str, size: int):
        # A latency producer: little batching delay (librdkafka still batches what queues up).
        self.producer = Producer({"bootstrap.servers": bootstrap, "linger.ms": 1})
        self.topic, self.values = topic, payloads(size, 256)
        self.produced: dict[str, int] = {}
        self.error: BaseException | None = None
        self._stop = threading.Event()

    def run_phase(self, phase: str, rate: float, seconds: float) -> int:
        """Produce ``rate`` records/s for ``seconds`` (blocking); returns the number sent."""
        started, sent = time.perf_counter(), 0
        total = int(rate * seconds)
        phase_bytes = phase.encode()
        while sent < total and not self._stop.is_set():
            due = min(total, int((time.perf_counter() - started) * rate) + 1)
            while sent < due:
                headers = [(STAMP_HEADER, struct.pack(">q", time.time_ns())),
                           (PHASE_HEADER, phase_bytes)]
                produce(self.producer, self.topic, self.values[sent % len(self.values)], headers)
                sent += 1
            self.producer.poll(0)
            time.sleep(0.0005)
        self.produced[phase] = self.produced.get(phase, 0) + sent
        if self.producer.flush(60):
            raise RuntimeError("the paced producer could not deliver every record")
        return sent

    def stop(self) -> None:
        self._stop.set()


def latencies(bootstrap: str, topic: str, expected: int, timeout: float) -> dict[str, list]:
    """Read every record on ``topic``: {phase: [(produce_ns, latency_ms), ...]}, where the
    latency is the record's LogAppendTime on the output topic minus its produce stamp."""
    consumer = _consumer(bootstrap, **{"fetch.wait.max.ms": 50})
    consumer.subscribe([topic])
    out: dict[str, list] = {}
    got, deadline = 0, time.monotonic() + timeout
    try:
        while got < expected and time.monotonic() < deadline:
            for message in consumer.consume(num_messages=10_000, timeout=1.0):
                if message.error():
                    continue
                got += 1
                headers = dict(message.headers() or [])
                stamp = headers.get(STAMP_HEADER)
                if stamp is None:
                    continue
                produce_ns = struct.unpack(">q", stamp)[0]
                arrival_ms = message.timestamp()[1]
                phase = headers.get(PHASE_HEADER, b"?").decode()
                out.setdefault(phase, []).append((produce_ns, arrival_ms - produce_ns / 1e6))
    finally:
        consumer.close()
    return out


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))  # ceil(n * q / 100)
    return ordered[int(rank) - 1]
