"""Unit tests of the hook functions, imported straight from hooks/ (no rendering)."""

import json

import pytest

from conftest import SPARK_LINES, TEMPLATE_JSON, load_hook

pre = load_hook("pre_gen_project")
post = load_hook("post_gen_project")

DEFAULT_ANSWERS = {
    "project_name": "Kappa App", "project_slug": "kappa-app", "package_name": "kappa_app",
    "java_package": "com.example.kappaapp", "description": "d", "author": "a",
    "spark_version": TEMPLATE_JSON["spark_version"], "include_java": False, "include_scala": False,
    "local_cluster": False,
    "kafka_brokers": "localhost:9092", "input_topic": "topic1", "output_topic": "topic2",
    "dlq_topic": "topic2-dlq", "trigger": "0 seconds", "_spark_lines": SPARK_LINES,
    "_refused_spark_lines": TEMPLATE_JSON["_refused_spark_lines"],
}


def test_default_answers_are_valid_without_warnings():
    assert pre.validate(dict(DEFAULT_ANSWERS)) == []


@pytest.mark.parametrize("field, value, message", [
    ("project_slug", "Kappa App", "project_slug=Kappa App: lowercase letters"),
    ("project_slug", "a--b", "project_slug=a--b: lowercase letters"),
    ("package_name", "1app", "package_name=1app: lowercase letters"),
    ("package_name", "class", "package_name=class: must not be a Python keyword"),
    ("package_name", "json", "package_name=json: must not be a Python keyword or shadow"),
    ("package_name", "pyspark", "package_name=pyspark: must not be a Python keyword or shadow"),
    ("java_package", "com.example.class", "java_package=com.example.class: 'class' is a Java"),
    ("java_package", "com.1example", "java_package=com.1example: dot-separated Java identifiers"),
    ("java_package", "com..example", "java_package=com..example: dot-separated Java"),
    ("input_topic", "bad topic", "input_topic=bad topic: Kafka topic names use"),
    ("input_topic", "", "input_topic=: Kafka topic names use"),
    ("input_topic", "..", "input_topic=..: Kafka topic names use"),
    ("output_topic", "t" * 250, "output_topic=" + "t" * 250 + ": Kafka topic names use"),
    ("output_topic", "topic1", "output_topic=topic1: must differ from input_topic"),
    ("dlq_topic", "bad topic", "dlq_topic=bad topic: Kafka topic names use"),
    ("dlq_topic", "topic1", "dlq_topic=topic1: must differ from input_topic and output_topic"),
    ("dlq_topic", "topic2", "dlq_topic=topic2: must differ from input_topic and output_topic"),
    ("kafka_brokers", "localhost", "kafka_brokers=localhost: a comma-separated list"),
    ("kafka_brokers", "a:1,b:0", "kafka_brokers=a:1,b:0: a comma-separated list"),
    ("kafka_brokers", "a:65536", "kafka_brokers=a:65536: a comma-separated list"),
    ("kafka_brokers", "a b:9092", "kafka_brokers=a b:9092: a comma-separated list"),
    ("spark_version", "4.2", "spark_version=4.2: an exact version MAJOR.MINOR.PATCH"),
    ("spark_version", "3.4.4", "spark_version=3.4.4: Spark 3.4 is not supported; supported "
                               "lines: 3.5, 4.0, 4.2"),
    ("include_java", "maybe", "include_java=maybe: yes or no"),
    ("local_cluster", "sometimes", "local_cluster=sometimes: yes or no"),
    ("package_name", "main", "package_name=main: must not be a Python keyword or shadow"),
    ("package_name", "kappa_local", "package_name=kappa_local: must not be a Python keyword"),
    ("description", "two\nlines", "description='two\\nlines': one non-empty line"),
    ("author", "a\x07b", "author='a\\x07b': one line of text without control characters"),
    ("author", "Zoë\u2028x", "author='Zoë\\u2028x': one line of text without control"),
    ("description", "x\udce9", "description='x\\udce9': one line of text without control"),
    ("description", "x\ufffe", "description='x\\ufffe': one line of text without control"),
    ("project_name", "Kappa\u00a0", "project_name='Kappa\\xa0': no spaces before or after"),
    ("description", " d", "description= d: no spaces before or after the text"),
    ("description", "uses @@SCALA_BINARY@@", "description=uses @@SCALA_BINARY@@: no @@NAME@@ pin"),
    ("java_package", "com.$x", "java_package=com.$x: dot-separated Java identifiers"),
    ("kafka_brokers", "a:²", "kafka_brokers=a:²: a comma-separated list"),
    ("kafka_brokers", "a:٩٠٩٢", "kafka_brokers=a:٩٠٩٢: a comma-separated list"),
    ("kafka_brokers", "a:1,\x0bb:2", "kafka_brokers='a:1,\\x0bb:2': a comma-separated list"),
    ("spark_version", "4.2.٠", "spark_version=4.2.٠: an exact version MAJOR.MINOR.PATCH"),
    ("trigger", "٥ seconds", "trigger=٥ seconds: a micro-batch interval"),
    ("trigger", "fast", "trigger=fast: a micro-batch interval"),
    ("trigger", "10 hours", "trigger=10 hours: a micro-batch interval"),
])
def test_bad_answer_raises_one_rule_with_an_example(field, value, message):
    answers = dict(DEFAULT_ANSWERS, **{field: value})

    with pytest.raises(pre.InputError) as raised:
        pre.validate(answers)

    assert str(raised.value).startswith(message)
    assert "; e.g. " in str(raised.value)


