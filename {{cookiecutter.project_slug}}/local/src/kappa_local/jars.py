"""Kafka's jars from Maven Central, resolved by Apache Ivy: the resolver behind Spark's
``--packages``, which pyspark ships in its ``jars/``. So a Python-only project needs Python and
Java, and no Maven, tarball or Docker. The classpath is cached per Kafka version."""

from __future__ import annotations

import fcntl
import hashlib
import importlib.util
import os
import shutil
import subprocess
from pathlib import Path

from .processes import LocalError

# The one place the local broker's Kafka is named: the newest release that resolves from Maven
# Central. Kafka 4.x runs on Java 17 and serves clients from 2.1 on (Spark's connectors use
# kafka-clients 3.4 to 3.9).
KAFKA_VERSION = "4.4.0"
SCALA_BINARY = "2.13"
LOG4J_VERSION = "2.25.3"
SLF4J_VERSION = "2.0.17"

# kafka_<scala> is the broker (kafka.Kafka, kafka.tools.StorageTool); kafka-tools the
# command-line tools (consumer groups, console clients, VerifiableProducer) without Connect;
# log4j2 behind SLF4J for the logs.
IVY_MODULE = f"""\
<ivy-module version="2.0">
  <info organisation="local" module="kappa-local-kafka"/>
  <dependencies>
    <dependency org="org.apache.kafka" name="kafka_{SCALA_BINARY}" rev="{KAFKA_VERSION}"
                conf="default"/>
    <dependency org="org.apache.kafka" name="kafka-tools" rev="{KAFKA_VERSION}" conf="default">
      <exclude org="org.apache.kafka" module="connect-runtime"/>
    </dependency>
    <dependency org="org.slf4j" name="slf4j-api" rev="{SLF4J_VERSION}" conf="default"/>
    <dependency org="org.apache.logging.log4j" name="log4j-slf4j2-impl" rev="{LOG4J_VERSION}"
                conf="default"/>
    <dependency org="org.apache.logging.log4j" name="log4j-core" rev="{LOG4J_VERSION}"
                conf="default"/>
  </dependencies>
</ivy-module>
"""


def java() -> str:
    found = shutil.which("java")
    if not found:
        raise LocalError("java not found: install Java 17 or newer and put it on PATH")
    return found


def cache_dir() -> Path:
    """Where resolved classpaths are kept: $KAPPA_LOCAL_CACHE, else the user's cache dir."""
    base = os.environ.get("KAPPA_LOCAL_CACHE") or Path(
        os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "kappa-local"
    return Path(base)


def ivy_jar() -> Path:
    """The Ivy jar that pyspark ships (the project's venv has pyspark)."""
    spec = importlib.util.find_spec("pyspark")
    found = sorted(Path(spec.origin).parent.glob("jars/ivy-*.jar")) if spec and spec.origin else []
    if not found:
        raise LocalError("pyspark (whose jars/ has Apache Ivy) is not installed in this Python: "
                         "run make install")
    return found[-1]


def classpath(log=print) -> str:
    """The broker's Java classpath: Ivy resolves it from Maven Central on first use (into its
    cache, ~/.ivy2/cache); the result is kept in cache_dir(), one file per module text."""
    directory = cache_dir()
    directory.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256(IVY_MODULE.encode()).hexdigest()[:12]
    cache = directory / f"kafka-{KAFKA_VERSION}-{digest}.classpath"
    # One resolver at a time (two test runs may start at once); the second finds it cached.
    with open(directory / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _complete(cache):
            return cache.read_text().strip()
        log(f"kafka: resolving Kafka {KAFKA_VERSION}'s jars from Maven Central with Ivy "
            "(first run only, about a minute)...")
        module = directory / f"ivy-{digest}.xml"
        module.write_text(IVY_MODULE)
        tmp = cache.with_suffix(f".{os.getpid()}.tmp")
        try:
            result = subprocess.run(
                [java(), "-jar", str(ivy_jar()), "-ivy", str(module), "-confs", "default",
                 "-cachepath", str(tmp)],
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                text=True)
            if result.returncode != 0 or not tmp.is_file():
                raise LocalError(f"Ivy could not resolve Kafka {KAFKA_VERSION}'s jars from Maven "
                                 f"Central (exit {result.returncode}): check that "
                                 "https://repo1.maven.org is reachable",
                                 "\n".join(result.stdout.splitlines()[-25:]))
            os.replace(tmp, cache)
        finally:
            tmp.unlink(missing_ok=True)
        return cache.read_text().strip()


def _complete(cache: Path) -> bool:
    """A cached classpath whose jars are all still there (an Ivy cache may be cleaned)."""
    return cache.is_file() and all(os.path.isfile(jar)
                                   for jar in cache.read_text().strip().split(os.pathsep))
