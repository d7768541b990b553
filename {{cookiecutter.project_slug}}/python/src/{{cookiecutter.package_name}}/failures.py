"""The one line the app prints when its query fails: for a rejected login, a failed TLS
handshake or a denied topic, what happened and which settings to check (the same text in
every variant); otherwise the error's first line."""

from __future__ import annotations

from collections.abc import Sequence

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
    "on KAFKA_IN_TOPIC and WRITE and DESCRIBE on KAFKA_OUT_TOPIC and KAFKA_DLQ_TOPIC")
KAFKA_ERRORS = "org.apache.kafka.common.errors."
# A Java class anywhere in the failure's cause chain (or a superclass of one) -> the line.
# The first match wins: a TLS failure is also an AuthenticationException.
HINTS = (
    (TLS_FAILED, {KAFKA_ERRORS + "SslAuthenticationException", "javax.net.ssl.SSLException"}),
    (AUTHENTICATION_FAILED, {KAFKA_ERRORS + "AuthenticationException"}),
    (AUTHORIZATION_FAILED, {KAFKA_ERRORS + "AuthorizationException"}),
)


def describe_failure(causes: Sequence[tuple[Sequence[str], str]], fallback: str) -> str:
    """``causes``: for the failure and each of its causes, outermost first, its Java class
    names (the class, then its superclasses) and its message. The detail shown is the
    innermost message, which names the actual problem."""
    classes = {name for names, _ in causes for name in names}
    for text, wanted in HINTS:
        if classes & wanted:
            detail = next((m for _, m in reversed(causes) if m.strip()), "no details")
            return text.format(detail=first_line(detail))
    return fallback


def java_causes(query) -> list[tuple[list[str], str]]:
    """The cause chain of a failed query, read from the JVM (see describe_failure)."""
    try:
        failure = query._jsq.exception()  # pyspark's own handle on the JVM query
        error = failure.get() if failure.isDefined() else None
        causes = []
        while error is not None and len(causes) < 50:
            names, cls = [], error.getClass()
            while cls is not None:
                names.append(cls.getName())
                cls = cls.getSuperclass()
            causes.append((names, error.getMessage() or ""))
            error = error.getCause()
        return causes
    except Exception:  # the JVM is already going down (spark-submit): no details then
        return []


def first_line(text: str) -> str:
    text = text.strip()
    return text.splitlines()[0] if text else ""
