"""Post-generation hook: pin the Kafka connector, prune unselected options, record answers.

Runs inside the freshly rendered project with cookiecutter's own Python (standard library
only). The files in PINNED_FILES carry pin markers; this hook replaces them with values
computed from the one version table, `_spark_lines` in cookiecutter.json:

    @@KAFKA_CONNECTOR@@  org.apache.spark:spark-sql-kafka-0-10_<scala binary>:<spark version>
    @@SCALA_BINARY@@     2.12 or 2.13, from the Spark line
    @@SCALA_VERSION@@    the full Scala version that Spark line is built with
    @@CHECKPOINT_FILE_MANAGER@@  that line's FileSystemBasedCheckpointFileManager class
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path

# Rendered by cookiecutter; tests import this module unrendered and never read it.
CONTEXT_JSON = r"""{{ cookiecutter | tojson }}"""

ANSWERS_FILE = ".cookiecutter.json"
# The only files with markers (tests/test_render.py checks the template agrees). A named list,
# not a tree walk: a re-render over an existing project must not touch its venv or data.
PINNED_FILES = ("conf/spark-defaults.conf", "README.md", "docs/deploy.md", "jvm-runtime/pom.xml",
                "scala/pom.xml", "Dockerfile", "deploy/k8s/kubeflow-spark-operator.yaml",
                "deploy/k8s/apache-spark-operator.yaml")
MARKER = re.compile(r"@@[A-Z_]+@@")
JVM_RUNTIME = "jvm-runtime"  # what the Java and Scala variants share
BOOLEAN_WORDS = {"1", "true", "t", "yes", "y", "on"}


def pins(spark_version: str, lines: dict) -> dict[str, str]:
    """Marker -> value for an exact Spark version (validated by the pre-gen hook)."""
    row = lines[".".join(spark_version.split(".")[:2])]
    return {
        "@@KAFKA_CONNECTOR@@": connector(spark_version, row["scala_binary"]),
        "@@SCALA_BINARY@@": row["scala_binary"],
        "@@SCALA_VERSION@@": row["scala_version"],
        "@@CHECKPOINT_FILE_MANAGER@@": row["checkpoint_file_manager"],
    }


def connector(spark_version: str, scala_binary: str) -> str:
    return f"org.apache.spark:spark-sql-kafka-0-10_{scala_binary}:{spark_version}"


def pin_files(root: Path, values: dict[str, str]) -> list[Path]:
    """Replace every marker in the pinned files present under root; return those changed."""
    changed = []
    for path in present(root):
        text = path.read_text(encoding="utf-8")
        pinned = text
        for marker, value in values.items():
            pinned = pinned.replace(marker, value)
        if pinned != text:
            path.write_text(pinned, encoding="utf-8")
            changed.append(path)
    return changed


def leftover_markers(root: Path) -> list[str]:
    """Every '@@NAME@@' still in a pinned file, as 'path: marker'."""
    return [f"{path.relative_to(root)}: {marker}"
            for path in present(root)
            for marker in sorted(set(MARKER.findall(path.read_text(encoding="utf-8"))))]


def present(root: Path) -> list[Path]:
    """The pinned files this project has (unselected variants were pruned)."""
    return [root / name for name in PINNED_FILES if (root / name).is_file()]


def is_selected(value: object) -> bool:
    return value is True or str(value).strip().lower() in BOOLEAN_WORDS


# What each yes/no input brings: removed from the project when it is "no".
OPTIONAL_FILES = {
    "include_java": ("java",),
    "include_scala": ("scala",),
    "local_cluster": ("python/tests/test_e2e_cluster.py", "docs/cluster.md"),
}


def prune(root: Path, answers: dict) -> list[str]:
    """Remove what the unselected options bring; return those paths."""
    removed = []
    for option, paths in OPTIONAL_FILES.items():
        if is_selected(answers[option]):
            continue
        for name in paths:
            path = root / name
            if path.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink(missing_ok=True)
            removed.append(name)
    if not is_selected(answers["include_java"]) and not is_selected(answers["include_scala"]):
        shutil.rmtree(root / JVM_RUNTIME, ignore_errors=True)  # the runtime both variants share
        removed.append(JVM_RUNTIME)
    return removed


# local/ is copied unrendered from the template's working tree (cookiecutter.json's
# _copy_without_render), where installing and importing kappa-local leaves build output.
BUILD_LEFTOVERS = ("local/**/__pycache__", "local/**/*.egg-info", "local/**/.pytest_cache",
                   "local/**/.ruff_cache")


def remove_build_leftovers(root: Path) -> list[str]:
    """Remove what a template checkout's own use of local/ left there; return those paths."""
    found = sorted({path for pattern in BUILD_LEFTOVERS for path in root.glob(pattern)})
    for path in found:
        shutil.rmtree(path, ignore_errors=True)
    return [str(path.relative_to(root)) for path in found]


def recorded_answers(context: dict) -> dict:
    """The answers plus the template's location, in cookiecutter's replay layout.

    Re-render with: cookiecutter --replay-file .cookiecutter.json <template>
    Derived values such as __java_package_dir are kept: a replay does not recompute them.
    """
    answers = {key: value for key, value in context.items()
               if not key.startswith("_") or is_derived(key)}
    answers["_template"] = context.get("_template")
    for option in OPTIONAL_FILES:
        answers[option] = is_selected(answers[option])
    return {"cookiecutter": answers}


def is_derived(key: str) -> bool:
    """Cookiecutter renders '__name' values from the answers; '__prompts__' is not one."""
    return key.startswith("__") and not key.endswith("__")


def main() -> int:
    context = json.loads(CONTEXT_JSON)
    root = Path.cwd()
    prune(root, context)  # before pinning: pruned files need no pins
    remove_build_leftovers(root)
    values = pins(context["spark_version"], context["_spark_lines"])
    pin_files(root, values)
    left = leftover_markers(root)
    if left:
        print("ERROR: unpinned markers left in the generated project (a template bug): "
              + ", ".join(left))
        return 1
    (root / ANSWERS_FILE).write_text(
        json.dumps(recorded_answers(context), indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(f"Pinned {values['@@KAFKA_CONNECTOR@@']} and pyspark=={context['spark_version']}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
