"""Runtime settings. Each one comes from its command-line flag, else its environment
variable, else its default. The same names and defaults hold for every variant (README)."""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import {{ cookiecutter.package_name }}

# Extra Kafka client options come from the environment only, so secrets never land in a file:
# KAFKA_OPTION_SECURITY_PROTOCOL=SASL_SSL  ->  kafka.security.protocol=SASL_SSL
KAFKA_OPTION_PREFIX = "KAFKA_OPTION_"
# ...or from a file the environment names, as Docker and Kubernetes mount secrets:
# KAFKA_OPTION_SASL_JAAS_CONFIG_FILE=/run/secrets/jaas  ->  kafka.sasl.jaas.config=<its text>
FILE_SUFFIX = "_FILE"

# A config error never shows the value of a setting whose name looks secret (a _FILE setting
# holds a path, which it does show).
SECRET_NAME = re.compile("PASSWORD|JAAS|SECRET|TOKEN|KEY", re.IGNORECASE)
REDACTED = "<redacted>"

# Spark manages these itself and rejects them (see Spark's Kafka integration guide).
KAFKA_OPTIONS_SET_BY_SPARK = {
    "auto.offset.reset", "enable.auto.commit", "interceptor.classes",
    "key.deserializer", "value.deserializer", "key.serializer", "value.serializer",
}

TOPIC = re.compile(r"[a-zA-Z0-9._-]{1,249}")
BROKER = re.compile(r"([A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\]):(\d{1,5})")
INTERVAL = re.compile(r"\d+ (millisecond|second|minute)s?")
AVAILABLE_NOW = "available-now"
# Real-time mode (Spark 4.2+ from Python): records flow continuously; the interval is only
# how often it checkpoints, not a latency target.
REAL_TIME = re.compile(r"real-time( (?P<checkpoint_interval>\d+ (millisecond|second|minute)s?))?")
REAL_TIME_DEFAULT_INTERVAL = "5 minutes"
OUTPUT_MODES = ("append", "update", "complete")

# Kafka client defaults that differ from the clients' own, each measured by `make bench
# LEVERS=1` (docs/benchmarks.md); a KAFKA_OPTION_<NAME> setting wins over any of them.
SOURCE_DEFAULTS = {
    # Fewer, larger polls: Spark's source asks the broker for the partition's offset range
    # after every poll, two round trips that cost more than 500 records (the default).
    "kafka.max.poll.records": "10000",
    "kafka.max.partition.fetch.bytes": str(8 << 20),
}
SINK_DEFAULTS = {
    # Fuller producer batches. Spark flushes the producer when a micro-batch's task ends, so
    # a micro-batch never waits for linger.ms; real-time mode would, so it keeps 0 there.
    "kafka.batch.size": str(256 << 10),
    "kafka.linger.ms": "10",
}
REAL_TIME_SINK_DEFAULTS = {**SINK_DEFAULTS, "kafka.linger.ms": "0"}


class ConfigError(ValueError):
    """A setting has a bad value; str() is the one-line message for the user."""

    def __init__(self, name: str, value: object, rule: str, example: str):
        shown = REDACTED if is_secret(name) else value
        super().__init__(f"{name}={shown}: {rule}; e.g. {example}")


def is_secret(name: str) -> bool:
    return bool(SECRET_NAME.search(name)) and not name.endswith(FILE_SUFFIX)


@dataclass(frozen=True)
class Setting:
    flag: str
    env: str
    default: str | None
    help: str


