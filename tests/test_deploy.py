"""A rendered project's deploy files, offline: the SparkApplication of each Spark operator, the
PersistentVolumeClaim and Secret they use, and the image's build context. Fast: no cluster, no
Docker, no network.

Core kinds (the claim, the Secret, and the pods each operator makes from its manifest) are
validated against Kubernetes' own schemas, shipped in the kubernetes-validate wheel, in strict
mode (unknown fields fail). The operators' own fields are checked by assertions here and by the
drift test (tests/test_render.py); tests/test_image.py runs the image's entrypoint.
"""

from __future__ import annotations

import re
import shlex

import kubernetes_validate
import pytest
import yaml
from kubernetes_validate.utils import all_versions

from image_sandbox import instructions

K8S_VERSIONS = [all_versions()[0], all_versions()[-1]]  # the oldest and newest shipped schemas
OPERATORS = ["kubeflow-spark-operator.yaml", "apache-spark-operator.yaml"]
ROLES = ("driver", "executor")


def load(project, name: str) -> dict:
    return yaml.safe_load((project / "deploy" / "k8s" / name).read_text())


def kubeflow_pods(app: dict) -> dict[str, dict]:
    """role -> the parts of the pod the Kubeflow operator makes from the fields we set."""
    spec = app["spec"]
    volumes = {volume["name"]: volume for volume in spec.get("volumes", [])}
    pods = {}
    for role in ROLES:
        part = spec[role]
        mounts = part.get("volumeMounts", [])
        pods[role] = pod(app, role, {
            "securityContext": part["podSecurityContext"],
            "terminationGracePeriodSeconds": part.get("terminationGracePeriodSeconds"),
            "volumes": [volumes[mount["name"]] for mount in mounts],
            "containers": [{"name": f"spark-kubernetes-{role}", "image": spec["image"],
                            "env": part.get("env"), "volumeMounts": mounts,
                            "securityContext": part["securityContext"]}]})
    return pods


def apache_pods(app: dict) -> dict[str, dict]:
    """role -> the pod template of the Apache operator, with the image it sets."""
    spec = app["spec"]
    pods = {}
    for role in ROLES:
        template = dict(spec[f"{role}Spec"]["podTemplateSpec"]["spec"])
        template["containers"] = [{**container, "image":
                                   spec["sparkConf"]["spark.kubernetes.container.image"]}
                                  for container in template["containers"]]
        pods[role] = pod(app, role, template)
    return pods


PODS = {"kubeflow-spark-operator.yaml": kubeflow_pods, "apache-spark-operator.yaml": apache_pods}


def pod(app: dict, role: str, spec: dict) -> dict:
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": f"{app['metadata']['name']}-{role}"}, "spec": without_none(spec)}


def without_none(value):
    if isinstance(value, dict):
        return {key: without_none(item) for key, item in value.items()
                if item is not None and item != []}
    if isinstance(value, list):
        return [without_none(item) for item in value]
    return value


def resources(name: str, app: dict) -> dict:
    """Cores, CPU request, memory and executor count, from either operator's fields."""
    spec = app["spec"]
    if name == "kubeflow-spark-operator.yaml":
        found = {role: {"cores": str(spec[role]["cores"]), "request": spec[role]["coreRequest"],
                        "memory": spec[role]["memory"]} for role in ROLES}
        found["executor"]["instances"] = str(spec["executor"]["instances"])
        return found
    conf = spec["sparkConf"]
    found = {role: {"cores": conf[f"spark.{role}.cores"],
                    "request": conf[f"spark.kubernetes.{role}.request.cores"],
                    "memory": conf[f"spark.{role}.memory"]} for role in ROLES}
    found["executor"]["instances"] = conf["spark.executor.instances"]
    return found


def env_of(container: dict) -> dict[str, str]:
    return {item["name"]: item["value"] for item in container.get("env", [])}


def connector(project) -> str:
    conf = (project / "conf" / "spark-defaults.conf").read_text()
    [coordinate] = re.findall(r"^spark\.jars\.packages\s+(\S+)$", conf, re.M)
    return coordinate


def dockerfile(project, instruction: str) -> list[str]:
    return [args for word, args in instructions(project / "Dockerfile") if word == instruction]


@pytest.mark.parametrize("version", K8S_VERSIONS)
def test_claim_secret_and_every_operators_pods_are_valid_kubernetes_in_strict_mode(
        default_project, version):
    documents = [load(default_project, "checkpoints-pvc.yaml"),
                 load(default_project, "kafka-client-secret.yaml")]
    documents += [pod for name in OPERATORS
                  for pod in PODS[name](load(default_project, name)).values()]

    for document in documents:
        kubernetes_validate.validate(document, version, strict=True)  # raises on any error


def test_a_typo_in_a_pod_field_fails_strict_validation(default_project):
    driver = apache_pods(load(default_project, "apache-spark-operator.yaml"))["driver"]
    driver["spec"]["securityContext"]["runAsNonroot"] = True

    with pytest.raises(kubernetes_validate.ValidationError, match="runAsNonroot"):
        kubernetes_validate.validate(driver, K8S_VERSIONS[-1], strict=True)


