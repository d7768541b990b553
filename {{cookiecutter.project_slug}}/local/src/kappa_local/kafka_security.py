"""A secured local broker: TLS material made with the JDK's keytool, SCRAM users, and ACLs
that give the app only what it needs. Nothing is downloaded.

    plaintext  no TLS, no authentication (the default)
    sasl_ssl   TLS; clients log in with SCRAM-SHA-512 (a user name and a password)
    ssl        mutual TLS: clients show a certificate that the broker's CA signed

The material is made fresh for each data dir, into <data dir>/security (mode 700, files mode
600; .kafka/ is git-ignored), and nowhere else: a CA, the broker's certificate (its SAN covers
127.0.0.1 and localhost), a PKCS12 truststore for Java clients, the CA as PEM for librdkafka,
a PKCS12 keystore per client for mutual TLS, and the passwords. Two users: ``admin``, a super
user for tools and test clients, and ``app``, which may only read its input topic and write
its output topics (StandardAuthorizer ACLs; a certificate's CN is its user name).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from .kafka_node import write_private
from .processes import LocalError

MODES = ("plaintext", "sasl_ssl", "ssl")
SCRAM = "SCRAM-SHA-512"
ADMIN, APP = "admin", "app"  # the users; the broker's own certificate is CN=broker
SECURITY_DIR = "security"  # in the data dir
CREDENTIALS = "credentials.json"  # every password of this data dir
CA_PEM, TRUSTSTORE = "ca.pem", "truststore.p12"
CLIENT_STORES_PASSWORD = "client-stores.password"  # the truststore's and client keystores'
SCRAM_LOGIN = "org.apache.kafka.common.security.scram.ScramLoginModule"
VALID_DAYS = "3650"


def jaas(user: str, password: str) -> str:
    """The sasl.jaas.config value that logs ``user`` in with SCRAM."""
    return f'{SCRAM_LOGIN} required username="{user}" password="{password}";'


@dataclass(frozen=True)
class Security:
    """How clients reach the broker: its protocol and the credentials for each user."""

    mode: str = "plaintext"
    dir: Path | None = None  # <data dir>/security; None for plaintext
    passwords: Mapping[str, str] = field(default_factory=dict, repr=False)

    @property
    def protocol(self) -> str:
        return self.mode.upper()

    @property
    def secured(self) -> bool:
        return self.mode != "plaintext"

    def server_properties(self) -> dict[str, str]:
        """What the broker's server.properties adds for this mode (see kafka_node)."""
        if not self.secured:
            return {}
        props = {
            "ssl.keystore.type": "PKCS12",
            "ssl.keystore.location": str(self.dir / "broker.p12"),
            "ssl.keystore.password": self.passwords["broker-stores"],
            "ssl.truststore.type": "PKCS12",
            "ssl.truststore.location": str(self.dir / TRUSTSTORE),
            "ssl.truststore.password": self.passwords["client-stores"],
            "authorizer.class.name": "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
            # The controller listener is PLAINTEXT (on 127.0.0.1 only), where every peer is
            # User:ANONYMOUS: without it as a super user the broker cannot register with its
            # own controller (CLUSTER_AUTHORIZATION_FAILED) and never serves.
            "super.users": f"User:{ADMIN};User:broker;User:ANONYMOUS",
        }
        if self.mode == "sasl_ssl":
            props.update({
                "sasl.enabled.mechanisms": SCRAM,
                "sasl.mechanism.inter.broker.protocol": SCRAM,
                f"listener.name.sasl_ssl.{SCRAM.lower()}.sasl.jaas.config":
                    jaas(ADMIN, self.passwords[ADMIN]),
            })
        else:
            props.update({
                "ssl.client.auth": "required",
                "ssl.principal.mapping.rules": "RULE:^CN=([^,]+)$/$1/,DEFAULT",  # CN=app: app
            })
        return props

    def scram_users(self) -> list[str]:
        """StorageTool format arguments that create the SCRAM users (only at format time)."""
        if not self.secured:
            return []
        users = [f"{SCRAM}=[name={user},password={self.passwords[user]}]" for user in (ADMIN, APP)]
        return [arg for user in users for arg in ("--add-scram", user)]

    def client_config(self, user: str = ADMIN) -> dict[str, str]:
        """confluent-kafka (librdkafka) settings for ``user``, bootstrap.servers aside."""
        if self.mode == "sasl_ssl":
            return {"security.protocol": "SASL_SSL", "sasl.mechanism": SCRAM,
                    "sasl.username": user, "sasl.password": self.passwords[user],
                    "ssl.ca.location": str(self.dir / CA_PEM)}
        if self.mode == "ssl":
            return {"security.protocol": "SSL", "ssl.ca.location": str(self.dir / CA_PEM),
                    "ssl.keystore.location": str(self.dir / f"{user}.p12"),
                    "ssl.keystore.password": self.passwords["client-stores"]}
        return {}

    def app_env(self, user: str = APP, from_files: bool = True) -> dict[str, str]:
        """The app's KAFKA_OPTION_* settings for ``user``. ``from_files``: secrets as
        KAFKA_OPTION_<NAME>_FILE=<path of a mode-600 file>, else the values themselves."""
        if not self.secured:
            return {}

        def secret(name: str, value: str, path: Path) -> dict[str, str]:
            if from_files:
                return {f"KAFKA_OPTION_{name}_FILE": str(path)}
            return {f"KAFKA_OPTION_{name}": value}

        stores_password = self.passwords["client-stores"]
        env = {"KAFKA_OPTION_SECURITY_PROTOCOL": self.protocol,
               "KAFKA_OPTION_SSL_TRUSTSTORE_TYPE": "PKCS12",
               "KAFKA_OPTION_SSL_TRUSTSTORE_LOCATION": str(self.dir / TRUSTSTORE),
               **secret("SSL_TRUSTSTORE_PASSWORD", stores_password,
                        self.dir / CLIENT_STORES_PASSWORD)}
        if self.mode == "sasl_ssl":
            env["KAFKA_OPTION_SASL_MECHANISM"] = SCRAM
            env.update(secret("SASL_JAAS_CONFIG", jaas(user, self.passwords[user]),
                              self.dir / f"{user}.jaas"))
        else:
            env.update({"KAFKA_OPTION_SSL_KEYSTORE_TYPE": "PKCS12",
                        "KAFKA_OPTION_SSL_KEYSTORE_LOCATION": str(self.dir / f"{user}.p12"),
                        **secret("SSL_KEYSTORE_PASSWORD", stores_password,
                                 self.dir / CLIENT_STORES_PASSWORD)})
        return env

    def write_client_files(self, bootstrap: str) -> dict[str, Path]:
        """The admin's complete client settings, for test clients and Kafka's tools (mode
        600, rewritten at every start: the port may change). Returns their paths."""
        config = {"bootstrap.servers": bootstrap, **self.client_config(ADMIN)}
        java = {"security.protocol": self.protocol, "ssl.truststore.type": "PKCS12",
                "ssl.truststore.location": str(self.dir / TRUSTSTORE),
                "ssl.truststore.password": self.passwords["client-stores"]}
        if self.mode == "sasl_ssl":
            java.update({"sasl.mechanism": SCRAM,
                         "sasl.jaas.config": jaas(ADMIN, self.passwords[ADMIN])})
        else:
            java.update({"ssl.keystore.type": "PKCS12",
                         "ssl.keystore.location": str(self.dir / f"{ADMIN}.p12"),
                         "ssl.keystore.password": self.passwords["client-stores"]})
        paths = {"confluent-kafka": self.dir / "admin-client.json",
                 "kafka tools": self.dir / "admin-client.properties"}
        write_private(paths["confluent-kafka"], json.dumps(config, indent=2) + "\n")
        write_private(paths["kafka tools"],
                      "".join(f"{key}={value}\n" for key, value in java.items()))
        return paths

    def allow_app(self, admin, reads: Iterable[str] = (), writes: Iterable[str] = ()) -> None:
        """ACLs for the app's user: READ and DESCRIBE on ``reads``, WRITE and DESCRIBE on
        ``writes`` (topics), nothing else. Existing ACLs are kept; adding one twice is a no-op."""
        if not self.secured:
            return
        from confluent_kafka import KafkaException
        from confluent_kafka.admin import (
            AclBinding,
            AclOperation,
            AclPermissionType,
            ResourcePatternType,
            ResourceType,
        )

        wanted = [(topic, operation) for topic in reads
                  for operation in (AclOperation.READ, AclOperation.DESCRIBE)]
        wanted += [(topic, operation) for topic in writes
                   for operation in (AclOperation.WRITE, AclOperation.DESCRIBE)]
        bindings = [AclBinding(ResourceType.TOPIC, topic, ResourcePatternType.LITERAL,
                               f"User:{APP}", "*", operation, AclPermissionType.ALLOW)
                    for topic, operation in wanted]
        if not bindings:
            return
        for binding, future in admin.create_acls(bindings, request_timeout=60).items():
            try:
                future.result()
            except KafkaException as e:
                raise LocalError(f"cannot create the ACL {binding}: {e.args[0].str()}") from None