SETTINGS = {
    "brokers": Setting("--brokers", "KAFKA_BROKERS", "{{ cookiecutter.kafka_brokers }}",
                       "Kafka bootstrap servers, host:port[,host:port...]"),
    "in_topic": Setting("--in-topic", "KAFKA_IN_TOPIC", "{{ cookiecutter.input_topic }}",
                        "topic to read"),
    "out_topic": Setting("--out-topic", "KAFKA_OUT_TOPIC", "{{ cookiecutter.output_topic }}",
                         "topic to write"),
    "dlq_topic": Setting("--dlq-topic", "KAFKA_DLQ_TOPIC", "{{ cookiecutter.dlq_topic }}",
                         "dead-letter topic for rows the transform gives an error; empty: "
                         "none, and such a row stops the query"),
    "checkpoint": Setting("--checkpoint", "CHECKPOINT_LOCATION", "checkpoints/python",
                          "checkpoint directory: it holds the consumed offsets, keep it durable"),
    "starting_offsets": Setting("--starting-offsets", "STARTING_OFFSETS", "earliest",
                                "earliest, latest or per-partition JSON; used by a new "
                                "checkpoint only"),
    "max_offsets_per_trigger": Setting("--max-offsets-per-trigger", "MAX_OFFSETS_PER_TRIGGER",
                                       None, "cap on records per micro-batch (default: no cap)"),
    "trigger": Setting("--trigger", "TRIGGER", "{{ cookiecutter.trigger }}",
                       f"micro-batch interval such as '10 seconds', '{AVAILABLE_NOW}' to "
                       "process what is there and stop, or 'real-time [<checkpoint interval>]'"),
    "output_mode": Setting("--output-mode", "OUTPUT_MODE", "append",
                           "append, update or complete: which result rows of a stateful "
                           "transform are written (real-time mode always uses update)"),
}


@dataclass(frozen=True)
class Settings:
    brokers: str
    in_topic: str
    out_topic: str
    dlq_topic: str | None  # None: no dead-letter topic
    checkpoint: str
    starting_offsets: str
    max_offsets_per_trigger: int | None
    trigger: str
    output_mode: str
    kafka_options: Mapping[str, str]

    @property
    def effective_output_mode(self) -> str:
        """OUTPUT_MODE, except in real-time mode, which supports update only."""
        return "update" if REAL_TIME.fullmatch(self.trigger) else self.output_mode

    @property
    def source_options(self) -> dict[str, str]:
        """The Kafka consumer's options: the app's defaults, then KAFKA_OPTION_*."""
        return {**SOURCE_DEFAULTS, **self.kafka_options}

    @property
    def sink_options(self) -> dict[str, str]:
        """The Kafka producer's options: the app's defaults, then KAFKA_OPTION_*."""
        defaults = REAL_TIME_SINK_DEFAULTS if REAL_TIME.fullmatch(self.trigger) else SINK_DEFAULTS
        return {**defaults, **self.kafka_options}


def parse_settings(argv: Sequence[str] | None, environ: Mapping[str, str]) -> Settings:
    """Settings from flags > environment > defaults; raises ConfigError on a bad value."""
    parser = argparse.ArgumentParser(
        prog="python -m {{ cookiecutter.package_name }}",
        description={{ cookiecutter.package_name }}.__doc__,
        epilog=f"Extra Kafka client options: {KAFKA_OPTION_PREFIX}<NAME>=value in the "
               "environment, e.g. KAFKA_OPTION_SECURITY_PROTOCOL=SASL_SSL.",
    )
    for name, setting in SETTINGS.items():
        parser.add_argument(setting.flag, dest=name, metavar=setting.env,
                            help=f"{setting.help} (env {setting.env}, "
                                 f"default {setting.default or 'unset'})")
    flags = vars(parser.parse_args(argv))

    def value(name: str) -> str | None:
        setting = SETTINGS[name]
        if flags[name] is not None:
            return flags[name]
        return environ.get(setting.env, setting.default)

    settings = Settings(
        brokers=check_brokers(value("brokers")),
        in_topic=check_topic("in_topic", value("in_topic")),
        out_topic=check_topic("out_topic", value("out_topic")),
        dlq_topic=check_topic("dlq_topic", value("dlq_topic")) if value("dlq_topic") else None,
        checkpoint=check_nonempty("checkpoint", value("checkpoint"), "checkpoints/python"),
        starting_offsets=check_starting_offsets(value("starting_offsets")),
        max_offsets_per_trigger=check_max_offsets(value("max_offsets_per_trigger")),
        trigger=check_trigger(value("trigger")),
        output_mode=check_output_mode(value("output_mode")),
        kafka_options=kafka_options(environ),
    )
    if settings.in_topic == settings.out_topic:
        raise ConfigError("KAFKA_OUT_TOPIC", settings.out_topic,
                          "must differ from the input topic, or the app reads its own output",
                          "topic2")
    if settings.dlq_topic in (settings.in_topic, settings.out_topic):
        raise ConfigError("KAFKA_DLQ_TOPIC", settings.dlq_topic,
                          "must differ from the input and output topics, or records would "
                          "loop or mix with good ones", "topic2-dlq")
    return settings


