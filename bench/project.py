"""The project under test: render the template, build the JVM variants, and start every
contender the same way each time (the project's runtime contract: environment variables)."""

from __future__ import annotations

import hashlib
import json
import os
import platform
import re
import shlex
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from .children import CpuSampler, Proc
from .common import BENCH, CACHE, PACKAGE, ROOT, SLUG, say
from .contenders import Contender
from .load import LoadMonitor


def render(work: Path) -> Path:
    say("render: cookiecutter --no-input include_java=yes include_scala=yes")
    cookiecutter = Path(sys.executable).parent / "cookiecutter"
    subprocess.run([str(cookiecutter), "--no-input", "-f", "-o", str(work), str(ROOT),
                    "include_java=yes", "include_scala=yes"], check=True,
                   stdout=subprocess.DEVNULL)
    return work / SLUG


@dataclass
class Jvm:
    jar: Path
    main: str


def build_variant(project: Path, variant: str, log_dir: Path) -> tuple[Jvm | None, str]:
    """Build java/ or scala/ with the project's own make target; jars cached by source hash."""
    source = project / variant
    mk = source / f"{variant}.mk"
    if not (source / "pom.xml").is_file() or not mk.is_file():
        return None, f"no {variant}/ in the rendered project"
    text = mk.read_text()
    main = re.search(r"^\w+_MAIN\s*:?=\s*(\S+)", text, re.M)
    jar_name = re.search(r"^\w+_JAR\s*:?=.*/target/(\S+?\.jar)", text, re.M)
    if not main or not jar_name:
        return None, f"{mk.name} defines no *_MAIN / *_JAR"
    digest = hashlib.sha256()  # the jar also holds the shared runtime and contract/settings.json
    sources = [source, project / "jvm-runtime", project / "contract" / "settings.json"]
    for path in sorted(p for root in sources for p in (root, *root.rglob("*"))
                       if p.is_file() and "target" not in p.parts):
        digest.update(str(path.relative_to(project)).encode() + b"\0" + path.read_bytes())
    cached = CACHE / "jars" / f"{variant}-{digest.hexdigest()[:16]}.jar"
    if cached.is_file():
        say(f"build: {variant} jar unchanged, cached ({cached.name})")
        return Jvm(cached, main.group(1)), ""
    say(f"build: make package-{variant} (Maven, ~1 min)")
    log = log_dir / f"build-{variant}.log"
    with open(log, "wb") as out:
        done = subprocess.run(["make", "-C", str(project), f"package-{variant}"], stdout=out,
                              stderr=subprocess.STDOUT)
    built = source / "target" / jar_name.group(1)
    if done.returncode != 0 or not built.is_file():
        tail = log.read_text(errors="replace").strip().splitlines()[-5:]
        return None, f"make package-{variant} failed (exit {done.returncode}): " + " | ".join(tail)
    cached.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(built, cached)
    return Jvm(cached, main.group(1)), ""


