"""End to end on a secured broker, as production Kafka is: SASL_SSL (SCRAM-SHA-512) with ACLs
that let the app's user read its input and write its output only, and mutual TLS.

Every variant moves records with keys and headers byte for byte and leaks no secret: not into
the project, the checkpoint, its output and progress lines, Spark's event log or any command
line of its processes. A wrong password ends the app with exit 1 and one ERROR: line that says
what to check, within a deadline.
"""

from __future__ import annotations

import time

import pytest
from kappa_local import kafka_security
from kappa_local.testing.apps import START_TIMEOUT
from kappa_local.testing.leak_scan import CommandLines, event_log_conf, scan
from kappa_local.testing.records import assert_nothing_lost, consume_until, produce

from .e2e_support import JARS, PROJECT, RUN_PATHS, N, make_records, new_topics, report, start_app

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("jars")]

# A JVM variant for the tests that need one, if the project has one.
JVM = next(iter(JARS), None)
AUTH_FAILURE_DEADLINE = 300  # seconds from start to exit, JVM start-up included


def move_records_and_scan(apps, tmp_path, kafka, topics, run_path: str, name: str,
                          **settings) -> dict:
    """Produce N records, let the app copy them (available-now: it stops by itself), check
    the output byte for byte, then search every place a secret could leak to."""
    source, sink = topics.source, topics.sink
    records = make_records(N, name)
    produce(kafka, source, records)
    conf, event_log = event_log_conf(tmp_path, PROJECT / "conf")
    checkpoint = tmp_path / "checkpoint"
    started = time.monotonic()
    app = start_app(apps, tmp_path, kafka, topics, run_path, checkpoint, name, conf_dir=conf,
                    TRIGGER="available-now", **settings)
    with CommandLines(session=app.process.pid) as command_lines:
        assert app.process.wait(START_TIMEOUT) == 0, app.logs()
    seconds = round(time.monotonic() - started, 1)
    duplicates = assert_nothing_lost(records, consume_until(kafka, sink, records))
    progress = [e for e in app.events() if e["event"] == "progress"]
    assert sum(e["input_rows"] for e in progress) == N, progress

    scanned = scan(kafka.security.passwords,
                   {"project": [PROJECT], "checkpoint": [checkpoint],
                    "app output": [app.stdout_path, app.stderr_path], "event log": [event_log]},
                   command_lines.seen)

    leaks = {place: s.found for place, s in scanned.items() if s.found}
    assert not leaks, f"secrets found: {leaks}"
    # The scan reads what it claims to: each place had content where the app wrote its marks.
    assert all(s.files and s.bytes for s in scanned.values()), scanned
    events = scan({"input topic": source}, {"event log": [event_log]}, [])["event log"]
    assert events.found, "the decompressed event log does not mention the input topic"
    assert any(b"java" in line for _, line in command_lines.seen), command_lines.seen
    return {"records": N, "duplicates": duplicates, "seconds": seconds,
            "progress_lines": len(progress),
            "scanned": {place: {"files": s.files, "bytes": s.bytes}
                        for place, s in scanned.items()}}


@pytest.mark.parametrize("run_path", RUN_PATHS)
def test_every_variant_moves_records_through_sasl_ssl_and_leaks_no_secret(
        apps, tmp_path, sasl_kafka, sasl_topics, run_path):
    # `python -m` reads its secrets from files (KAFKA_OPTION_<NAME>_FILE), the others from
    # the environment.
    from_files = run_path == "python -m"
    numbers = move_records_and_scan(apps, tmp_path, sasl_kafka, sasl_topics, run_path, "sasl",
                                    secrets_from_files=from_files)
    report(f"SASL_SSL via {run_path}", secrets="files" if from_files else "environment",
           **numbers)


def test_mutual_tls_moves_records_with_a_client_certificate(apps, tmp_path, mtls_kafka,
                                                            request):
    topics = new_topics(mtls_kafka, request.node.name)
    numbers = move_records_and_scan(apps, tmp_path, mtls_kafka, topics, "python -m", "mtls")
    report("mutual TLS via python -m", **numbers)


@pytest.mark.parametrize("run_path", ["python -m", *([JVM] if JVM else [])])
def test_a_wrong_password_exits_1_with_one_line_that_says_what_to_check(
        apps, tmp_path, sasl_kafka, sasl_topics, run_path):
    wrong = "not-the-password-" + tmp_path.name
    started = time.monotonic()
    app = start_app(apps, tmp_path, sasl_kafka, sasl_topics, run_path, tmp_path / "checkpoint",
                    "wrong-password", secrets_from_files=False,
                    KAFKA_OPTION_SASL_JAAS_CONFIG=kafka_security.jaas("app", wrong))

    exit_code = app.process.wait(AUTH_FAILURE_DEADLINE)
    seconds = round(time.monotonic() - started, 1)
    stderr = app.stderr_path.read_text(errors="replace")
    errors = [line for line in stderr.splitlines() if line.startswith("ERROR:")]
    assert exit_code == 1, app.logs()
    assert len(errors) == 1 and errors[0].startswith(
        "ERROR: Kafka authentication failed (") and errors[0].endswith(
        "check the user name and password in KAFKA_OPTION_SASL_JAAS_CONFIG and the mechanism "
        "in KAFKA_OPTION_SASL_MECHANISM"), stderr[-3000:]
    assert "\n\tat " not in stderr and "Caused by:" not in stderr, stderr[-3000:]  # no JVM trace
    assert "Traceback" not in stderr
    output = app.stdout_path.read_text(errors="replace") + stderr
    assert wrong not in output and sasl_kafka.security.passwords["app"] not in output
    report(f"wrong password via {run_path}", exit_code=exit_code, seconds_to_exit=seconds,
           error=errors[0][:80])

