"""Structured log lines: one JSON object per line on stdout, one per micro-batch."""

from __future__ import annotations

import json
import sys
import time

from pyspark.sql.streaming import StreamingQueryListener


def log_event(event: str, **fields: object) -> None:
    record = {"ts": round(time.time(), 3), "event": event, **fields}
    print(json.dumps(record), file=sys.stdout, flush=True)


class ProgressLogger(StreamingQueryListener):
    """Logs every finished micro-batch with its throughput and duration."""

    def onQueryStarted(self, event) -> None:
        log_event("query_started", query_id=str(event.id), name=event.name)

    def onQueryProgress(self, event) -> None:
        progress = event.progress
        log_event(
            "progress",
            batch_id=progress.batchId,
            input_rows=progress.numInputRows,
            input_rows_per_sec=round(progress.inputRowsPerSecond or 0.0, 1),
            processed_rows_per_sec=round(progress.processedRowsPerSecond or 0.0, 1),
            batch_duration_ms=progress.batchDuration,
        )

    def onQueryIdle(self, event) -> None:
        """Called when no new data arrives; nothing to log."""

    def onQueryTerminated(self, event) -> None:
        log_event("query_terminated", query_id=str(event.id),
                  error=(event.exception or "").splitlines()[0] if event.exception else None)
