"""Every supported combination renders completely, pins one version everywhere, and records
its answers. Fast: no Spark, no network."""

import itertools
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from cookiecutter.main import cookiecutter

from conftest import ROOT, SPARK_LINES, VERIFIED_VERSIONS, load_hook, render, render_cli
from formats import MARKDOWN
from image_sandbox import image_env

pre = load_hook("pre_gen_project")
post = load_hook("post_gen_project")
TEMPLATE_DIR = ROOT / "{{cookiecutter.project_slug}}"


def text_files(root):
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        try:
            yield path, path.read_text(encoding="utf-8")
        except UnicodeDecodeError:  # e.g. a local __pycache__; the template has no binaries
            continue

def leftovers(project):
    """'path: token' for every template token a render left in a file."""
    return [f"{path.relative_to(project)}: {token}" for path, text in text_files(project)
            for token in ("{{ cookiecutter", "{{cookiecutter", "{%", "@@") if token in text]


COMBINATIONS = [
    pytest.param(version, java, scala, id=f"spark{version}-java_{java}-scala_{scala}")
    for version, java, scala in itertools.product(VERIFIED_VERSIONS, ("no", "yes"), ("no", "yes"))
]

# Every way a file can mention a Spark or Scala version that must agree with the answers.
CONNECTOR = re.compile(r"spark-sql-kafka-0-10_(\d+\.\d+):(\d+\.\d+\.\d+)")
PYSPARK_PIN = re.compile(r"pyspark==(\d+\.\d+\.\d+)")
POM_SPARK = re.compile(r"<spark\.version>([^<]+)</spark\.version>")
POM_SCALA_BINARY = re.compile(r"<scala\.binary\.version>([^<]+)</scala\.binary\.version>")
ARTIFACT_SCALA_SUFFIX = re.compile(r"<artifactId>(?:spark|scala)[a-z0-9-]*_(2\.1\d)</artifactId>")
# The Spark operators' manifests (sparkVersion) and the image's label.
SPARK_VERSION_SETTING = re.compile(
    r"(?:sparkVersion|org\.apache\.spark\.version)\"?\s*[:=]\s*\"?(\d+\.\d+\.\d+)")
MANIFEST_SCALA_BINARY = re.compile(r"scalaVersion:\s*\"?(\d+\.\d+)\"?\s*$", re.M)
# Where the image and the operators take Spark and the connector from.
DEPLOY_FILES = ("Dockerfile", "deploy/k8s/kubeflow-spark-operator.yaml",
                "deploy/k8s/apache-spark-operator.yaml")


def expected_versions(spark_version: str) -> dict[str, str]:
    """What each kind of version mention must say in a project pinned to spark_version."""
    scala_binary = SPARK_LINES[spark_version[:3]]["scala_binary"]
    return {"connector scala": scala_binary, "connector spark": spark_version,
            "pyspark pin": spark_version, "pom spark.version": spark_version,
            "pom scala.binary.version": scala_binary, "artifact scala suffix": scala_binary,
            "spark version setting": spark_version, "manifest scala binary": scala_binary}


def version_mentions(project):
    """(file, what, value) for every Spark/Scala version mention in the rendered tree."""
    for path, text in text_files(project):
        name = path.relative_to(project)
        for scala, spark in CONNECTOR.findall(text):
            yield name, "connector scala", scala
            yield name, "connector spark", spark
        yield from ((name, "pyspark pin", v) for v in PYSPARK_PIN.findall(text))
        yield from ((name, "pom spark.version", v) for v in POM_SPARK.findall(text))
        yield from ((name, "pom scala.binary.version", v) for v in POM_SCALA_BINARY.findall(text))
        yield from ((name, "artifact scala suffix", v) for v in ARTIFACT_SCALA_SUFFIX.findall(text))
        yield from ((name, "spark version setting", v) for v in SPARK_VERSION_SETTING.findall(text))
        yield from ((name, "manifest scala binary", v) for v in MANIFEST_SCALA_BINARY.findall(text))


