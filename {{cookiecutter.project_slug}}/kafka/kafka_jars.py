"""Kafka's jars from Maven Central: kafka/pom.xml pins them, Maven resolves them once, and the
classpath is cached per pom version. No tarball, no Docker."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

from processes import LocalError

KAFKA_DIR = Path(__file__).resolve().parent
POM = KAFKA_DIR / "pom.xml"
CACHE_DIR = KAFKA_DIR.parent / ".kafka"  # shared by every broker and cluster of the project


def java() -> str:
    found = shutil.which("java")
    if not found:
        raise LocalError("java not found: install Java 17 and put it on PATH")
    return found


def classpath(log=print) -> str:
    """The broker's Java classpath, resolved by Maven from kafka/pom.xml on first use and
    cached in <project>/.kafka/classpath-<pom hash>.txt."""
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    pom_hash = hashlib.sha256(POM.read_bytes()).hexdigest()[:16]
    cache = CACHE_DIR / f"classpath-{pom_hash}.txt"
    if cache.is_file():
        cp = cache.read_text().strip()
        if all(os.path.isfile(jar) for jar in cp.split(os.pathsep)):
            return cp
    mvn = shutil.which("mvn")
    if not mvn:
        raise LocalError("mvn not found: install Maven 3.8+ and put it on PATH")
    log("kafka: resolving broker jars from Maven Central (first run only)...")
    # Maven writes a temp file that is renamed into place: two runs at once are safe.
    tmp = cache.with_name(f"{cache.name}.{os.getpid()}.tmp")
    try:
        result = subprocess.run(
            [mvn, "-q", "-B", "-Dstyle.color=never", "-f", str(POM),
             "dependency:build-classpath", f"-Dmdep.outputFile={tmp}"],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if result.returncode != 0:
            raise LocalError(f"Maven could not resolve the Kafka jars (exit {result.returncode}):",
                             result.stdout.rstrip())
        os.replace(tmp, cache)
    finally:
        tmp.unlink(missing_ok=True)
    for old in CACHE_DIR.glob("classpath-*.txt"):  # from earlier versions of the pom
        if old != cache:
            old.unlink(missing_ok=True)
    return cache.read_text().strip()
