"""The secured local broker's settings (kafka_security.py), without starting anything;
test_e2e_security.py runs them on a real broker."""

import pytest

from kappa_local import LocalError
from kappa_local.kafka_security import Security, jaas, prepare

PASSWORDS = {"broker-stores": "b", "client-stores": "c", "admin": "a-pw", "app": "app-pw"}


def secured(mode, tmp_path):
    return Security(mode, tmp_path / "security", PASSWORDS)


def test_a_data_dir_set_up_without_security_is_not_secured_later(tmp_path):
    with pytest.raises(LocalError) as raised:
        prepare(tmp_path, "sasl_ssl", formatted=True)

    assert str(raised.value).startswith(f"the broker in {tmp_path} was set up without security")
    assert not (tmp_path / "security").exists()


def test_an_unknown_mode_is_refused_in_one_line(tmp_path):
    with pytest.raises(LocalError, match="unknown security mode 'tls'"):
        prepare(tmp_path, "tls", formatted=False)


def test_plaintext_adds_nothing(tmp_path):
    security = prepare(tmp_path, "plaintext", formatted=False)

    assert (security.protocol, security.server_properties(), security.app_env()) == (
        "PLAINTEXT", {}, {})
    assert security.scram_users() == [] and security.client_config() == {}


@pytest.mark.parametrize("mode", ["sasl_ssl", "ssl"])
def test_a_secured_broker_authorizes_and_keeps_its_loopback_controller_working(mode, tmp_path):
    props = secured(mode, tmp_path).server_properties()

    assert props["authorizer.class.name"].endswith("StandardAuthorizer")
    # The PLAINTEXT controller listener sees User:ANONYMOUS: without it the broker never
    # registers with its own controller.
    assert set(props["super.users"].split(";")) == {"User:admin", "User:broker", "User:ANONYMOUS"}
    if mode == "ssl":
        assert props["ssl.client.auth"] == "required"
    else:
        assert props["listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config"] == jaas("admin",
                                                                                      "a-pw")


def test_the_app_gets_its_secrets_as_file_paths_or_as_values(tmp_path):
    security = secured("sasl_ssl", tmp_path)

    from_files, values = security.app_env(), security.app_env(from_files=False)

    assert from_files["KAFKA_OPTION_SASL_JAAS_CONFIG_FILE"] == str(tmp_path / "security/app.jaas")
    assert values["KAFKA_OPTION_SASL_JAAS_CONFIG"] == jaas("app", "app-pw")
    assert values["KAFKA_OPTION_SSL_TRUSTSTORE_PASSWORD"] == "c"
    assert "KAFKA_OPTION_SSL_TRUSTSTORE_PASSWORD" not in from_files
    assert "app-pw" not in str(from_files)


def test_scram_users_are_made_at_format_time_for_admin_and_app(tmp_path):
    assert secured("sasl_ssl", tmp_path).scram_users() == [
        "--add-scram", "SCRAM-SHA-512=[name=admin,password=a-pw]",
        "--add-scram", "SCRAM-SHA-512=[name=app,password=app-pw]"]