def test_both_operators_make_the_same_pods_with_the_same_resources(default_project):
    kubeflow, apache = (load(default_project, name) for name in OPERATORS)

    assert kubeflow_pods(kubeflow) == apache_pods(apache)
    assert resources(OPERATORS[0], kubeflow) == resources(OPERATORS[1], apache)


@pytest.mark.parametrize("name", OPERATORS)
def test_pods_run_as_the_images_user_without_root_capabilities_or_escalation(default_project,
                                                                            name):
    user, _, group = dockerfile(default_project, "USER")[0].partition(":")

    for role, pod_ in PODS[name](load(default_project, name)).items():
        security = pod_["spec"]["securityContext"]
        assert security["runAsNonRoot"] is True, role
        assert (security["runAsUser"], security["runAsGroup"]) == (int(user), int(group)), role
        assert security["seccompProfile"] == {"type": "RuntimeDefault"}, role
        for container in pod_["spec"]["containers"]:
            assert container["securityContext"]["allowPrivilegeEscalation"] is False, role
            assert container["securityContext"]["capabilities"] == {"drop": ["ALL"]}, role


@pytest.mark.parametrize("name", OPERATORS)
def test_driver_checkpoints_on_the_claim_and_reads_kafka_secrets_from_the_secrets_files(
        default_project, name):
    claim = load(default_project, "checkpoints-pvc.yaml")
    secret = load(default_project, "kafka-client-secret.yaml")
    driver = PODS[name](load(default_project, name))["driver"]["spec"]
    [container] = driver["containers"]
    volumes = {volume["name"]: volume for volume in driver["volumes"]}
    mounts = {mount["name"]: mount for mount in container["volumeMounts"]}
    env = env_of(container)

    [claim_volume] = [v for v in volumes.values() if "persistentVolumeClaim" in v]
    assert claim_volume["persistentVolumeClaim"]["claimName"] == claim["metadata"]["name"]
    assert env["CHECKPOINT_LOCATION"].startswith(mounts[claim_volume["name"]]["mountPath"] + "/")

    [secret_volume] = [v for v in volumes.values() if "secret" in v]
    assert secret_volume["secret"]["secretName"] == secret["metadata"]["name"]
    secret_mount = mounts[secret_volume["name"]]
    assert secret_mount["readOnly"] is True
    files = {key: value for key, value in env.items() if key.endswith("_FILE")}
    assert files, "secrets reach the app as KAFKA_OPTION_<NAME>_FILE"
    for key, path in files.items():
        assert key.startswith("KAFKA_OPTION_"), key
        assert path.rpartition("/")[0] == secret_mount["mountPath"], key
        assert path.rpartition("/")[2] in secret["stringData"], key
    assert all(value == "REPLACE_ME" for value in re.findall(
        r'="([^"]*)"', secret["stringData"]["sasl.jaas.config"])), "placeholders only"


def test_operators_run_the_images_main_file_with_the_pinned_connector_and_restart_always(
        default_project):
    kubeflow, apache = (load(default_project, name)["spec"] for name in OPERATORS)
    coordinate = connector(default_project)
    copies = [shlex.split(args) for args in dockerfile(default_project, "COPY")]

    main = kubeflow["mainApplicationFile"]
    assert main == apache["pyFiles"]
    assert main.startswith("local:///")
    image_path = main.removeprefix("local://")
    assert any(image_path.startswith(target) and
               (default_project / source / image_path.removeprefix(target)).is_file()
               for source, target in copies), f"the image has no {image_path}"

    assert kubeflow["type"] == "Python" and kubeflow["mode"] == "cluster"
    assert kubeflow["deps"]["packages"] == [coordinate]
    assert apache["sparkConf"]["spark.jars.packages"] == coordinate
    for conf in (kubeflow["sparkConf"], apache["sparkConf"]):
        assert conf["spark.jars.ivy"].startswith("/")

    restart = kubeflow["restartPolicy"]
    assert restart["type"] == "Always"
    assert restart["onFailureRetryInterval"] > 0 and restart["onSubmissionFailureRetryInterval"] > 0
    restart = apache["applicationTolerations"]["restartConfig"]
    assert restart["restartPolicy"] == "Always"
    assert restart["restartBackoffMillis"] > 0 and restart["maxRestartAttempts"] > 0
    assert restart["restartCounterResetMillis"] > 0  # a long-lived stream is never given up on


def test_build_context_is_only_what_the_dockerfile_copies(default_project):
    patterns = [line for line in (default_project / ".dockerignore").read_text().splitlines()
                if line.strip() and not line.startswith("#")]
    sources = {shlex.split(args)[0].rstrip("/") for args in dockerfile(default_project, "COPY")}

    assert patterns[0] == "*"  # everything else stays out: venvs, checkpoints, build, .kafka
    assert {p[1:].rstrip("/") for p in patterns if p.startswith("!")} == sources
    for junk in ("python/build", "python/**/*.egg-info", "**/__pycache__"):
        assert junk in patterns, junk
