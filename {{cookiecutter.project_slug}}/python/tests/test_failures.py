"""A failed query ends with one line: what Kafka refused and which settings to check."""

import pytest

from {{ cookiecutter.package_name }}.failures import describe_failure

ERRORS = "org.apache.kafka.common.errors."
KAFKA = ["org.apache.kafka.common.errors.ApiException", "org.apache.kafka.common.KafkaException",
         "java.lang.RuntimeException"]
AUTHENTICATION = [ERRORS + "AuthenticationException", *KAFKA]


@pytest.mark.parametrize("causes, expected", [
    ([(["java.util.concurrent.ExecutionException"], "wrapped"),
      ([ERRORS + "SaslAuthenticationException", *AUTHENTICATION],
       "Authentication failed: invalid credentials")],
     "Kafka authentication failed (Authentication failed: invalid credentials): check the user "
     "name and password in KAFKA_OPTION_SASL_JAAS_CONFIG and the mechanism in "
     "KAFKA_OPTION_SASL_MECHANISM"),
    ([([ERRORS + "UnsupportedSaslMechanismException", *AUTHENTICATION],
       "Client SASL mechanism 'AWS_MSK_IAM' not enabled in the server")],
     "Kafka authentication failed (Client SASL mechanism 'AWS_MSK_IAM' not enabled in the "
     "server): check the user name and password in KAFKA_OPTION_SASL_JAAS_CONFIG and the "
     "mechanism in KAFKA_OPTION_SASL_MECHANISM"),
    ([([ERRORS + "SslAuthenticationException", *AUTHENTICATION], "SSL handshake failed"),
      (["javax.net.ssl.SSLHandshakeException", "javax.net.ssl.SSLException"],
       "PKIX path building failed"),
      (["sun.security.provider.certpath.SunCertPathBuilderException"],
       "unable to find valid certification path\nsecond line")],
     "Kafka TLS handshake failed (unable to find valid certification path): check that "
     "KAFKA_OPTION_SSL_TRUSTSTORE_LOCATION holds the CA that signed the broker's certificate, "
     "that the certificate covers the host in KAFKA_BROKERS, and for mutual TLS the client "
     "certificate in KAFKA_OPTION_SSL_KEYSTORE_LOCATION"),
    ([([ERRORS + "TopicAuthorizationException", ERRORS + "AuthorizationException", *KAFKA],
       "Not authorized to access topics: [out]")],
     "Kafka refused access (Not authorized to access topics: [out]): the broker's ACLs must "
     "give this user READ and DESCRIBE on KAFKA_IN_TOPIC and WRITE and DESCRIBE on "
     "KAFKA_OUT_TOPIC and KAFKA_DLQ_TOPIC"),
    ([(["java.lang.IllegalStateException", "java.lang.RuntimeException"], "something else")],
     "the query failed: x"),
    ([], "the query failed: x"),
])
def test_a_failed_query_says_what_to_check_when_kafka_refused_the_login_or_tls(causes,
                                                                              expected):
    assert describe_failure(causes, "the query failed: x") == expected