@pytest.mark.parametrize("spark_version, java, scala", COMBINATIONS)
def test_combination_renders_completely_and_pins_one_version(tmp_path, spark_version, java,
                                                             scala):
    project = render(tmp_path, spark_version=spark_version, include_java=java,
                     include_scala=scala)

    assert leftovers(project) == []
    assert (project / "java").is_dir() == (java == "yes")
    assert (project / "scala").is_dir() == (scala == "yes")
    assert (project / "jvm-runtime").is_dir() == ("yes" in (java, scala))

    mentions = list(version_mentions(project))
    expected = expected_versions(spark_version)
    drift = [m for m in mentions if m[2] != expected[m[1]]]
    assert drift == []
    places = {str(name) for name, _, _ in mentions}
    assert {"conf/spark-defaults.conf", "python/pyproject.toml", "README.md"} <= places
    for deploy_file in DEPLOY_FILES:  # each names both, so none can drift unseen
        assert {"connector spark", "spark version setting"} <= {
            what for name, what, _ in mentions if str(name) == deploy_file}, deploy_file
    if "yes" in (java, scala):  # the variants' parent pom holds the versions
        assert "jvm-runtime/pom.xml" in places


@pytest.mark.parametrize("answers, topics", [
    ({}, "topic1,topic2,topic2-dlq"),
    ({"output_topic": "scores"}, "topic1,scores,scores-dlq"),
    ({"dlq_topic": "rejects"}, "topic1,topic2,rejects"),
    ({"dlq_topic": ""}, "topic1,topic2"),
])
def test_the_dead_letter_topic_derives_from_the_output_topic_and_is_created_with_it(
        tmp_path, answers, topics):
    project = render(tmp_path, include_java="yes", include_scala="yes", **answers)

    makefile = (project / "Makefile").read_text()
    assert re.search(r"^KAFKA_TOPICS \?= (.*)$", makefile, re.M)[1] == topics
    recorded = json.loads((project / ".cookiecutter.json").read_text())["cookiecutter"]
    assert recorded["dlq_topic"] == ",".join(topics.split(",")[2:])
    assert leftovers(project) == []


def test_every_template_file_with_a_pin_marker_is_in_the_hooks_pinned_list():
    marked = {str(path.relative_to(TEMPLATE_DIR)) for path, text in text_files(TEMPLATE_DIR)
              if post.MARKER.search(text)}

    assert marked == set(post.PINNED_FILES)


def test_rerendering_over_an_existing_project_leaves_its_venv_alone(tmp_path):
    project = render(tmp_path)
    vendored = project / ".venv" / "lib" / "request.py"
    vendored.parent.mkdir(parents=True)
    vendored.write_text("SKIP_HEADER = '@@SKIP_HEADER@@'")

    again = Path(cookiecutter(str(ROOT), no_input=True, output_dir=str(tmp_path),
                              overwrite_if_exists=True))

    assert again == project
    assert vendored.read_text() == "SKIP_HEADER = '@@SKIP_HEADER@@'"


def test_connector_is_pinned_in_the_one_file_every_run_path_reads(default_project):
    conf = (default_project / "conf" / "spark-defaults.conf").read_text()
    [coordinate] = re.findall(r"^spark\.jars\.packages\s+(\S+)$", conf, re.M)

    assert coordinate == "org.apache.spark:spark-sql-kafka-0-10_2.13:" + json.loads(
        (ROOT / "cookiecutter.json").read_text())["spark_version"]
    makefile = (default_project / "Makefile").read_text()
    assert "export SPARK_CONF_DIR := $(CURDIR)/conf" in makefile
    assert image_env(default_project / "Dockerfile")["SPARK_CONF_DIR"] == "/app/conf"


def test_answers_are_recorded_and_replay_renders_the_same_tree(tmp_path):
    first = render(tmp_path / "a", project_name="Fraud Scorer", include_java="yes",
                   input_topic="payments", output_topic="scores")
    recorded = json.loads((first / ".cookiecutter.json").read_text())["cookiecutter"]
    assert recorded["project_slug"] == "fraud-scorer" and recorded["include_java"] is True

    replay = subprocess.run(
        [sys.executable, "-m", "cookiecutter", "--replay-file", str(first / ".cookiecutter.json"),
         "-o", str(tmp_path / "b"), str(ROOT)], capture_output=True, text=True, timeout=600)
    assert replay.returncode == 0, replay.stdout + replay.stderr
    second = tmp_path / "b" / "fraud-scorer"

    def tree(project):
        return {str(p.relative_to(project)): p.read_bytes()
                for p in project.rglob("*") if p.is_file()}

    assert tree(second) == tree(first)