def test_an_error_line_is_one_line_whatever_the_value_holds():
    with pytest.raises(pre.InputError) as raised:
        pre.validate(dict(DEFAULT_ANSWERS, project_slug="a\r\nb\x85c\u2029"))

    assert str(raised.value).startswith("project_slug='a\\r\\nb\\x85c\\u2029': lowercase")
    assert str(raised.value).isprintable()


@pytest.mark.parametrize("name", ["Привет мир", "日本語 🚀", "עברית", "Zoë's \u200fStraße",
                                  'C# "quoted" \\ `code` <b>&amp; *x* 1. [a](b)'])
def test_text_in_any_script_with_quotes_and_markup_is_valid(name):
    assert pre.validate(dict(DEFAULT_ANSWERS, project_name=name, description=name,
                             author=name)) == []


# project_name -> slug -> package -> Java package, each left to its default (derived).
DERIVED = dict(DEFAULT_ANSWERS, __slug_from_name="kappa-app")


@pytest.mark.parametrize("changes, message", [
    ({"project_name": "🚀", "__slug_from_name": pre.NO_SLUG, "project_slug": pre.NO_SLUG},
     "project_name=🚀: has no letter or digit to derive the directory name (project_slug)"),
    ({"project_name": "2048", "__slug_from_name": "2048", "project_slug": "2048",
      "package_name": "2048", "java_package": "com.example.2048"},
     "project_name=2048: the project_slug derived from it, 2048, breaks its rule (lowercase"),
    ({"project_name": "Test", "__slug_from_name": "test", "project_slug": "test",
      "package_name": "test", "java_package": "com.example.test"},
     "project_name=Test: the package_name derived from it, test, breaks its rule (must not be"),
    ({"project_name": "Do", "__slug_from_name": "do", "project_slug": "do",
      "package_name": "do", "java_package": "com.example.do"},
     "project_name=Do: the java_package derived from it, com.example.do, breaks its rule ('do' "
     "is a Java reserved word): change it, or pass java_package as well; e.g. Kappa App"),
    ({"project_slug": "json", "package_name": "json", "java_package": "com.example.json"},
     "project_slug=json: the package_name derived from it, json, breaks its rule"),
    ({"package_name": "int", "java_package": "com.example.int"},
     "package_name=int: the java_package derived from it, com.example.int, breaks its rule"),
])
def test_a_bad_derived_name_is_reported_against_the_answer_it_came_from(changes, message):
    with pytest.raises(pre.InputError) as raised:
        pre.validate(dict(DERIVED, **changes))

    assert str(raised.value).startswith(message)