PLAINTEXT = Security()


def prepare(data_dir: Path, mode: str, formatted: bool, log=print) -> Security:
    """The security of a broker in ``data_dir``: made on first use, then reused.

    The SCRAM users exist only if the storage is formatted after the credentials were made, so
    a data dir formatted without security stays that way."""
    if mode not in MODES:
        raise LocalError(f"unknown security mode {mode!r}: use one of {', '.join(MODES)}")
    if mode == "plaintext":
        return PLAINTEXT
    directory = data_dir / SECURITY_DIR
    credentials = directory / CREDENTIALS
    if not credentials.is_file():
        if formatted:
            raise LocalError(f"the broker in {data_dir} was set up without security: use "
                             f"another data dir (KAFKA_DATA_DIR) for a {mode} broker, or "
                             f"delete {data_dir} (after make kafka-down) to start afresh")
        log(f"kafka: making TLS material and passwords in {directory} (first run only)...")
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        directory.chmod(0o700)
        passwords = {name: secrets.token_urlsafe(24)  # never a "," (StorageTool splits on it)
                     for name in ("broker-stores", "client-stores", ADMIN, APP)}
        _make_tls_material(directory, passwords)
        write_private(credentials, json.dumps(passwords, indent=2) + "\n")  # last: complete
    passwords = json.loads(credentials.read_text())
    security = Security(mode, directory, passwords)
    # Secrets for the app as files (KAFKA_OPTION_<NAME>_FILE), written at every start.
    for user in (ADMIN, APP):
        write_private(directory / f"{user}.jaas", jaas(user, passwords[user]) + "\n")
    write_private(directory / CLIENT_STORES_PASSWORD, passwords["client-stores"] + "\n")
    return security


