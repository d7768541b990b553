"""The contenders keep the issue's rules: every lever changes one thing against the previous
defaults, and none weakens durability."""

import json
from pathlib import Path

from bench import contenders
from bench.contenders import LEVERS, PREVIOUS, PREVIOUS_DEFAULTS

TEMPLATE = Path(__file__).resolve().parents[2] / "{{cookiecutter.project_slug}}"
CONTRACT = TEMPLATE / "contract" / "settings.json"
SPARK_DEFAULTS = TEMPLATE / "conf" / "spark-defaults.conf"


def changes(c):
    env = {k: v for k, v in c.env.items() if PREVIOUS_DEFAULTS.get(k) != v}
    conf = {k: v for k, v in c.spark_conf.items()
            if contenders.PREVIOUS_SPARK_CONF.get(k) != v}
    return {**env, **conf, **c.read_options, **c.write_options,
            **({} if c.max_offsets == contenders.RUN_CAP else {"cap": c.max_offsets})}


def test_each_lever_changes_one_setting_of_the_previous_defaults():
    levers = [c for c in LEVERS if c.group == "lever"]
    assert levers
    for lever in [*levers, contenders.ASYNC_PROGRESS]:
        assert lever.env.keys() >= PREVIOUS_DEFAULTS.keys(), lever.key
        assert 1 <= len(changes(lever)) <= 2, (lever.key, changes(lever))
    assert changes(PREVIOUS) == {}


def test_no_contender_lowers_acks_or_turns_idempotence_off():
    for c in contenders.ALL.values():
        assert c.env.get("KAFKA_OPTION_ACKS", "all") in ("all", "-1"), c.key
        assert c.env.get("KAFKA_OPTION_ENABLE_IDEMPOTENCE", "true") == "true", c.key


def test_async_progress_tracking_is_never_used_with_available_now():
    # Spark refuses it there: it is a latency lever only.
    throughput = contenders.throughput_contenders("levers", ["python"], [])
    assert all("asyncProgressTrackingEnabled" not in c.write_options for c in throughput)
    points = contenders.latency_points("levers", False, ["python"])
    assert any(c is contenders.ASYNC_PROGRESS and t == contenders.MICRO_BATCH for c, t in points)
    assert not any(c is contenders.ASYNC_PROGRESS and t != contenders.MICRO_BATCH
                   for c, t in points)


def test_compare_mode_has_the_previous_defaults_and_both_peers():
    keys = [c.key for c in contenders.throughput_contenders("compare", ["python"], [])]
    assert {"python", "previous", "quix", "flink", "collect", "confluent", "jvmloop"} <= set(keys)
    assert "java" not in keys  # only variants that were asked for (and built)


def test_the_previous_defaults_pin_back_every_default_the_app_ships():
    shipped = json.loads(CONTRACT.read_text())["kafka_client_defaults"]
    for options in (shipped["source"], shipped["sink"]):
        for name, value in options.items():
            setting = "KAFKA_OPTION_" + name.removeprefix("kafka.").replace(".", "_").upper()
            assert PREVIOUS_DEFAULTS.get(setting) not in (None, value), setting
    conf = SPARK_DEFAULTS.read_text()
    for name in contenders.PREVIOUS_SPARK_CONF:
        if name in conf:  # a Spark setting the app ships: the previous defaults undo it
            assert name in PREVIOUS.spark_conf
    assert contenders.CHECKPOINT_MANAGER in conf
