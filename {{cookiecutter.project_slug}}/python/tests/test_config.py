"""Settings: flag > environment > default, and one clear line for every bad value."""

import pytest

from {{ cookiecutter.package_name }}.config import ConfigError, parse_settings

from .records import load_settings_contract

DEFAULTS = parse_settings([], {})


def test_defaults_come_from_the_template_answers():
    assert DEFAULTS.brokers == "{{ cookiecutter.kafka_brokers }}"
    assert DEFAULTS.in_topic == "{{ cookiecutter.input_topic }}"
    assert DEFAULTS.out_topic == "{{ cookiecutter.output_topic }}"
    assert DEFAULTS.dlq_topic {% if cookiecutter.dlq_topic %}== "{{ cookiecutter.dlq_topic }}"{% else %}is None{% endif %}
    assert DEFAULTS.starting_offsets == "earliest"
    assert DEFAULTS.max_offsets_per_trigger is None
    assert DEFAULTS.trigger == "{{ cookiecutter.trigger }}"
    assert DEFAULTS.output_mode == "append"
    assert DEFAULTS.kafka_options == {}


def test_kafka_client_defaults_are_the_shared_contracts_for_every_trigger():
    defaults = load_settings_contract("kafka_client_defaults")
    micro_batch = parse_settings(["--trigger", "0 seconds"], {})
    real_time = parse_settings(["--trigger", "real-time"], {})

    assert micro_batch.source_options == real_time.source_options == defaults["source"]
    assert micro_batch.sink_options == defaults["sink"]
    assert real_time.sink_options == defaults["sink_real_time"]


def test_a_kafka_option_setting_wins_over_the_apps_client_defaults():
    settings = parse_settings(["--trigger", "0 seconds"], {"KAFKA_OPTION_MAX_POLL_RECORDS": "500",
                                                           "KAFKA_OPTION_LINGER_MS": "0"})

    assert settings.source_options["kafka.max.poll.records"] == "500"
    assert settings.sink_options["kafka.linger.ms"] == "0"
    assert settings.sink_options["kafka.batch.size"] == str(256 << 10)


def test_checkpoint_defaults_to_a_project_local_directory_not_tmp():
    assert DEFAULTS.checkpoint == "checkpoints/python"
    assert not DEFAULTS.checkpoint.startswith("/tmp")


def test_environment_overrides_default():
    env = {"KAFKA_BROKERS": "k1:9092,k2:9093", "KAFKA_IN_TOPIC": "in", "KAFKA_OUT_TOPIC": "out",
           "CHECKPOINT_LOCATION": "/data/cp", "STARTING_OFFSETS": "latest",
           "MAX_OFFSETS_PER_TRIGGER": "500", "TRIGGER": "10 seconds", "KAFKA_DLQ_TOPIC": "bad",
           "OUTPUT_MODE": "update"}

    settings = parse_settings([], env)

    assert settings.brokers == "k1:9092,k2:9093"
    assert (settings.in_topic, settings.out_topic) == ("in", "out")
    assert (settings.checkpoint, settings.starting_offsets) == ("/data/cp", "latest")
    assert (settings.max_offsets_per_trigger, settings.trigger) == (500, "10 seconds")
    assert (settings.dlq_topic, settings.output_mode) == ("bad", "update")


def test_an_empty_dead_letter_topic_turns_it_off():
    assert parse_settings(["--dlq-topic", ""], {"KAFKA_DLQ_TOPIC": "x"}).dlq_topic is None
    assert parse_settings([], {"KAFKA_DLQ_TOPIC": ""}).dlq_topic is None


@pytest.mark.parametrize("mode", ["append", "update", "complete"])
def test_every_output_mode_is_accepted_and_real_time_always_uses_update(mode):
    assert parse_settings(["--output-mode", mode], {}).effective_output_mode == mode
    real_time = parse_settings(["--output-mode", mode, "--trigger", "real-time"], {})
    assert real_time.effective_output_mode == "update"


def test_flag_overrides_environment():
    env = {"KAFKA_IN_TOPIC": "from-env", "TRIGGER": "10 seconds"}

    settings = parse_settings(["--in-topic", "from-flag", "--trigger", "available-now"], env)

    assert (settings.in_topic, settings.trigger) == ("from-flag", "available-now")


@pytest.mark.parametrize("trigger", ["0 seconds", "250 milliseconds", "1 minute",
                                     "available-now", "real-time", "real-time 30 seconds"])
def test_every_trigger_form_is_accepted(trigger):
    assert parse_settings(["--trigger", trigger], {}).trigger == trigger


def test_extra_kafka_options_come_from_the_environment_for_source_and_sink():
    env = {"KAFKA_OPTION_SECURITY_PROTOCOL": "SASL_SSL",
           "KAFKA_OPTION_SASL_JAAS_CONFIG": "secret", "UNRELATED": "x"}

    assert parse_settings([], env).kafka_options == {
        "kafka.security.protocol": "SASL_SSL", "kafka.sasl.jaas.config": "secret"}


