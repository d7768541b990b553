"""Every Spark version the template offers is really published: pyspark on PyPI and the
matching spark-sql-kafka-0-10 connector on Maven Central. Needs the network."""

import json
import subprocess
import urllib.request

import pytest

from conftest import DEFAULT_SPARK, ROOT, SPARK_LINES, load_hook

pytestmark = pytest.mark.network

MAVEN_CENTRAL = "https://repo.maven.apache.org/maven2"
PYPI_SIMPLE = "https://pypi.org/simple/pyspark/"
# 3.x resolves runtime dependencies only; Maven's default 2.8 also asks for test jars.
DEPENDENCY_PLUGIN = "org.apache.maven.plugins:maven-dependency-plugin:3.9.0"
connector = load_hook("post_gen_project").connector


def http(url: str, method: str = "GET", accept: str = "*/*"):
    request = urllib.request.Request(url, method=method, headers={"Accept": accept})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status, response.read()


@pytest.fixture(scope="module")
def pyspark_files():
    _, body = http(PYPI_SIMPLE, accept="application/vnd.pypi.simple.v1+json")
    return {f["filename"] for f in json.loads(body)["files"]}


ROWS = [pytest.param(row["verified"], row["scala_binary"], id=line)
        for line, row in SPARK_LINES.items()]


@pytest.mark.parametrize("version, scala_binary", ROWS)
def test_pyspark_release_is_on_pypi(pyspark_files, version, scala_binary):
    assert f"pyspark-{version}.tar.gz" in pyspark_files


@pytest.mark.parametrize("version, scala_binary", ROWS)
def test_connector_jar_and_pom_are_on_maven_central(version, scala_binary):
    group, artifact, _ = connector(version, scala_binary).split(":")
    base = f"{MAVEN_CENTRAL}/{group.replace('.', '/')}/{artifact}/{version}/{artifact}-{version}"

    for suffix in (".pom", ".jar"):
        status, _ = http(base + suffix, method="HEAD")
        assert status == 200, base + suffix


@pytest.mark.parametrize("version, scala_binary", ROWS)
def test_connector_resolves_with_all_its_dependencies(version, scala_binary):
    """What --packages does at run time: a connector whose dependencies are missing (e.g.
    spark-token-provider-kafka-0-10 4.0.4) is on Maven Central but still unusable."""
    result = subprocess.run(
        ["mvn", "-q", "-B", f"{DEPENDENCY_PLUGIN}:get", "-Dtransitive=true",
         f"-Dartifact={connector(version, scala_binary)}"],
        capture_output=True, text=True, timeout=600)

    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]


def test_the_msk_iam_login_module_named_in_the_conf_resolves_next_to_the_connector():
    """AWS MSK IAM needs one line uncommented in conf/spark-defaults.conf: the connector plus
    aws-msk-iam-auth. The version named there resolves with all its dependencies, as the
    connector does (test above)."""
    conf = (ROOT / "{{cookiecutter.project_slug}}" / "conf" / "spark-defaults.conf").read_text()
    [line] = [line for line in conf.splitlines() if "aws-msk-iam-auth" in line]
    key, packages = line.removeprefix("#").split()
    [pinned_connector, msk_iam] = packages.split(",")

    assert (key, pinned_connector) == ("spark.jars.packages", "@@KAFKA_CONNECTOR@@")
    assert msk_iam.startswith("software.amazon.msk:aws-msk-iam-auth:")
    result = subprocess.run(
        ["mvn", "-q", "-B", f"{DEPENDENCY_PLUGIN}:get", "-Dtransitive=true",
         f"-Dartifact={msk_iam}"],
        capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]


def test_default_is_the_verified_release_of_the_newest_line():
    newest = max(SPARK_LINES, key=lambda line: tuple(map(int, line.split("."))))

    assert SPARK_LINES[newest]["verified"] == DEFAULT_SPARK
