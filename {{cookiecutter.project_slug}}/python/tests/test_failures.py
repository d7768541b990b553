"""A failed query ends with one line: what Kafka refused and which settings to check."""

import pytest

from {{ cookiecutter.package_name }}.failures import describe_failure

KAFKA_ERRORS = "org.apache.kafka.common.errors."


@pytest.mark.parametrize("causes, expected", [
    ([("java.util.concurrent.ExecutionException", "wrapped"),
      (KAFKA_ERRORS + "SaslAuthenticationException", "Authentication failed: invalid credentials")],
     "Kafka authentication failed (Authentication failed: invalid credentials): check the user "
     "name and password in KAFKA_OPTION_SASL_JAAS_CONFIG and the mechanism in "
     "KAFKA_OPTION_SASL_MECHANISM"),
    ([(KAFKA_ERRORS + "SslAuthenticationException", "SSL handshake failed"),
      ("javax.net.ssl.SSLHandshakeException", "PKIX path building failed"),
      ("sun.security.provider.certpath.SunCertPathBuilderException",
       "unable to find valid certification path\nsecond line")],
     "Kafka TLS handshake failed (unable to find valid certification path): check that "
     "KAFKA_OPTION_SSL_TRUSTSTORE_LOCATION holds the CA that signed the broker's certificate, "
     "that the certificate covers the host in KAFKA_BROKERS, and for mutual TLS the client "
     "certificate in KAFKA_OPTION_SSL_KEYSTORE_LOCATION"),
    ([(KAFKA_ERRORS + "TopicAuthorizationException", "Not authorized to access topics: [out]")],
     "Kafka refused access (Not authorized to access topics: [out]): the broker's ACLs must "
     "give this user READ and DESCRIBE on KAFKA_IN_TOPIC and WRITE and DESCRIBE on "
     "KAFKA_OUT_TOPIC"),
    ([("java.lang.IllegalStateException", "something else")], "the query failed: x"),
    ([], "the query failed: x"),
])
def test_a_failed_query_says_what_to_check_when_kafka_refused_the_login_or_tls(causes,
                                                                              expected):
    assert describe_failure(causes, "the query failed: x") == expected
