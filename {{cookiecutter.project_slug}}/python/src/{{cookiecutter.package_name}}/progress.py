"""Structured log lines: one JSON object per line on stdout, one per micro-batch."""

from __future__ import annotations

import json
import sys
import time

from pyspark.sql.streaming import StreamingQueryListener

from .routing import DEAD_LETTER_METRIC


def log_event(event: str, **fields: object) -> None:
    record = {"ts": round(time.time(), 3), "event": event, **fields}
    print(json.dumps(record), file=sys.stdout, flush=True)


class ProgressLogger(StreamingQueryListener):
    """Logs every finished micro-batch: its throughput, duration and dead-letter rows."""

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
            dead_letter_rows=dead_letter_rows(progress),
        )

    def onQueryIdle(self, event) -> None:
        """Called when no new data arrives; nothing to log."""

    def onQueryTerminated(self, event) -> None:
        log_event("query_terminated", query_id=str(event.id),
                  error=(event.exception or "").splitlines()[0] if event.exception else None)


def dead_letter_rows(progress) -> int:
    """Rows routed to the dead-letter topic in this batch (0 when the transform has no error
    column): observed by the query itself, so counting costs no second pass."""
    metrics = progress.observedMetrics.get(DEAD_LETTER_METRIC)
    return metrics["rows"] if metrics is not None else 0
