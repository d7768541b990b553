"""Who is measured: every contender as data (what it is, how it is configured), per mode.

The generated apps take their Kafka client options from KAFKA_OPTION_<NAME> (both source and
sink; a producer option reaching the consumer is only a warning) and Spark settings through
--conf, so the "previous defaults" and every lever are the same app under another environment.
Source and sink options that the app has no setting for (minPartitions,
asyncProgressTrackingEnabled) go through bench/app_options.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field

RUN_CAP = -1  # max_offsets: the run's --max-offsets-per-trigger

# The app's settings before issue 16: the Kafka clients' own defaults (kafka-clients 3.9, as
# the Spark 4.2 connector brings it). Pinned explicitly so that this contender keeps measuring
# the old behaviour once the app's defaults change: list here every option a new default sets.
PREVIOUS_DEFAULTS = {
    "KAFKA_OPTION_LINGER_MS": "0",
    "KAFKA_OPTION_BATCH_SIZE": "16384",
    "KAFKA_OPTION_COMPRESSION_TYPE": "none",
    "KAFKA_OPTION_MAX_PARTITION_FETCH_BYTES": "1048576",
    "KAFKA_OPTION_FETCH_MAX_BYTES": "52428800",
    "KAFKA_OPTION_MAX_POLL_RECORDS": "500",
}
CHECKPOINT_MANAGER = "spark.sql.streaming.checkpointFileManagerClass"
STREAMING = "org.apache.spark.sql.execution.streaming.checkpointing"  # Spark 4.1+ (the bench's)
FS_CHECKPOINTS_CONF = {CHECKPOINT_MANAGER: f"{STREAMING}.FileSystemBasedCheckpointFileManager"}
PREVIOUS_SPARK_CONF = {  # Spark's defaults
    "spark.driver.memory": "1g",
    CHECKPOINT_MANAGER: f"{STREAMING}.FileContextBasedCheckpointFileManager",
}


@dataclass(frozen=True)
class Contender:
    key: str
    label: str
    kind: str  # app (a generated variant), collect (a), loop (b, c), perf (c), peer (d, e)
    variant: str = ""  # app: python/java/scala; loop: confluent/jvmloop; perf: tool; peer
    group: str = "app"  # chart colour: app, previous, baseline, ceiling, peer, lever
    env: dict = field(default_factory=dict)  # KAFKA_OPTION_* and other settings
    spark_conf: dict = field(default_factory=dict)  # --conf name=value
    read_options: dict = field(default_factory=dict)  # through bench/app_options.py
    write_options: dict = field(default_factory=dict)
    max_offsets: int | None = RUN_CAP
    data_sets: tuple[str, ...] = ()  # empty: every data set
    stops_itself: bool = True  # exits once the backlog is drained (else: SIGTERM)

    @property
    def spark(self) -> bool:
        return self.kind in ("app", "collect")

    def runs_on(self, data_set: str) -> bool:
        return not self.data_sets or data_set in self.data_sets


def app(key: str, label: str, variant: str = "python", group: str = "app", **how) -> Contender:
    return Contender(key, label, "app", variant, group, **how)


def previous(key: str, label: str, **how) -> Contender:
    """The Python app with the previous defaults, plus one change (a lever) or none."""
    env = {**PREVIOUS_DEFAULTS, **how.pop("env", {})}
    spark_conf = {**PREVIOUS_SPARK_CONF, **how.pop("spark_conf", {})}
    if how or env != PREVIOUS_DEFAULTS or spark_conf != PREVIOUS_SPARK_CONF:
        return app(key, f"previous defaults + {label}", group="lever", env=env,
                   spark_conf=spark_conf, **how)
    return app(key, label, group="previous", env=env, spark_conf=spark_conf)


PYTHON = app("python", "Python app (generated)")
PREVIOUS = previous("previous", "Python app, previous defaults")
JAVA = app("java", "Java app (generated)", "java")
SCALA = app("scala", "Scala app (generated)", "scala")
COLLECT = Contender("collect", "(a) foreachBatch + collect() + Python producer", "collect",
                    group="baseline")
CONFLUENT = Contender("confluent", "(b) confluent-kafka loop (Python)", "loop", "confluent",
                      group="baseline")
JVMLOOP = Contender("jvmloop", "(c) Java-client loop (JVM)", "loop", "jvmloop",
                    group="ceiling")
PERF_PRODUCER = Contender("perf-producer", "(c) Kafka ProducerPerformance (write only)",
                          "perf", "ProducerPerformance", group="ceiling")
PERF_CONSUMER = Contender("perf-consumer", "(c) Kafka ConsumerPerformance (read only)",
                          "perf", "ConsumerPerformance", group="ceiling")
QUIX = Contender("quix", "(d) Quix Streams app", "peer", "quix", group="peer",
                 stops_itself=False)
FLINK = Contender("flink", "(e) PyFlink SQL job, parallelism 2", "peer", "flink", group="peer")

COMPARE = [PYTHON, PREVIOUS, JAVA, SCALA, COLLECT, CONFLUENT, JVMLOOP, QUIX, FLINK,
           PERF_PRODUCER, PERF_CONSUMER]

MIB = 1 << 20
BYTES = ("bytes100",)  # levers whose effect does not depend on the payload: one data set
LEVERS = [
    PREVIOUS,
    previous("lever-linger10", "linger.ms=10", env={"KAFKA_OPTION_LINGER_MS": "10"}),
    previous("lever-batch256k", "batch.size=256 KiB",
             env={"KAFKA_OPTION_BATCH_SIZE": str(256 << 10)}),
    previous("lever-linger10-batch256k", "linger.ms=10 + batch.size=256 KiB",
             env={"KAFKA_OPTION_LINGER_MS": "10", "KAFKA_OPTION_BATCH_SIZE": str(256 << 10)}),
    previous("lever-lz4", "compression.type=lz4", env={"KAFKA_OPTION_COMPRESSION_TYPE": "lz4"},
             data_sets=("json500",)),
    previous("lever-zstd", "compression.type=zstd",
             env={"KAFKA_OPTION_COMPRESSION_TYPE": "zstd"}, data_sets=("json500",)),
    previous("lever-fetch8m", "max.partition.fetch.bytes=8 MiB",
             env={"KAFKA_OPTION_MAX_PARTITION_FETCH_BYTES": str(8 * MIB)}),
    previous("lever-poll10k", "max.poll.records=10000",
             env={"KAFKA_OPTION_MAX_POLL_RECORDS": "10000"}, data_sets=BYTES),
    previous("lever-minpartitions4", "minPartitions=4 (2 per core)",
             read_options={"minPartitions": "4"}, data_sets=BYTES),
    previous("lever-nocap", "maxOffsetsPerTrigger unset (one batch)", max_offsets=None,
             data_sets=BYTES),
    previous("lever-cap100k", "maxOffsetsPerTrigger=100,000", max_offsets=100_000, data_sets=BYTES),
    previous("lever-parallelgc", "JVM: -XX:+UseParallelGC",
             spark_conf={"spark.driver.extraJavaOptions": "-XX:+UseParallelGC"},
             data_sets=BYTES),
    previous("lever-memory2g", "JVM: spark.driver.memory=2g",
             spark_conf={"spark.driver.memory": "2g"}, data_sets=BYTES),
    previous("lever-fs-checkpoints", "checkpoints through the FileSystem API",
             spark_conf=FS_CHECKPOINTS_CONF),
    # Not a default: file: paths without .crc files (one file, so one chmod process, per
    # checkpoint write instead of two); it measures what the forks left still cost.
    previous("lever-fs-checkpoints-raw", "FileSystem-API checkpoints, no .crc files",
             spark_conf={**FS_CHECKPOINTS_CONF,
                         "spark.hadoop.fs.file.impl": "org.apache.hadoop.fs.RawLocalFileSystem"},
             data_sets=BYTES),
    PYTHON,  # the app's defaults: every lever it ships, together
]

# Latency (micro-batch '0 seconds' and real-time) points of each mode: (contender, trigger).
MICRO_BATCH, REAL_TIME = "0 seconds", "real-time"
ASYNC_PROGRESS = previous("lever-async-progress", "asyncProgressTrackingEnabled=true",
                          write_options={"asyncProgressTrackingEnabled": "true"})
ALL_LEVERS = {c.key: c for c in LEVERS}
LINGER_10 = ALL_LEVERS["lever-linger10"]
FS_CHECKPOINTS = ALL_LEVERS["lever-fs-checkpoints"]
FS_CHECKPOINTS_RAW = ALL_LEVERS["lever-fs-checkpoints-raw"]


def latency_points(mode: str, quick: bool, variants: list[str]) -> list[tuple[Contender, str]]:
    if mode == "levers":
        return [(PREVIOUS, MICRO_BATCH), (ASYNC_PROGRESS, MICRO_BATCH), (LINGER_10, MICRO_BATCH),
                (FS_CHECKPOINTS, MICRO_BATCH), (FS_CHECKPOINTS_RAW, MICRO_BATCH),
                (PYTHON, MICRO_BATCH), (PREVIOUS, REAL_TIME),
                (LINGER_10, REAL_TIME), (PYTHON, REAL_TIME)]
    apps = [PYTHON, PREVIOUS] + ([] if quick else
                                 [c for c in (JAVA, SCALA) if c.variant in variants])
    return [(c, t) for c in apps for t in (MICRO_BATCH, REAL_TIME)]


def startup_contenders(mode: str, quick: bool, variants: list[str]) -> list[Contender]:
    if mode == "levers":  # does a proposed default slow the start down?
        return [PREVIOUS, PYTHON]
    return [PYTHON, PREVIOUS] + ([] if quick else
                                 [c for c in (JAVA, SCALA) if c.variant in variants])


def throughput_contenders(mode: str, variants: list[str], only: list[str]) -> list[Contender]:
    chosen = LEVERS if mode == "levers" else COMPARE
    chosen = [c for c in chosen if c.kind != "app" or c.variant in variants]
    return [c for c in chosen if not only or c.key in only]


ALL = {c.key: c for c in [*COMPARE, *LEVERS, ASYNC_PROGRESS]}
LABELS = {key: c.label for key, c in ALL.items()}
