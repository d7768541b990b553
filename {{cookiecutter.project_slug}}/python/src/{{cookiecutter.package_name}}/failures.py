"""The one line the app prints when its query fails: for a rejected login, a failed TLS
handshake or a denied topic, what happened and which settings to check (the same text in
every variant); otherwise the error's first line."""

from __future__ import annotations

from collections.abc import Sequence

# Java classes in the failure's cause chain -> what the user should check.
TLS_FAILED = (
    "Kafka TLS handshake failed ({detail}): check that KAFKA_OPTION_SSL_TRUSTSTORE_LOCATION "
    "holds the CA that signed the broker's certificate, that the certificate covers the host "
    "in KAFKA_BROKERS, and for mutual TLS the client certificate in "
    "KAFKA_OPTION_SSL_KEYSTORE_LOCATION")
AUTHENTICATION_FAILED = (
    "Kafka authentication failed ({detail}): check the user name and password in "
    "KAFKA_OPTION_SASL_JAAS_CONFIG and the mechanism in KAFKA_OPTION_SASL_MECHANISM")
AUTHORIZATION_FAILED = (
    "Kafka refused access ({detail}): the broker's ACLs must give this user READ and DESCRIBE "
    "on KAFKA_IN_TOPIC and WRITE and DESCRIBE on KAFKA_OUT_TOPIC")
KAFKA_ERRORS = "org.apache.kafka.common.errors."
CAUSES = (  # the first that matches wins: a TLS failure is also an AuthenticationException
    (TLS_FAILED, {KAFKA_ERRORS + "SslAuthenticationException",
                  "javax.net.ssl.SSLHandshakeException"}),
    (AUTHENTICATION_FAILED, {KAFKA_ERRORS + "SaslAuthenticationException",
                             KAFKA_ERRORS + "AuthenticationException"}),
    (AUTHORIZATION_FAILED, {KAFKA_ERRORS + "TopicAuthorizationException",
                            KAFKA_ERRORS + "GroupAuthorizationException",
                            KAFKA_ERRORS + "ClusterAuthorizationException"}),
)


def describe_failure(causes: Sequence[tuple[str, str]], fallback: str) -> str:
    """``causes``: (Java class name, message) of the failure and each of its causes, outermost
    first. The detail is the innermost message, which names the actual problem."""
    classes = {name for name, _ in causes}
    for text, names in CAUSES:
        if classes & names:
            detail = next((m for _, m in reversed(causes) if m.strip()), "no details")
            return text.format(detail=first_line(detail))
    return fallback


def java_causes(query) -> list[tuple[str, str]]:
    """The cause chain of a failed query, read from the JVM: (class name, message) each."""
    try:
        failure = query._jsq.exception()  # pyspark's own handle on the JVM query
        error = failure.get() if failure.isDefined() else None
        causes = []
        while error is not None and len(causes) < 50:
            causes.append((error.getClass().getName(), error.getMessage() or ""))
            error = error.getCause()
        return causes
    except Exception:  # the JVM is already going down (spark-submit): no details then
        return []


def first_line(text: str) -> str:
    text = text.strip()
    return text.splitlines()[0] if text else ""
