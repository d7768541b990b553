"""Pre-generation hook: reject bad answers with one clear line, before any file is written.

Cookiecutter runs this file as a separate process with its own Python (the one cookiecutter
runs on), so it imports only the standard library and cookiecutter. The answers arrive as
data (JSON rendered by `tojson`), never pasted into source. The rules live in plain
functions that tests/test_hooks.py imports.

The first line of output for a rejected answer is always:
    ERROR: <field>=<value>: <rule>; e.g. <valid example>
one line: a value with a line break or another character that does not print as itself is
shown escaped, as a Python string literal. The second line says how to retry from the answers
cookiecutter saved, with only that one fixed.
"""

from __future__ import annotations

import json
import keyword
import os
import re
import shlex
import sys
import unicodedata
from pathlib import Path

# Rendered by cookiecutter; tests import this module unrendered and never read it.
CONTEXT_JSON = r"""{{ cookiecutter | tojson }}"""

SLUG = re.compile(r"[a-z][a-z0-9]*(-[a-z0-9]+)*")
PACKAGE = re.compile(r"[a-z][a-z0-9_]*")
# No '$': Java allows it, but the Java package is also the Maven groupId ([A-Za-z0-9_.-]) and
# a make variable's value.
JAVA_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
TOPIC = re.compile(r"[a-zA-Z0-9._-]{1,249}")
PORT = re.compile(r"[0-9]{1,5}")  # ASCII: str.isdigit() also takes '²' and '٩'
HOST = re.compile(r"[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\]")
SPARK_VERSION = re.compile(r"([0-9]+)\.([0-9]+)\.([0-9]+)")  # ASCII digits: \d also takes ٣
INTERVAL = r"[0-9]+ (millisecond|second|minute)s?"
TRIGGER = re.compile(rf"{INTERVAL}|available-now|real-time( {INTERVAL})?")
BOOLEAN_WORDS = {"1": True, "true": True, "t": True, "yes": True, "y": True, "on": True,
                 "0": False, "false": False, "f": False, "no": False, "n": False, "off": False}

# The post-gen hook's pin markers: text holding one would be rewritten or stop the render.
PIN_MARKER = re.compile(r"@@[A-Z_]+@@")
# What project_slug derives to from a name with no letter or digit in any script (cookiecutter
# would otherwise get an empty directory name and fail before this hook runs).
NO_SLUG = "_no_slug_from_project_name"

# Names a generated package must not take: they would shadow what the app and its tests import
# (pyspark, py4j, confluent_kafka, pytest, kappa_local), or a top-level module of the generated
# project itself: python/tests (the `tests` package), python/main.py (spark-submit's entry file,
# run as `main`) and local/ (kappa_local). tests/test_package_names.py derives the project's
# own from a rendered tree and checks they are all here.
TAKEN_PACKAGE_NAMES = {"pyspark", "py4j", "confluent_kafka", "kafka", "pytest", "test", "tests",
                       "main", "kappa_local"}

JAVA_RESERVED = {
    "abstract", "assert", "boolean", "break", "byte", "case", "catch", "char", "class", "const",
    "continue", "default", "do", "double", "else", "enum", "extends", "false", "final",
    "finally", "float", "for", "goto", "if", "implements", "import", "instanceof", "int",
    "interface", "long", "native", "new", "null", "package", "private", "protected", "public",
    "return", "short", "static", "strictfp", "super", "switch", "synchronized", "this", "throw",
    "throws", "transient", "true", "try", "void", "volatile", "while", "_",
}


class InputError(ValueError):
    """One rejected answer; str() is the line shown to the user."""

    def __init__(self, field: str, value: object, rule: str, example: str,
                 fix: str | None = None):
        super().__init__(f"{field}={shown(value)}: {rule}; e.g. {example}")
        # fix: a good value to retry with (the example, unless the example is prose).
        self.field, self.fix = field, example if fix is None else fix
        self.value, self.rule = value, rule


def shown(value: object) -> str:
    """The value as typed, or escaped (repr) if it holds a line break, a control or format
    character, or anything else that would not print as itself on one line."""
    text = str(value)
    return text if text.isprintable() else repr(text)


def check_slug(value: str) -> None:
    if not (SLUG.fullmatch(value) and len(value) <= 64):
        raise InputError("project_slug", value,
                         "lowercase letters, digits and single hyphens, starting with a letter, "
                         "at most 64 characters", "kappa-app")


def check_package(value: str) -> None:
    if not PACKAGE.fullmatch(value):
        raise InputError("package_name", value,
                         "lowercase letters, digits and underscores, starting with a letter",
                         "kappa_app")
    if keyword.iskeyword(value) or value in TAKEN_PACKAGE_NAMES or value in _stdlib_names():
        raise InputError("package_name", value,
                         "must not be a Python keyword or shadow a module the app imports",
                         "kappa_app")