class Runner:
    """Starts the contenders with the project's runtime contract (env), the same way each time."""

    def __init__(self, cores: int, logs: Path, project: Path, work: Path, bootstrap: str,
                 kafka_cp: str, jvms: dict[str, Jvm]):
        self.cores, self.logs, self.project, self.work = cores, logs, project, work
        self.bootstrap, self.kafka_cp, self.jvms = bootstrap, kafka_cp, jvms
        self.broker_cpu: CpuSampler | None = None
        self.monitor: LoadMonitor | None = None
        self.bin = Path(sys.executable).parent
        self.runs = 0

    def load_during(self, start: float, end: float) -> dict:
        """What other processes used while a measurement ran (waits for the next sample)."""
        if self.monitor is None:
            return {}
        deadline = time.monotonic() + self.monitor.every + 2
        while time.monotonic() < deadline and not any(
                x["t"] >= end for x in self.monitor.samples[-3:]):
            time.sleep(0.2)
        return self.monitor.during(start, end)

    def name(self, contender: str, out_topic: str) -> str:
        self.runs += 1
        return f"{self.runs:03d}-{contender}-{out_topic}"

    def checkpoint(self, name: str) -> Path:
        path = self.work / "checkpoints" / name
        shutil.rmtree(path, ignore_errors=True)
        return path

    def spark(self, c: Contender, in_topic: str, out_topic: str, trigger: str,
              max_offsets: int | None = None, ivy: Path | None = None,
              extra_conf: dict | None = None) -> Proc:
        """A generated app (python, java, scala), with the contender's settings, or (a)."""
        name = self.name(c.key, out_topic)
        ivy = ivy or CACHE / "ivy"
        conf = {"spark.jars.ivy": str(ivy), **c.spark_conf, **(extra_conf or {})}
        conf_args = [a for k, v in conf.items() for a in ("--conf", f"{k}={v}")]
        env = dict(os.environ, KAFKA_BROKERS=self.bootstrap, KAFKA_IN_TOPIC=in_topic,
                   KAFKA_OUT_TOPIC=out_topic, CHECKPOINT_LOCATION=str(self.checkpoint(name)),
                   STARTING_OFFSETS="earliest", TRIGGER=trigger,
                   SPARK_CONF_DIR=str(self.project / "conf"), PYTHONUNBUFFERED="1",
                   PYTHONPATH=str(self.project / "python" / "src"),
                   PATH=f"{self.bin}{os.pathsep}{os.environ.get('PATH', '')}",
                   # python -m: the same master and settings as spark-submit gets below.
                   PYSPARK_SUBMIT_ARGS=shlex.join(["--master", f"local[{self.cores}]",
                                                   *conf_args, "pyspark-shell"]),
                   **c.env)
        env.pop("MAX_OFFSETS_PER_TRIGGER", None)
        if max_offsets:
            env["MAX_OFFSETS_PER_TRIGGER"] = str(max_offsets)
        if c.kind == "collect":
            command = [sys.executable, str(BENCH / "collect_pattern.py")]
        elif c.variant == "python" and (c.read_options or c.write_options):
            env["BENCH_READ_OPTIONS"] = json.dumps(c.read_options)
            env["BENCH_WRITE_OPTIONS"] = json.dumps(c.write_options)
            command = [sys.executable, str(BENCH / "app_options.py")]
        elif c.variant == "python":
            command = [sys.executable, "-m", PACKAGE]
        else:
            jvm = self.jvms[c.variant]
            command = [str(self.bin / "spark-submit"), "--master", f"local[{self.cores}]",
                       *conf_args, "--class", jvm.main, str(jvm.jar)]
        return Proc(name, command, env, self.project, self.logs)

    def loop(self, c: Contender, in_topic: str, out_topic: str, expected: int) -> Proc:
        name = self.name(c.key, out_topic)
        args = [self.bootstrap, in_topic, out_topic, str(expected)]
        if c.variant == "confluent":
            command = [sys.executable, str(BENCH / "confluent_loop.py"), *args]
        else:
            command = ["java", "-Xmx1g", "-cp", self.kafka_cp, str(BENCH / "JvmLoop.java"), *args]
        return Proc(name, command, dict(os.environ), self.work, self.logs)

    def kafka_tool(self, name: str, tool: str, args: list[str]) -> Proc:
        command = ["java", "-Xmx1g", "-cp", self.kafka_cp, f"org.apache.kafka.tools.{tool}", *args]
        return Proc(self.name(name, ""), command, dict(os.environ), self.work, self.logs)


def broker_pid(broker) -> int:
    """The broker JVM's pid (its process group: kappa-local starts it in its own session)."""
    return broker.pid


def kafka_classpath() -> str:
    """The broker's own classpath (it includes kafka-tools), as kappa-local resolved it."""
    from kappa_local import jars

    return jars.classpath(log=lambda line: say(f"  {line}"))



def versions(project: Path, kafka_cp: str) -> dict:
    import confluent_kafka
    import pyspark

    java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr
    conf = (project / "conf" / "spark-defaults.conf").read_text()
    connector = re.search(r"spark\.jars\.packages\s+(\S+)", conf)
    broker = re.search(r"kafka_[\d.]+-([\d.]+)\.jar", kafka_cp)
    scala = ""
    if (project / "scala" / "pom.xml").is_file():
        found = re.search(r"<scala\.version>([^<]+)<", (project / "scala" / "pom.xml").read_text())
        scala = found.group(1) if found else ""
    ivy_clients = sorted((CACHE / "ivy" / "jars").glob("org.apache.kafka_kafka-clients-*.jar"))
    return {
        "spark": pyspark.__version__,
        "connector": connector.group(1) if connector else "?",
        "connector_kafka_clients": ivy_clients[-1].name.split("-")[-1][:-4] if ivy_clients
        else "?",
        "kafka_broker": broker.group(1) if broker else "?",
        "python": platform.python_version(),
        "java": java.splitlines()[0] if java else "?",
        "scala": scala,
        "confluent_kafka": confluent_kafka.__version__,
        "librdkafka": confluent_kafka.libversion()[0],
    }

