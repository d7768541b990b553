"""Peer (d): the same pass-through as a Quix Streams app, written the way its docs show.

Reads KAFKA_IN_TOPIC and writes every record (key, value and headers, as bytes) to
KAFKA_OUT_TOPIC, at-least-once (Quix's default processing guarantee: offsets are committed
after the produced records are flushed, every commit_interval, 5 s by default). Runs until
SIGTERM. Settings from the environment, like the generated app: KAFKA_BROKERS,
KAFKA_IN_TOPIC, KAFKA_OUT_TOPIC, STATE_DIR (Quix's local state folder, unused by this
stateless app), CONSUMER_GROUP.
"""

from __future__ import annotations

import json
import os
import time

from quixstreams import Application


def log_event(event: str, **fields) -> None:
    print(json.dumps({"ts": round(time.time(), 3), "event": event, **fields}), flush=True)


def main() -> None:
    env = os.environ
    app = Application(broker_address=env["KAFKA_BROKERS"], consumer_group=env["CONSUMER_GROUP"],
                      auto_offset_reset="earliest", processing_guarantee="at-least-once",
                      state_dir=env["STATE_DIR"], loglevel="WARNING")
    source = app.topic(env["KAFKA_IN_TOPIC"], key_deserializer="bytes",
                       value_deserializer="bytes")
    sink = app.topic(env["KAFKA_OUT_TOPIC"], key_serializer="bytes", value_serializer="bytes")
    app.dataframe(source).to_topic(sink)
    log_event("started", app="quix")
    app.run()  # stops cleanly on SIGTERM or SIGINT
    log_event("stopped", app="quix")


if __name__ == "__main__":
    main()