def _make_tls_material(directory: Path, passwords: Mapping[str, str]) -> None:
    """A CA; the broker's certificate and one per user, signed by it, each in its PKCS12
    keystore with the chain; a truststore with the CA; the CA as PEM. Passwords reach keytool
    through its environment (-storepass:env), never its command line."""
    keytool = _keytool()
    env = {**os.environ, "BROKER_STORES": passwords["broker-stores"],
           "CLIENT_STORES": passwords["client-stores"]}

    def run(*args: str, stdin: str | None = None) -> str:
        result = subprocess.run([keytool, "-storetype", "PKCS12", *args], cwd=directory, env=env,
                                input=stdin, capture_output=True, text=True)
        if result.returncode != 0:
            raise LocalError(f"keytool {args[0]} failed (exit {result.returncode}):",
                             (result.stdout + result.stderr).strip())
        return result.stdout

    def new_key(alias: str, store: str, password_env: str) -> None:
        # EC P-256: much faster to make than RSA; Java and librdkafka both speak it.
        run("-genkeypair", "-alias", alias, "-keyalg", "EC", "-groupname", "secp256r1",
            "-dname", f"CN={alias}", "-validity", VALID_DAYS, "-keystore", store,
            "-storepass:env", password_env)

    def signed(alias: str, password_env: str, *extensions: str) -> None:
        store = f"{alias}.p12"
        new_key(alias, store, password_env)
        request = run("-certreq", "-alias", alias, "-keystore", store,
                      "-storepass:env", password_env)
        certificate = run("-gencert", "-alias", "ca", "-keystore", "ca.p12",
                          "-storepass:env", "BROKER_STORES", "-rfc", "-validity", VALID_DAYS,
                          "-ext", "KU=digitalSignature", *extensions, stdin=request)
        chain = directory / f"{alias}-chain.pem"
        write_private(chain, certificate + (directory / CA_PEM).read_text())
        run("-importcert", "-alias", alias, "-keystore", store, "-storepass:env", password_env,
            "-file", chain.name, "-noprompt")
        chain.unlink()

    run("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1",
        "-dname", "CN=local-kafka-ca", "-validity", VALID_DAYS, "-ext", "bc:c",
        "-keystore", "ca.p12", "-storepass:env", "BROKER_STORES")
    run("-exportcert", "-alias", "ca", "-keystore", "ca.p12", "-storepass:env", "BROKER_STORES",
        "-rfc", "-file", CA_PEM)
    jobs = [
        # Clients connect to 127.0.0.1 and verify the host name: the SAN must cover it.
        ("broker", "BROKER_STORES", "-ext", "SAN=IP:127.0.0.1,DNS:localhost",
         "-ext", "EKU=serverAuth,clientAuth"),
        (ADMIN, "CLIENT_STORES", "-ext", "EKU=clientAuth"),
        (APP, "CLIENT_STORES", "-ext", "EKU=clientAuth"),
    ]
    with ThreadPoolExecutor(len(jobs)) as pool:  # one JVM per keytool run: in parallel
        for done in [pool.submit(signed, *job) for job in jobs]:
            done.result()
    run("-importcert", "-alias", "ca", "-keystore", TRUSTSTORE, "-storepass:env", "CLIENT_STORES",
        "-file", CA_PEM, "-noprompt")
    for path in directory.iterdir():
        path.chmod(0o600)


def _keytool() -> str:
    java = shutil.which("java")
    beside_java = Path(java).resolve().parent / "keytool" if java else None
    found = shutil.which("keytool") or (str(beside_java) if beside_java and
                                        beside_java.is_file() else None)
    if not found:
        raise LocalError("keytool not found: it comes with the JDK (Java 17); put the JDK's "
                         "bin directory on PATH")
    return found