def check_java_package(value: str) -> None:
    parts = value.split(".")
    for part in parts:
        if not JAVA_IDENTIFIER.fullmatch(part):
            raise InputError("java_package", value,
                             "dot-separated Java identifiers (letters, digits or _, "
                             "not starting with a digit)", "com.example.kappa")
        if part in JAVA_RESERVED:
            raise InputError("java_package", value,
                             f"'{part}' is a Java reserved word", "com.example.kappa")


def check_topic(field: str, value: str) -> None:
    if not TOPIC.fullmatch(value) or value in (".", ".."):
        raise InputError(field, value,
                         "Kafka topic names use 1 to 249 of [a-zA-Z0-9._-] and are not '.' or '..'",
                         "topic1")


def check_topics(input_topic: str, output_topic: str, dlq_topic: str) -> None:
    """dlq_topic may be empty: the app then has no dead-letter topic."""
    check_topic("input_topic", input_topic)
    check_topic("output_topic", output_topic)
    if input_topic == output_topic:
        raise InputError("output_topic", output_topic,
                         "must differ from input_topic, or the app would read its own output",
                         "topic2")
    if dlq_topic:
        check_topic("dlq_topic", dlq_topic)
    if dlq_topic in (input_topic, output_topic):
        raise InputError("dlq_topic", dlq_topic,
                         "must differ from input_topic and output_topic, or records would loop "
                         "or mix with good ones", "topic2-dlq")


def check_brokers(value: str) -> None:
    example = "localhost:9092,broker2:9092"
    rule = "a comma-separated list of host:port with port 1..65535"
    if not value:
        raise InputError("kafka_brokers", value, rule, example)
    for entry in value.split(","):
        host, sep, port = entry.strip(" ").rpartition(":")
        if not (sep and HOST.fullmatch(host) and PORT.fullmatch(port) and 1 <= int(port) <= 65535):
            raise InputError("kafka_brokers", value, rule, example)


def spark_line(version: str, lines: dict, refused: dict | None = None) -> dict:
    """The version-table row for an exact Spark version, or an InputError."""
    supported = ", ".join(sorted(lines, key=_line_key))
    example = max(lines.values(), key=lambda row: _line_key(row["verified"]))["verified"]
    match = SPARK_VERSION.fullmatch(version)
    if not match:
        raise InputError("spark_version", version,
                         f"an exact version MAJOR.MINOR.PATCH of a supported line ({supported})",
                         example)
    line = f"{match[1]}.{match[2]}"
    if line in (refused or {}):
        raise InputError("spark_version", version,
                         f"Spark {line} is not offered: {refused[line]['why']}",
                         f"{refused[line]['instead']} instead", fix=refused[line]["instead"])
    if line not in lines:
        raise InputError("spark_version", version,
                         f"Spark {line} is not supported; supported lines: {supported}", example)
    return lines[line]


def check_trigger(value: str, row: dict, spark_version: str) -> None:
    if not TRIGGER.fullmatch(value):
        raise InputError("trigger", value,
                         "a micro-batch interval '<n> milliseconds|seconds|minutes', "
                         "'available-now' or 'real-time [<checkpoint interval>]'", "0 seconds")
    if value.startswith("real-time") and not row.get("real_time"):
        raise InputError("trigger", value,
                         f"real-time mode needs Spark 4.2 or newer (pyspark {spark_version} has "
                         "no trigger(realTime=...))", "0 seconds")


def check_boolean(field: str, value: object) -> bool:
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word not in BOOLEAN_WORDS:
        raise InputError(field, value, "yes or no", "no")
    return BOOLEAN_WORDS[word]


def check_text(field: str, value: str) -> None:
    """Free text (a name, a description) goes into TOML, YAML, XML, Markdown, Python, Java and
    Scala files: any character that is text, escaped where each format needs it."""
    if not value.strip() or any(ch in value for ch in "\n\r\t"):
        raise InputError(field, value, "one non-empty line of text", "Kappa App")
    bad = next((ch for ch in value if not is_text(ch)), None)
    if bad is not None:
        raise InputError(field, value, f"one line of text without control characters, line "
                         f"separators or noncharacters (U+{ord(bad):04X})", "Kappa App")
    if value != value.strip():
        raise InputError(field, value, "no spaces before or after the text (Markdown would drop "
                         "them)", shown(value.strip()), fix=value.strip())
    if PIN_MARKER.search(value):
        raise InputError(field, value, "no @@NAME@@ pin markers (the template fills those in "
                         "after rendering)", "Kappa App")


def is_text(ch: str) -> bool:
    """Not a control character (C0, DEL, C1), a lone surrogate (a byte that was not UTF-8), a
    line or paragraph separator, or a noncharacter (U+FDD0..U+FDEF, U+xxFFFE, U+xxFFFF)."""
    code = ord(ch)
    return (unicodedata.category(ch) not in ("Cc", "Cs", "Zl", "Zp")
            and not 0xFDD0 <= code <= 0xFDEF and code & 0xFFFE != 0xFFFE)


