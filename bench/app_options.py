"""The generated Python app with extra Kafka source and sink options it has no setting for
(minPartitions, asyncProgressTrackingEnabled), for the benchmark's lever contenders only.

BENCH_READ_OPTIONS and BENCH_WRITE_OPTIONS hold JSON objects of option -> value; they are set
on every streaming reader's load() and writer's start(), then the app runs as
`python -m kappa_app` would.
"""

from __future__ import annotations

import json
import os
import sys

from pyspark.sql.streaming import DataStreamReader, DataStreamWriter


def with_options(method, variable: str):
    extra = json.loads(os.environ.get(variable) or "{}")

    def patched(self, *args, **kwargs):
        for name, value in extra.items():
            self.option(name, value)
        return method(self, *args, **kwargs)

    return patched


DataStreamReader.load = with_options(DataStreamReader.load, "BENCH_READ_OPTIONS")
DataStreamWriter.start = with_options(DataStreamWriter.start, "BENCH_WRITE_OPTIONS")

if __name__ == "__main__":
    from kappa_app.app import main

    sys.exit(main())