def test_a_typed_name_is_reported_as_itself_even_when_the_name_would_derive_another():
    with pytest.raises(pre.InputError) as raised:
        pre.validate(dict(DERIVED, package_name="class"))

    assert str(raised.value).startswith("package_name=class: must not be a Python keyword")


def test_the_hook_knows_the_slug_fallback_cookiecutter_json_derives():
    assert f"'{pre.NO_SLUG}'" in TEMPLATE_JSON["__slug_from_name"]
    assert TEMPLATE_JSON["project_slug"] == "{{ cookiecutter.__slug_from_name }}"


def test_an_empty_dead_letter_topic_means_none_and_is_valid():
    assert pre.validate(dict(DEFAULT_ANSWERS, dlq_topic="")) == []


@pytest.mark.parametrize("value", ["localhost:9092", "a:1,b.example.com:65535", "[::1]:9092",
                                   "10.0.0.1:9092, 10.0.0.2:9092"])
def test_good_broker_lists_pass(value):
    pre.check_brokers(value)


@pytest.mark.parametrize("value", ["yes", "YES", "y", "true", "1", True, "no", "false", False])
def test_booleans_accept_the_usual_words(value):
    assert pre.check_boolean("include_java", value) in (True, False)


@pytest.mark.parametrize("trigger", ["0 seconds", "500 milliseconds", "1 minute",
                                     "available-now", "real-time", "real-time 30 seconds"])
def test_triggers_accepted_on_the_newest_line(trigger):
    assert pre.validate(dict(DEFAULT_ANSWERS, trigger=trigger)) == []


@pytest.mark.parametrize("version", ["3.5.7", "4.0.0"])
def test_real_time_is_refused_where_pyspark_lacks_it(version):
    with pytest.raises(pre.InputError) as raised:
        pre.validate(dict(DEFAULT_ANSWERS, spark_version=version, trigger="real-time"))

    assert str(raised.value).startswith("trigger=real-time: real-time mode needs Spark 4.2")


@pytest.mark.parametrize("version", ["4.1.0", "4.1.1", "4.1.4"])
def test_a_refused_line_names_its_spark_bug_and_the_version_to_choose(version):
    with pytest.raises(pre.InputError) as raised:
        pre.validate(dict(DEFAULT_ANSWERS, spark_version=version))

    assert str(raised.value).startswith(f"spark_version={version}: Spark 4.1 is not offered: "
                                        "SPARK-55271")
    assert str(raised.value).endswith("; e.g. 4.2.0 instead")


def test_unverified_patch_of_a_supported_line_is_accepted_with_a_warning():
    [warning] = pre.validate(dict(DEFAULT_ANSWERS, spark_version="3.5.99"))

    assert warning.startswith("WARNING: spark_version=3.5.99 is not the verified release")
    assert "spark-sql-kafka-0-10_2.12" in warning


@pytest.mark.parametrize("version, scala, coordinate", [
    ("3.5.7", "2.12", "org.apache.spark:spark-sql-kafka-0-10_2.12:3.5.7"),
    ("4.0.0", "2.13", "org.apache.spark:spark-sql-kafka-0-10_2.13:4.0.0"),
    ("4.2.0", "2.13", "org.apache.spark:spark-sql-kafka-0-10_2.13:4.2.0"),
])
def test_pins_derive_scala_and_connector_from_the_spark_line(version, scala, coordinate):
    pins = post.pins(version, SPARK_LINES)

    assert pins["@@SCALA_BINARY@@"] == scala
    assert pins["@@KAFKA_CONNECTOR@@"] == coordinate