# How cookiecutter.json derives each name from the one before it, for an answer left to its
# default: (the answer it comes from, the value it derives to).
DERIVED_NAMES = {
    "project_slug": ("project_name", lambda answers: answers.get("__slug_from_name")),
    "package_name": ("project_slug", lambda answers: answers["project_slug"].replace("-", "_")),
    "java_package": ("package_name",
                     lambda answers: "com.example." + answers["package_name"].replace("_", "")),
}
NAME_EXAMPLES = {"project_name": "Kappa App", "project_slug": "kappa-app",
                 "package_name": "kappa_app"}


def check_names(answers: dict) -> None:
    """The slug, package and Java package. A bad one that was derived, not typed, is reported
    against the answer it came from: the user typed that one."""
    try:
        check_slug(answers["project_slug"])
        check_package(answers["package_name"])
        check_java_package(answers["java_package"])
    except InputError as error:
        source = error.field
        while source in DERIVED_NAMES and answers.get(source) == DERIVED_NAMES[source][1](answers):
            source = DERIVED_NAMES[source][0]
        if source == error.field:
            raise
        if error.value == NO_SLUG:
            rule = ("has no letter or digit to derive the directory name (project_slug) from: "
                    "add one, or pass project_slug as well")
        else:
            rule = (f"the {error.field} derived from it, {shown(error.value)}, breaks its rule "
                    f"({error.rule}): change it, or pass {error.field} as well")
        raise InputError(source, answers[source], rule, NAME_EXAMPLES[source]) from None


def validate(answers: dict) -> list[str]:
    """Check every answer; return warnings. Raises InputError for the first bad answer."""
    for field in ("project_name", "description", "author"):
        check_text(field, answers[field])
    check_names(answers)
    check_boolean("include_java", answers["include_java"])
    check_boolean("include_scala", answers["include_scala"])
    check_boolean("local_cluster", answers["local_cluster"])
    check_brokers(answers["kafka_brokers"])
    check_topics(answers["input_topic"], answers["output_topic"], answers["dlq_topic"])
    row = spark_line(answers["spark_version"], answers["_spark_lines"],
                     answers.get("_refused_spark_lines"))
    check_trigger(answers["trigger"], row, answers["spark_version"])
    if answers["spark_version"] != row["verified"]:
        return [f"WARNING: spark_version={answers['spark_version']} is not the verified release "
                f"of its line ({row['verified']}): make sure pyspark and "
                f"spark-sql-kafka-0-10_{row['scala_binary']} of that version are published."]
    return []


def replay_dir() -> Path | None:
    """cookiecutter's replay_dir (where it saved the answers before this hook ran), from its
    own config API, or None if its config cannot be read from here. Paths in that config are
    relative to the directory cookiecutter was started in ($PWD): this hook runs inside the
    new project instead."""
    start_dir = os.environ.get("PWD") or os.getcwd()
    here = os.getcwd()
    try:
        from cookiecutter.config import get_user_config

        os.chdir(start_dir)
        return Path(get_user_config()["replay_dir"]).resolve()
    except Exception:  # a missing or broken config: the hint passes the value instead
        return None
    finally:
        os.chdir(here)


def replay_file(answers: dict) -> Path | None:
    """The file cookiecutter saved these very answers to, or None when there is none: cruft
    saves no replay, and `cookiecutter --config-file` names a config this hook cannot see."""
    if not answers.get("_repo_dir"):
        return None
    directory = replay_dir()
    if directory is None:
        return None
    path = directory / f"{os.path.basename(os.path.abspath(answers['_repo_dir']))}.json"
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))["cookiecutter"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    same = all(saved.get(key) == value for key, value in answers.items()
               if not key.startswith("_"))
    return path if same else None


def retry_hint(error: InputError, answers: dict) -> str:
    """One line: how to run again with every other answer kept and only the bad one fixed."""
    template = answers.get("_template") or "<template>"
    saved = replay_file(answers)
    if saved is None:
        command = ["cookiecutter", template, f"{error.field}={error.fix}"]
        return f"Retry: pass the fixed answer on the command line, e.g. {shlex.join(command)}"
    command = ["cookiecutter", "--replay-file", str(saved), template]
    output_dir = answers.get("_output_dir")
    if output_dir and output_dir != os.path.abspath(os.environ.get("PWD", "")):
        command += ["-o", output_dir]
    if answers.get("_checkout"):
        command += ["--checkout", answers["_checkout"]]
    return (f'Retry with your other answers kept: set "{error.field}" to a valid value '
            f"(e.g. {error.fix}) in {shlex.quote(str(saved))}, then run: "
            f"{shlex.join(command)}")


def _line_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def _stdlib_names() -> frozenset:
    return getattr(sys, "stdlib_module_names", frozenset())


def main() -> int:
    answers = json.loads(CONTEXT_JSON)
    try:
        warnings = validate(answers)
    except InputError as error:
        print(f"ERROR: {error}")
        print(retry_hint(error, answers))
        return 1
    for warning in warnings:
        print(warning)
    return 0


if __name__ == "__main__":
    sys.exit(main())
