"""Every Spark version the template offers is really published: pyspark on PyPI and the
matching spark-sql-kafka-0-10 connector on Maven Central. Needs the network."""

import json
import urllib.request

import pytest

from conftest import DEFAULT_SPARK, SPARK_LINES, load_hook

pytestmark = pytest.mark.network

MAVEN_CENTRAL = "https://repo.maven.apache.org/maven2"
PYPI_SIMPLE = "https://pypi.org/simple/pyspark/"
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


def test_default_is_the_verified_release_of_the_newest_line():
    newest = max(SPARK_LINES, key=lambda line: tuple(map(int, line.split("."))))

    assert SPARK_LINES[newest]["verified"] == DEFAULT_SPARK
