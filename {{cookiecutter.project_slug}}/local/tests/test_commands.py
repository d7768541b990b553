"""The console commands on a real broker, run as a user runs them: kafka-up starts it and
returns, kafka-status sees it, kafka-down stops it, with nothing on PATH but the JDK (no Maven);
mistakes get one ERROR line and leave nothing running. (cluster-up, -status and -down run in
the project's cluster tests.)"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

from kappa_local import kafka_admin, kafka_node

BIN = Path(sys.executable).parent
TIMEOUT = 600  # a first run resolves Kafka's jars from Maven Central
JDK_BIN = str(Path(shutil.which("java")).resolve().parent)


def run(command: str, *args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / command), *args], capture_output=True, text=True,
                          timeout=TIMEOUT, **kwargs)


def test_kafka_up_status_and_down_manage_one_broker(tmp_path):
    data_dir = ["--data-dir", str(tmp_path / "kafka")]
    jdk_only = {**os.environ, "PATH": JDK_BIN}
    assert shutil.which("mvn", path=JDK_BIN) is None
    try:
        up = run("kafka-up", *data_dir, "--port", "0", "--topics", "orders,payments:3",
                 env=jdk_only)
        running = kafka_node.running_node(tmp_path / "kafka")
        again = run("kafka-up", *data_dir, "--port", "0")
        status = run("kafka-status", *data_dir)
        topics = kafka_admin.admin_client(f"127.0.0.1:{running['port']}").list_topics(
            timeout=30).topics
    finally:
        down = run("kafka-down", *data_dir)

    assert up.returncode == 0, up.stdout + up.stderr
    assert f"kafka: broker ready at 127.0.0.1:{running['port']} (topics: orders, payments)" \
        in up.stdout
    assert len(topics["payments"].partitions) == 3 and "orders" in topics
    assert again.returncode == 1
    assert again.stderr.startswith(f"ERROR: a broker is already running (pid {running['pid']}")
    assert status.returncode == 0 and f"(pid {running['pid']})" in status.stdout
    assert down.returncode == 0 and "kafka: broker stopped" in down.stdout
    assert kafka_node.running_node(tmp_path / "kafka") is None
    stopped = run("kafka-status", *data_dir)
    assert stopped.returncode == 3 and stopped.stdout.startswith("kafka: not running")
    assert "nothing to stop" in run("kafka-down", *data_dir).stdout


def test_mistakes_get_one_error_line_and_start_nothing(tmp_path):
    bad_topics = run("kafka-up", "--data-dir", str(tmp_path / "a"), "--port", "0",
                     "--topics", "orders:many")
    no_java = run("kafka-up", "--data-dir", str(tmp_path / "b"), "--port", "0",
                  env={"PATH": str(tmp_path / "empty")})
    bad_mode = run("kafka-up", "--data-dir", str(tmp_path / "c"), "--security", "tls")

    assert bad_topics.returncode == 1
    assert bad_topics.stderr == "ERROR: bad topic 'orders:many': write NAME or NAME:PARTITIONS\n"
    assert no_java.returncode == 1
    assert no_java.stderr.startswith("ERROR: java not found: install Java 17")
    assert len(no_java.stderr.splitlines()) == 1
    assert bad_mode.returncode == 2 and "invalid choice: 'tls'" in bad_mode.stderr
    for data_dir in ("a", "b"):
        assert kafka_node.running_node(tmp_path / data_dir) is None


def test_cluster_commands_answer_without_a_cluster(tmp_path):
    status = run("cluster-status", "--dir", str(tmp_path / "none"))
    down = run("cluster-down", "--dir", str(tmp_path / "none"))

    assert status.returncode == 3 and "cluster: not running (no cluster in" in status.stdout
    assert down.returncode == 0 and "nothing to stop" in down.stdout
