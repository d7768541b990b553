"""The generated project's image, without Docker: its entrypoint as a random UID in group 0, with
no passwd entry and an unwritable HOME, as PID 1 of its own PID namespace, against a real Kafka
broker (the project's `kafka-up`, from kappa-local). tests/image_sandbox.py says how the image
is stood in for; the records and the app's logs come from the project's own e2e helpers and
kappa-local's.

One image and one broker serve both tests: building the image's filesystem (pyspark from pip's
cache, the connector into the image's Ivy cache) takes about a minute.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from kappa_local import kafka_admin, kafka_node
from kappa_local.testing import records
from kappa_local.testing.apps import App

import image_sandbox as sandbox
from conftest import (
    DEFAULT_SPARK,
    SECOND_HALF,
    assert_none_left_under,
    make,
    pyspark_venv,
    render,
    tail,
)

pytestmark = [pytest.mark.e2e, SECOND_HALF]

RECORDS = 300
TIMEOUT = 600  # every wait ends as soon as its condition holds; this is for a loaded machine


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    return render(tmp_path_factory.mktemp("image"))


@pytest.fixture(scope="module")
def e2e(project):
    """The project's end-to-end helpers (python/tests/e2e_support.py: topics, records) with
    kappa-local's producing and consuming ones."""
    path = project / "python" / "tests" / "e2e_support.py"
    spec = importlib.util.spec_from_file_location("image_e2e_support", path)
    support = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(support)
    return SimpleNamespace(new_topics=support.new_topics, make_records=support.make_records,
                           produce=records.produce, consume_until=records.consume_until,
                           assert_nothing_lost=records.assert_nothing_lost)


@pytest.fixture(scope="module")
def image(project):
    root = sandbox.new_sandbox()
    try:
        try:
            sandbox.check_host()
            built = sandbox.build(project, root, log=lambda line: print(line, file=sys.stderr))
            sandbox.check_uid_can_run(built, sandbox.random_uid())
        except sandbox.SandboxError as error:
            pytest.fail(f"cannot run the image's containers here: {error}", pytrace=False)
        yield built
    finally:
        assert_none_left_under(root)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def kafka(project, tmp_path_factory):
    """A broker started as a user does, `kafka-up` in the project's venv (`make install`), and
    stopped by `kafka-down`."""
    venv = pyspark_venv(DEFAULT_SPARK)
    installed = make(project, "install", venv=venv)
    assert installed.returncode == 0, tail(installed)
    data_dir = tmp_path_factory.mktemp("image-kafka")
    command = ["--data-dir", str(data_dir), "--port", "0"]
    up = subprocess.run([str(venv / "bin" / "kafka-up"), *command, "--topics", "",
                         "--timeout", str(TIMEOUT)], capture_output=True, text=True)
    try:
        assert up.returncode == 0, up.stdout + up.stderr
        bootstrap = f"127.0.0.1:{kafka_node.running_node(data_dir)['port']}"
        admin = kafka_admin.admin_client(bootstrap)
        yield SimpleNamespace(
            bootstrap=bootstrap, client_config={"bootstrap.servers": bootstrap},
            create_topics=lambda names, partitions: kafka_admin.create_topics(
                admin, {name: partitions for name in names}, replicas=1, timeout=TIMEOUT),
            allow_app=lambda reads, writes: None)  # plaintext: everybody may do anything
    finally:
        down = subprocess.run([str(venv / "bin" / "kafka-down"), *command], capture_output=True,
                              text=True)
        assert down.returncode == 0, down.stdout + down.stderr
        assert_none_left_under(data_dir)


@pytest.fixture
def containers():
    """Every container a test starts; all are killed (their whole PID namespace) at the end."""
    started = []
    yield started
    for container in started:
        container.app.kill()


class Container:
    """One container of the image: ENTRYPOINT plus args as PID 1 of a PID namespace of its own,
    as a fresh random UID in the image's group, HOME=/. Logs and events through the project's
    App; stop() signals PID 1 only, as `docker stop` and the kubelet do."""

    def __init__(self, image, args: list[str], env: dict[str, str], log_dir: Path):
        self.uid = sandbox.random_uid()
        command = ["unshare", "--pid", "--kill-child", f"--wd={image.workdir}",
                   *sandbox.as_user(self.uid, sandbox.image_group(image)),
                   *image.entrypoint, *args]
        self.app = App(command, {**image.run_env(), "HOME": "/", **env}, log_dir)
        self.pid1 = sandbox.child_pid(self.app.process.pid)

    def stop(self) -> int:
        os.kill(self.pid1, signal.SIGTERM)
        return self.app.process.wait(TIMEOUT)

    def stderr(self) -> str:
        return self.app.stderr_path.read_text(errors="replace")


def start(containers: list, container: Container) -> Container:
    containers.append(container)
    return container


