"""What fault tests on a cluster use: Kafka's own acknowledging producer, a consumer that records
the output topic as it grows, and waiting for a condition.

Counting "nothing lost" follows Kafka's own system tests (kafkatest produce_consume_validate):
only records the producer saw acknowledged must arrive; records whose send failed when a broker
died may or may not arrive. The sink is at-least-once, so duplicates are counted, not forbidden.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
import uuid
from pathlib import Path

from .. import jars
from .apps import STOP_TIMEOUT

# VerifiableProducer writes JSON lines to stdout; its own logging goes to stderr, WARN and up.
LOG4J_TO_STDERR = """\
rootLogger.level = warn
rootLogger.appenderRef.err.ref = STDERR
appender.err.type = Console
appender.err.name = STDERR
appender.err.target = SYSTEM_ERR
appender.err.layout.type = PatternLayout
appender.err.layout.pattern = [%d] %p %m (%c)%n
"""


def wait_until(condition, timeout: float, what: str, meanwhile=lambda: None):
    """Poll ``condition`` until it returns something truthy (which is returned); call
    ``meanwhile`` between polls (e.g. to restart a query that failed)."""
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout:.0f}s")
        meanwhile()
        time.sleep(0.5)
    return result


def has_finished_a_task(executor_pid: int) -> bool:
    """Has this executor finished a task yet (it fetches the app's jars first)? A Worker runs
    each executor in its own work dir and logs its stderr (Spark's INFO lines) there."""
    try:
        log = Path(os.readlink(f"/proc/{executor_pid}/cwd")) / "stderr"
        return "Finished task" in log.read_text(errors="replace")
    except OSError:
        return False


class AckingProducer:
    """Kafka's VerifiableProducer (kafka-tools, on the local broker's classpath): acks=all, no
    retries, a steady ``rate`` of records whose values count up and whose keys repeat. It
    prints every send's outcome, so the test knows exactly which records were acknowledged.
    Runs until stop()."""

    KEYS = 7  # keys "0".."6": records with keys cross the cluster too

    def __init__(self, bootstrap: str, topic: str, rate: int, log_dir: Path):
        classpath = jars.classpath(log=lambda line: None)  # the brokers' own jars
        log_dir.mkdir(parents=True, exist_ok=True)
        log4j = log_dir / "log4j2.properties"
        log4j.write_text(LOG4J_TO_STDERR)
        self.stdout_path = log_dir / "producer.jsonl"
        with open(self.stdout_path, "wb") as out, open(log_dir / "producer.err", "wb") as err:
            self.process = subprocess.Popen(
                [jars.java(), "-Xmx256m", f"-Dlog4j2.configurationFile={log4j}",
                 "-cp", classpath, "org.apache.kafka.tools.VerifiableProducer",
                 "--bootstrap-server", bootstrap, "--topic", topic, "--acks", "-1",
                 "--throughput", str(rate), "--repeating-keys", str(self.KEYS)],
                stdout=out, stderr=err, start_new_session=True)

    def __enter__(self) -> AckingProducer:
        return self

    def __exit__(self, *exc) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(STOP_TIMEOUT)

    def events(self) -> list[dict]:
        text = self.stdout_path.read_text(encoding="utf-8", errors="replace")
        complete = text[:text.rfind("\n") + 1]  # it may be writing the last line now
        return [json.loads(line) for line in complete.splitlines() if line.startswith("{")]

    def stop(self) -> None:
        """SIGTERM: it closes the producer (every pending send gets its outcome) and exits."""
        self.process.terminate()
        self.process.wait(STOP_TIMEOUT)
        events = [e["name"] for e in self.events()]
        assert "shutdown_complete" in events, f"the producer did not stop cleanly: {events[-3:]}"

    def records(self, outcome: str) -> list[tuple[bytes, bytes]]:
        """(key, value) of every send with that outcome: "success" (acknowledged) or "error"."""
        return [(e["key"].encode(), e["value"].encode()) for e in self.events()
                if e["name"] == f"producer_send_{outcome}"]


    def keys_sent_to(self, partition: int) -> set[bytes]:
        """The keys of the acknowledged records that went to ``partition`` (keys decide it)."""
        return {e["key"].encode() for e in self.events()
                if e["name"] == "producer_send_success" and e["partition"] == partition}


class OutputLog:
    """Reads a topic from its start in a background thread: every record's (key, value) and
    the time its writer created it (CreateTime, epoch seconds), in arrival order."""

    def __init__(self, bootstrap: str, topic: str):
        from confluent_kafka import Consumer

        self._consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": uuid.uuid4().hex,
                                   "auto.offset.reset": "earliest", "enable.auto.commit": False})
        self._consumer.subscribe([topic])
        self._records: list[tuple[bytes | None, bytes | None, float]] = []
        self._lock, self._done = threading.Lock(), threading.Event()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        while not self._done.is_set():
            for message in self._consumer.consume(num_messages=1000, timeout=0.5):
                if message.error() is None:  # e.g. a partition leader moving: read on
                    with self._lock:
                        self._records.append(
                            (message.key(), message.value(), message.timestamp()[1] / 1000))
        self._consumer.close()

    def __enter__(self) -> OutputLog:
        return self

    def __exit__(self, *exc) -> None:
        self._done.set()
        self._thread.join(60)

    def records(self) -> list[tuple[bytes | None, bytes | None]]:
        with self._lock:
            return [(key, value) for key, value, _ in self._records]

    def records_missing(self, expected) -> set:
        """Which of the ``expected`` (key, value) records have not arrived yet."""
        return set(expected) - set(self.records())

    def seconds_to_first_record_after(self, moment: float, timeout: float,
                                      meanwhile=lambda: None, keys=None) -> float:
        """Wait for the first record (with one of ``keys``, if given) written after ``moment``
        (epoch seconds, e.g. a kill); returns how long after ``moment`` it was written."""
        def first_after() -> float | None:
            with self._lock:
                return next((created for key, _, created in self._records
                             if created > moment and (keys is None or key in keys)), None)

        created = wait_until(first_after, timeout, "a new output record", meanwhile)
        return round(created - moment, 1)