def check_brokers(value: str) -> str:
    entries = value.split(",")
    if not all(BROKER.fullmatch(e.strip()) and 1 <= int(e.rpartition(":")[2]) <= 65535
               for e in entries):
        raise ConfigError("KAFKA_BROKERS", value,
                          "comma-separated host:port with port 1..65535", "localhost:9092")
    return ",".join(e.strip() for e in entries)


def check_topic(name: str, value: str) -> str:
    env = SETTINGS[name].env
    if not TOPIC.fullmatch(value) or value in (".", ".."):
        raise ConfigError(env, value, "1 to 249 of [a-zA-Z0-9._-], not '.' or '..'", "topic1")
    return value


def check_nonempty(name: str, value: str, example: str) -> str:
    if not value.strip():
        raise ConfigError(SETTINGS[name].env, value, "must not be empty", example)
    return value


def check_starting_offsets(value: str) -> str:
    if value in ("earliest", "latest"):
        return value
    try:
        json.loads(value)
    except ValueError:
        raise ConfigError("STARTING_OFFSETS", value,
                          "earliest, latest or JSON like {\"topic1\":{\"0\":-2}}",
                          "earliest") from None
    return value


def check_max_offsets(value: str | None) -> int | None:
    if value is None or value == "":
        return None
    if not value.isdigit() or int(value) < 1:
        raise ConfigError("MAX_OFFSETS_PER_TRIGGER", value, "a positive whole number", "100000")
    return int(value)


def check_trigger(value: str) -> str:
    if value == AVAILABLE_NOW or INTERVAL.fullmatch(value) or REAL_TIME.fullmatch(value):
        return value
    raise ConfigError("TRIGGER", value,
                      f"an interval '<n> milliseconds|seconds|minutes', '{AVAILABLE_NOW}' or "
                      "'real-time [<interval>]'", "10 seconds")


def check_output_mode(value: str) -> str:
    if value not in OUTPUT_MODES:
        raise ConfigError("OUTPUT_MODE", value, "append, update or complete", "update")
    return value


def kafka_options(environ: Mapping[str, str]) -> dict[str, str]:
    """KAFKA_OPTION_<NAME>=value  ->  {'kafka.<name>': value}; for source and sink alike.
    KAFKA_OPTION_<NAME>_FILE=path: the value is the text of that file."""
    options = {}
    for key in sorted(environ):
        if not key.startswith(KAFKA_OPTION_PREFIX) or len(key) == len(KAFKA_OPTION_PREFIX):
            continue
        from_file = key.endswith(FILE_SUFFIX) and len(key) > len(KAFKA_OPTION_PREFIX + FILE_SUFFIX)
        setting = key[:-len(FILE_SUFFIX)] if from_file else key
        name = setting[len(KAFKA_OPTION_PREFIX):].lower().replace("_", ".")
        if name in KAFKA_OPTIONS_SET_BY_SPARK or name == "bootstrap.servers":
            raise ConfigError(key, environ[key], "set by the app itself; use the matching "
                              "setting instead (e.g. KAFKA_BROKERS, STARTING_OFFSETS)",
                              "KAFKA_OPTION_SECURITY_PROTOCOL=SASL_SSL")
        if from_file and setting in environ:
            raise ConfigError(key, environ[key], f"set {setting} or {key}, not both",
                              f"unset {setting}")
        options[f"kafka.{name}"] = read_file(key, environ[key]) if from_file else environ[key]
    return options


def read_file(name: str, path: str) -> str:
    """The text of the file that ``name`` (a *_FILE setting) points at, without trailing line
    breaks. Errors name the file, never what is in it."""
    try:
        with open(path, "rb") as file:
            text = file.read().decode("utf-8").rstrip("\r\n")
    except FileNotFoundError:
        problem = "the file does not exist"
    except IsADirectoryError:
        problem = "the path is a directory, not a file"
    except PermissionError:
        problem = "the file is not readable (permission denied)"
    except UnicodeDecodeError:
        problem = "the file is not UTF-8 text"
    except OSError:
        problem = "the file cannot be read"
    else:
        if text:
            return text
        problem = "the file is empty"
    raise ConfigError(name, path, problem, f"{name}=/run/secrets/kafka-password")