@pytest.mark.parametrize("version, package", [
    ("3.5.7", "org.apache.spark.sql.execution.streaming"),
    ("4.0.0", "org.apache.spark.sql.execution.streaming"),
    ("4.2.0", "org.apache.spark.sql.execution.streaming.checkpointing"),  # moved in 4.1
])
def test_pins_name_the_checkpoint_file_manager_of_the_spark_line(version, package):
    pins = post.pins(version, SPARK_LINES)

    assert pins["@@CHECKPOINT_FILE_MANAGER@@"] == f"{package}.FileSystemBasedCheckpointFileManager"


def test_pin_files_replaces_markers_only_in_the_pinned_files(tmp_path):
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "spark-defaults.conf").write_text("x @@SCALA_BINARY@@ y")
    (tmp_path / ".venv").mkdir()  # a re-render over an existing project keeps its venv
    (tmp_path / ".venv" / "vendored.py").write_text("@@SKIP_HEADER@@ @@SCALA_BINARY@@")

    changed = post.pin_files(tmp_path, {"@@SCALA_BINARY@@": "2.13"})

    assert changed == [tmp_path / "conf" / "spark-defaults.conf"]
    assert (tmp_path / "conf" / "spark-defaults.conf").read_text() == "x 2.13 y"
    assert (tmp_path / ".venv" / "vendored.py").read_text() == "@@SKIP_HEADER@@ @@SCALA_BINARY@@"
    assert post.leftover_markers(tmp_path) == []


def test_leftover_markers_names_file_and_marker(tmp_path):
    (tmp_path / "README.md").write_text("<v>@@TYPO_MARKER@@</v>")

    assert post.leftover_markers(tmp_path) == ["README.md: @@TYPO_MARKER@@"]


def test_prune_removes_what_unselected_options_bring(tmp_path):
    for variant in ("java", "scala", "jvm-runtime"):
        (tmp_path / variant).mkdir()
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "cluster.md").write_text("the cluster")

    removed = post.prune(tmp_path, {"include_java": "yes", "include_scala": False,
                                    "local_cluster": "no"})

    assert removed == ["scala", "python/tests/test_e2e_cluster.py", "docs/cluster.md"]
    assert (tmp_path / "java").is_dir() and not (tmp_path / "scala").exists()
    assert not (tmp_path / "docs" / "cluster.md").exists()
    assert (tmp_path / "jvm-runtime").is_dir()


def test_prune_removes_the_shared_jvm_runtime_with_both_variants(tmp_path):
    for variant in ("java", "scala", "jvm-runtime"):
        (tmp_path / variant).mkdir()

    removed = post.prune(tmp_path, {"include_java": "no", "include_scala": False,
                                    "local_cluster": "yes"})

    assert removed == ["java", "scala", "jvm-runtime"]
    assert list(tmp_path.iterdir()) == []


def test_recorded_answers_keep_public_inputs_and_the_template_location():
    context = dict(DEFAULT_ANSWERS, _template="gh:org/repo", include_java="yes",
                   __java_package_dir="com/example/kappaapp", __prompts__={"x": "y"})

    recorded = post.recorded_answers(context)["cookiecutter"]

    assert recorded["_template"] == "gh:org/repo"
    assert recorded["include_java"] is True
    assert recorded["__java_package_dir"] == "com/example/kappaapp"
    assert "_spark_lines" not in recorded and "__prompts__" not in recorded
    assert json.loads(json.dumps(recorded)) == recorded


def test_build_leftovers_copied_with_kappa_local_are_removed(tmp_path):
    package = tmp_path / "local" / "src" / "kappa_local"
    for leftover in (package / "__pycache__", package.parent / "kappa_local.egg-info"):
        leftover.mkdir(parents=True)
        (leftover / "x").write_text("built")
    (package / "broker.py").write_text("code")

    removed = post.remove_build_leftovers(tmp_path)

    assert removed == ["local/src/kappa_local/__pycache__", "local/src/kappa_local.egg-info"]
    assert [p.name for p in package.parent.iterdir()] == ["kappa_local"]
    assert (package / "broker.py").is_file()
