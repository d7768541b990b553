"""Talking to a running cluster with confluent-kafka's AdminClient: is it ready, create topics
and wait until every partition has a leader (and, on a cluster, every replica in sync)."""

from __future__ import annotations

import time
from collections.abc import Mapping

from .processes import LocalError


def parse_topics(topics, partitions: int) -> dict[str, int]:
    """``"a,b:3"`` or ``["a", "b:3"]`` -> ``{"a": partitions, "b": 3}``."""
    items = topics.split(",") if isinstance(topics, str) else topics
    result = {}
    for item in items:
        name, _, count = item.strip().partition(":")
        try:
            if name:
                result[name] = int(count) if count else partitions
        except ValueError:
            raise LocalError(f"bad topic {item!r}: write NAME or NAME:PARTITIONS") from None
    return result


def admin_client(bootstrap: str, client_config: Mapping[str, str] | None = None):
    # Imported here: `down` and `status` must work where confluent-kafka is not installed.
    from confluent_kafka.admin import AdminClient

    # log_level 0: no "Connection refused" lines on stderr while the broker starts.
    return AdminClient({"bootstrap.servers": bootstrap, "log_level": 0, **(client_config or {})})


def brokers_answering(admin) -> int:
    """How many brokers the cluster lists right now (0 while it is not listening)."""
    from confluent_kafka import KafkaException

    try:
        return len(admin.list_topics(timeout=1).brokers)
    except KafkaException:
        return 0


def create_topics(admin, wanted: Mapping[str, int], replicas: int, timeout: float,
                  config: Mapping[str, str] | None = None) -> None:
    """Create topics unless they exist, and wait until every partition has a leader and
    ``replicas`` in-sync replicas, so that clients can use them at once."""
    from confluent_kafka import KafkaError, KafkaException
    from confluent_kafka.admin import NewTopic

    if not wanted:
        return
    deadline = time.monotonic() + timeout
    new_topics = [NewTopic(name, count, replicas, config=dict(config or {}))
                  for name, count in wanted.items()]
    for name, future in admin.create_topics(new_topics, request_timeout=timeout).items():
        try:
            future.result()
        except KafkaException as e:
            if e.args[0].code() != KafkaError.TOPIC_ALREADY_EXISTS:
                raise LocalError(f"cannot create topic {name!r}: {e.args[0].str()}") from None
    while not all_in_sync(admin, wanted, replicas):
        if time.monotonic() > deadline:
            raise LocalError(f"topics {', '.join(wanted)} were not ready (a leader and "
                             f"{replicas} in-sync replicas per partition) within {timeout:.0f}s")
        time.sleep(0.2)


def all_in_sync(admin, topics, replicas: int = 1) -> bool:
    """Does every partition of ``topics`` have a leader and ``replicas`` in-sync replicas?"""
    from confluent_kafka import KafkaException

    try:
        metadata = admin.list_topics(timeout=10)
    except KafkaException:  # a slow answer on a busy machine: ask again
        return False
    for name in topics:
        info = metadata.topics.get(name)
        if not (info and not info.error and info.partitions):
            return False
        if not all(p.leader >= 0 and len(p.isrs) >= replicas for p in info.partitions.values()):
            return False
    return True