def owner(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return stat.st_uid, stat.st_gid


def test_docker_run_as_a_random_uid_moves_records_writes_its_checkpoint_and_stops_on_sigterm(
        e2e, image, kafka, containers, tmp_path):
    source, sink, dead_letter = e2e.new_topics(kafka, "docker-run")
    records = e2e.make_records(RECORDS, "docker-run")
    e2e.produce(kafka, source, records)

    # `docker run <image>`: no arguments, the settings from the environment.
    app = start(containers, Container(image, [], {
        "KAFKA_BROKERS": kafka.bootstrap, "KAFKA_IN_TOPIC": source, "KAFKA_OUT_TOPIC": sink,
        "KAFKA_DLQ_TOPIC": dead_letter},
        tmp_path / "docker-run"))

    assert sandbox.pid_in_namespace(app.pid1) == 1
    app.app.wait_for_event("progress", input_rows=lambda rows: rows > 0)  # ends early if it dies
    e2e.assert_nothing_lost(records, e2e.consume_until(kafka, sink, records))
    checkpoint = Path(image.env["CHECKPOINT_LOCATION"])  # the image's default, under /data
    assert owner(checkpoint / "commits" / "0") == (app.uid, 0)
    app.app.assert_stopped_cleanly(app.stop())
    assert f"UID {app.uid} has no passwd entry: nss_wrapper gives it one" in app.stderr()


def test_operator_driver_and_executor_pods_as_random_uids_move_records(
        e2e, project, image, kafka, containers, tmp_path):
    """What both operators start: a driver pod, `driver --properties-file <conf> --class
    PythonRunner <main file>` (Spark's own pod contract; the conf holds the manifest's
    sparkConf), then executor pods, `executor` with SPARK_* variables. A standalone master
    stands in for Kubernetes: it has no workers, so the app's tasks run on that executor only."""
    manifest = yaml.safe_load((project / "deploy/k8s/apache-spark-operator.yaml").read_text())
    spec = manifest["spec"]
    source, sink, dead_letter = e2e.new_topics(kafka, "operator")
    records = e2e.make_records(RECORDS, "operator")
    e2e.produce(kafka, source, records)
    driver_port = sandbox.free_port()

    with standalone_master(image, tmp_path / "master.log") as master_url:
        properties = write_pod_conf(image, {
            **spec["sparkConf"], "spark.master": master_url, "spark.submit.deployMode": "cluster",
            "spark.app.name": manifest["metadata"]["name"], "spark.driver.host": "127.0.0.1",
            "spark.driver.port": str(driver_port)})
        driver = start(containers, Container(image, [
            "driver", "--properties-file", str(properties),
            "--class", "org.apache.spark.deploy.PythonRunner", image.path(spec["pyFiles"])], {
            "SPARK_CONF_DIR": str(properties.parent), "SPARK_DRIVER_BIND_ADDRESS": "127.0.0.1",
            "KAFKA_BROKERS": kafka.bootstrap, "KAFKA_IN_TOPIC": source, "KAFKA_OUT_TOPIC": sink,
            "KAFKA_DLQ_TOPIC": dead_letter,
            # In a cluster the claim holds /data/checkpoints; here /data is shared by the tests.
            "CHECKPOINT_LOCATION": image.path("/data/operator-checkpoints")},
            tmp_path / "driver"))
        # The driver creates its executor pods once its SparkContext is up.
        driver.app.wait_for_event("started", timeout=TIMEOUT)
        executor = start(containers, Container(image, ["executor"], {
            "SPARK_DRIVER_URL": f"spark://CoarseGrainedScheduler@127.0.0.1:{driver_port}",
            "SPARK_EXECUTOR_ID": "1", "SPARK_APPLICATION_ID": "spark-application-1",
            "SPARK_EXECUTOR_CORES": spec["sparkConf"]["spark.executor.cores"],
            "SPARK_EXECUTOR_MEMORY": spec["sparkConf"]["spark.executor.memory"],
            "SPARK_EXECUTOR_POD_IP": "127.0.0.1", "SPARK_EXECUTOR_POD_NAME": "app-exec-1",
            "SPARK_RESOURCE_PROFILE_ID": "0",
            "SPARK_JAVA_OPT_0": f"-Dspark.driver.port={driver_port}"}, tmp_path / "executor"))

        driver.app.wait_for_event("progress", input_rows=lambda rows: rows > 0)
        e2e.assert_nothing_lost(records, e2e.consume_until(kafka, sink, records))
        driver.app.assert_stopped_cleanly(driver.stop())
        assert executor.app.process.wait(TIMEOUT) == 0, executor.app.logs()  # stopped by the driver

    # The driver resolved the connector from the image's Ivy cache, not the manifest's
    # spark.jars.ivy (that one is for the operator's own spark-submit), and the executor
    # fetched it from the driver into its working directory.
    assert f"Ivy Default Cache set to: {image.env['SPARK_JARS_IVY']}/cache" in driver.stderr()
    [connector] = image.workdir.glob("*spark-sql-kafka-0-10*.jar")
    assert owner(connector) == (executor.uid, 0)
    for container in (driver, executor):
        assert f"UID {container.uid} has no passwd entry" in container.stderr()


def write_pod_conf(image, conf: dict[str, str]) -> Path:
    """spark.properties where a pod has it: a ConfigMap that Spark mounts at /opt/spark/conf."""
    path = image.root / "opt" / "spark" / "conf" / "spark.properties"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"{key}={value}\n" for key, value in conf.items()))
    return path


@contextlib.contextmanager
def standalone_master(image, log_file: Path):
    """Spark's standalone master from the image's pyspark, run by the test (not a container);
    yields its URL once it listens."""
    port = sandbox.free_port()
    with open(log_file, "wb") as log:
        process = subprocess.Popen(
            [str(image.python / "bin" / "spark-class"), "org.apache.spark.deploy.master.Master",
             "--host", "127.0.0.1", "--port", str(port),
             "--webui-port", str(sandbox.free_port())],
            env={**image.run_env(), "SPARK_LOCAL_IP": "127.0.0.1"}, stdout=log,
            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + TIMEOUT
        while not sandbox.listening(port):
            assert process.poll() is None and time.monotonic() < deadline, \
                f"the standalone master did not listen on {port}: {log_file.read_text()[-2000:]}"
            time.sleep(0.5)
        yield f"spark://127.0.0.1:{port}"
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
