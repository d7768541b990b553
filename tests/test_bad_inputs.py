"""Bad answers, given on the command line as CI scripts do, fail with one clear first line,
a non-zero exit, and no directory left behind."""

import re

import pytest

from conftest import render_cli

# A stack frame inside the pre-gen hook's functions would mean our code crashed.
OUR_FRAME = re.compile(r'File ".*", line \d+, in (main|validate|check_\w+|spark_line)\b')

SUPPORTED = "supported lines: 3.5, 4.0, 4.2"

BAD_INPUTS = [
    (["project_slug=Kappa App"], "ERROR: project_slug=Kappa App: lowercase letters, digits"),
    (["project_slug=../escape"], "ERROR: project_slug=../escape: lowercase letters"),
    (["package_name=class"], "ERROR: package_name=class: must not be a Python keyword"),
    (["package_name=kappa-app"], "ERROR: package_name=kappa-app: lowercase letters, digits and "
                                 "underscores"),
    (["java_package=com.example.new"], "ERROR: java_package=com.example.new: 'new' is a Java "
                                       "reserved word; e.g. com.example.kappa"),
    (["input_topic=a b"], "ERROR: input_topic=a b: Kafka topic names use 1 to 249 of "
                          "[a-zA-Z0-9._-] and are not '.' or '..'; e.g. topic1"),
    (["output_topic=.."], "ERROR: output_topic=..: Kafka topic names use"),
    (["output_topic=" + "x" * 250], "ERROR: output_topic=" + "x" * 250 + ": Kafka topic names"),
    (["input_topic=same", "output_topic=same"], "ERROR: output_topic=same: must differ from "
                                                "input_topic"),
    (["dlq_topic=topic1"], "ERROR: dlq_topic=topic1: must differ from input_topic and "
                           "output_topic, or records would loop or mix with good ones; e.g. "
                           "topic2-dlq"),
    (["dlq_topic=a/b"], "ERROR: dlq_topic=a/b: Kafka topic names use"),
    # The default dead-letter topic is <output_topic>-dlq: four characters more.
    (["output_topic=" + "x" * 247], "ERROR: dlq_topic=" + "x" * 247 + "-dlq: Kafka topic names"),
    (["kafka_brokers=localhost"], "ERROR: kafka_brokers=localhost: a comma-separated list of "
                                  "host:port with port 1..65535; e.g. localhost:9092"),
    (["kafka_brokers=a:9092,b:99999"], "ERROR: kafka_brokers=a:9092,b:99999: a comma-separated"),
    (["spark_version=3.4.4"], f"ERROR: spark_version=3.4.4: Spark 3.4 is not supported; "
                              f"{SUPPORTED}; e.g. "),
    (["spark_version=4.3.0"], f"ERROR: spark_version=4.3.0: Spark 4.3 is not supported; "
                              f"{SUPPORTED}"),
    (["spark_version=4.1.1"], "ERROR: spark_version=4.1.1: Spark 4.1 is not offered: "
                              "SPARK-55271: on Spark 4.1 the Kafka source fails"),
    (["spark_version=latest"], "ERROR: spark_version=latest: an exact version MAJOR.MINOR.PATCH"),
    (["include_java=maybe"], "ERROR: include_java=maybe: yes or no; e.g. no"),
    (["include_scala=2"], "ERROR: include_scala=2: yes or no; e.g. no"),
    (["trigger=asap"], "ERROR: trigger=asap: a micro-batch interval"),
    (["spark_version=3.5.7", "trigger=real-time"], "ERROR: trigger=real-time: real-time mode "
                                                   "needs Spark 4.2 or newer"),
    # A name with nothing to derive a slug from: without a fallback, cookiecutter's own
    # "directory already exists", before any hook.
    (["project_name=🚀 ✨"], "ERROR: project_name=🚀 ✨: has no letter or digit to derive the "
                            "directory name (project_slug) from"),
    (["project_name=Test"], "ERROR: project_name=Test: the package_name derived from it, test, "
                            "breaks its rule (must not be a Python keyword"),
    # A line break in a value is shown escaped: the ERROR line stays one line.
    (["description=two\nlines"], "ERROR: description='two\\nlines': one non-empty line of text; "
                                 "e.g. Kappa App"),
    (["author=Ann @@SCALA_BINARY@@"], "ERROR: author=Ann @@SCALA_BINARY@@: no @@NAME@@ pin "
                                      "markers"),
]


@pytest.mark.parametrize("answers, first_line", BAD_INPUTS,
                         ids=[" ".join(answers)[:40] for answers, _ in BAD_INPUTS])
def test_bad_input_fails_with_one_clear_line_and_leaves_nothing(tmp_path, answers, first_line):
    out = tmp_path / "out"
    out.mkdir()

    result = render_cli(out, *answers)

    output = (result.stdout + result.stderr).splitlines()
    assert result.returncode != 0
    assert output[0].startswith(first_line), output[:3]
    assert list(out.iterdir()) == []
    assert list(tmp_path.iterdir()) == [out]  # nothing escaped the output directory either
    assert not OUR_FRAME.search(result.stderr), "a traceback from the hook's own code"


def test_good_input_on_the_command_line_renders(tmp_path):
    result = render_cli(tmp_path, "project_name=Orders ETL", "include_java=yes",
                        "spark_version=3.5.7", "kafka_brokers=k1:9092,k2:9092")

    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "orders-etl" / "java").is_dir()