def test_names_derive_from_the_project_name(tmp_path):
    project = render(tmp_path, project_name="Click Stream")

    assert project.name == "click-stream"
    assert (project / "python" / "src" / "click_stream" / "transform.py").is_file()
    # The pre-gen hook tells a derived name from a typed one by deriving it the same way.
    answers = json.loads((project / ".cookiecutter.json").read_text())["cookiecutter"]
    for field, (_, derive) in pre.DERIVED_NAMES.items():
        assert derive(answers) == answers[field], field


def markdown_heading(readme: Path) -> str:
    """The README's first heading as a reader sees it (Markdown escapes undone)."""
    tokens = MARKDOWN.parse(readme.read_text(encoding="utf-8"))
    return next(tokens[i + 1].children[0].content for i, token in enumerate(tokens)
                if token.type == "heading_open")


# Names beyond ASCII: the slug and package are transliterated (cookiecutter's slugify filter),
# apostrophes dropped, so such a name renders with no hand-typed slug.
NAMES = [
    ("Zoë's Straße Ærø Østfold Łódź", "zoes-strasse-aero-ostfold-lodz"),
    ("Café Crème Ünïcödé", "cafe-creme-unicode"),
    ("O’Brien’s Click_Stream", "obriens-click-stream"),
    ("Привет мир", "privet-mir"),
]


@pytest.mark.parametrize("name, slug", NAMES, ids=[slug for _, slug in NAMES])
def test_name_beyond_ascii_derives_slug_package_and_java_package(tmp_path, name, slug):
    project = render(tmp_path, project_name=name, include_java="yes", include_scala="yes")

    package = slug.replace("-", "_")
    java_package = "com.example." + package.replace("_", "")
    assert project.name == slug
    assert (project / "python" / "src" / package / "transform.py").is_file()
    for variant, ext in (("java", "java"), ("scala", "scala")):
        app = project / variant / "src" / "main" / variant / java_package.replace(".", "/")
        assert f"package {java_package}" in (app / f"App.{ext}").read_text()
    assert markdown_heading(project / "README.md") == name
    recorded = json.loads((project / ".cookiecutter.json").read_text())["cookiecutter"]
    assert (recorded["project_slug"], recorded["package_name"]) == (slug, package)


def test_a_typed_slug_beyond_ascii_still_fails_with_one_line(tmp_path):
    result = render_cli(tmp_path, "project_name=Straße", "project_slug=straße")

    assert result.returncode != 0
    assert result.stdout.splitlines()[0].startswith("ERROR: project_slug=straße: lowercase letters")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("local_cluster", ["no", "yes"])
def test_the_local_cluster_is_rendered_only_when_chosen(tmp_path, local_cluster):
    project = render(tmp_path, local_cluster=local_cluster)
    chosen = local_cluster == "yes"

    assert (project / "python" / "tests" / "test_e2e_cluster.py").is_file() == chosen
    assert (project / "docs" / "cluster.md").is_file() == chosen
    makefile = (project / "Makefile").read_text()
    assert all((f"\n{target}:" in makefile) == chosen
               for target in ("cluster-up", "cluster-down", "cluster-status", "e2e-cluster"))
    assert ("docs/cluster.md" in (project / "README.md").read_text()) == chosen
    assert (".cluster/" in (project / ".gitignore").read_text()) == chosen
    assert leftovers(project) == []


def test_the_readme_starts_with_the_app_and_its_four_commands(default_project):
    readme = (default_project / "README.md").read_text(encoding="utf-8").splitlines()
    first_screen = "\n".join(readme[:40])

    assert len(readme) <= 150
    for command in ("make install", "make kafka-up", "make run", "make test"):
        assert f"\n{command} " in first_screen, command
    assert "python/src/kappa_app/transform.py" in "\n".join(readme[:50])
    linked = set(re.findall(r"\]\((docs/[a-z-]+\.md|local/README\.md)\)", "\n".join(readme)))
    assert linked and all((default_project / page).is_file() for page in linked)