@pytest.mark.parametrize("env, message", [
    ({"KAFKA_BROKERS": "localhost"}, "KAFKA_BROKERS=localhost: comma-separated host:port"),
    ({"KAFKA_BROKERS": "h:70000"}, "KAFKA_BROKERS=h:70000: comma-separated host:port"),
    ({"KAFKA_IN_TOPIC": "bad topic"}, "KAFKA_IN_TOPIC=bad topic: 1 to 249 of"),
    ({"KAFKA_OUT_TOPIC": ".."}, "KAFKA_OUT_TOPIC=..: 1 to 249 of"),
    ({"KAFKA_IN_TOPIC": "same", "KAFKA_OUT_TOPIC": "same"}, "KAFKA_OUT_TOPIC=same: must differ"),
    ({"KAFKA_DLQ_TOPIC": "a b"}, "KAFKA_DLQ_TOPIC=a b: 1 to 249 of"),
    ({"KAFKA_IN_TOPIC": "in", "KAFKA_DLQ_TOPIC": "in"},
     "KAFKA_DLQ_TOPIC=in: must differ from the input and output topics"),
    ({"KAFKA_OUT_TOPIC": "out", "KAFKA_DLQ_TOPIC": "out"},
     "KAFKA_DLQ_TOPIC=out: must differ from the input and output topics"),
    ({"OUTPUT_MODE": "upsert"}, "OUTPUT_MODE=upsert: append, update or complete"),
    ({"STARTING_OFFSETS": "yesterday"}, "STARTING_OFFSETS=yesterday: earliest, latest or JSON"),
    ({"MAX_OFFSETS_PER_TRIGGER": "0"}, "MAX_OFFSETS_PER_TRIGGER=0: a positive whole number"),
    ({"TRIGGER": "fast"}, "TRIGGER=fast: an interval"),
    ({"CHECKPOINT_LOCATION": " "}, "CHECKPOINT_LOCATION= : must not be empty"),
    ({"KAFKA_OPTION_GROUP_ID": "x", "KAFKA_OPTION_AUTO_OFFSET_RESET": "latest"},
     "KAFKA_OPTION_AUTO_OFFSET_RESET=latest: set by the app itself"),
])
def test_bad_values_raise_one_line_naming_the_setting_and_an_example(env, message):
    with pytest.raises(ConfigError) as raised:
        parse_settings([], env)

    assert str(raised.value).startswith(message)
    assert "; e.g. " in str(raised.value) and "\n" not in str(raised.value)


def test_bad_config_exits_2_with_one_error_line_and_no_traceback(capsys):
    from {{ cookiecutter.package_name }}.app import main

    assert main(["--trigger", "soon"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("ERROR: TRIGGER=soon: ") and err.count("\n") == 1


def test_a_kafka_option_can_come_from_a_file_as_mounted_secrets_do(tmp_path):
    jaas = tmp_path / "jaas"
    jaas.write_text('ScramLoginModule required username="app" password="pw";\n')

    options = parse_settings([], {"KAFKA_OPTION_SASL_JAAS_CONFIG_FILE": str(jaas),
                                  "KAFKA_OPTION_SASL_MECHANISM": "SCRAM-SHA-512"}).kafka_options

    assert options == {"kafka.sasl.jaas.config":
                       'ScramLoginModule required username="app" password="pw";',
                       "kafka.sasl.mechanism": "SCRAM-SHA-512"}


@pytest.mark.parametrize("content, problem", [
    (None, "the file does not exist"),
    ("", "the file is empty"),
    (b"\xff\xfe hunter2", "the file is not UTF-8 text"),
    ("DIRECTORY", "the path is a directory, not a file"),
])
def test_a_file_that_cannot_be_used_is_named_and_its_contents_never_shown(tmp_path, content,
                                                                          problem):
    path = tmp_path / "password"
    if content == "DIRECTORY":
        path.mkdir()
    elif isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content)

    with pytest.raises(ConfigError) as raised:
        parse_settings([], {"KAFKA_OPTION_SSL_TRUSTSTORE_PASSWORD_FILE": str(path)})

    assert str(raised.value) == (f"KAFKA_OPTION_SSL_TRUSTSTORE_PASSWORD_FILE={path}: {problem}; "
                                 "e.g. KAFKA_OPTION_SSL_TRUSTSTORE_PASSWORD_FILE="
                                 "/run/secrets/kafka-password")
    assert "hunter2" not in str(raised.value)


def test_an_option_set_both_directly_and_from_a_file_is_refused(tmp_path):
    env = {"KAFKA_OPTION_SASL_JAAS_CONFIG": "inline", "KAFKA_OPTION_SASL_JAAS_CONFIG_FILE": "/x"}

    with pytest.raises(ConfigError) as raised:
        parse_settings([], env)

    assert str(raised.value) == (
        "KAFKA_OPTION_SASL_JAAS_CONFIG_FILE=/x: set KAFKA_OPTION_SASL_JAAS_CONFIG or "
        "KAFKA_OPTION_SASL_JAAS_CONFIG_FILE, not both; e.g. unset KAFKA_OPTION_SASL_JAAS_CONFIG")


@pytest.mark.parametrize("name", ["KAFKA_OPTION_SSL_KEYSTORE_PASSWORD",
                                  "KAFKA_OPTION_SASL_JAAS_CONFIG", "KAFKA_OPTION_CLIENT_SECRET",
                                  "KAFKA_OPTION_SASL_OAUTHBEARER_TOKEN", "KAFKA_OPTION_SSL_KEY",
                                  "kafka_option_ssl_key_password"])
def test_config_errors_never_show_the_value_of_a_secret_looking_setting(name):
    error = ConfigError(name, "hunter2", "a rule", "an example")

    assert str(error) == f"{name}=<redacted>: a rule; e.g. an example"


def test_a_refused_secret_looking_option_is_redacted_too():
    with pytest.raises(ConfigError) as raised:
        parse_settings([], {"KAFKA_OPTION_KEY_SERIALIZER": "com.example.Hunter2Serializer"})

    assert str(raised.value).startswith(
        "KAFKA_OPTION_KEY_SERIALIZER=<redacted>: set by the app itself")

