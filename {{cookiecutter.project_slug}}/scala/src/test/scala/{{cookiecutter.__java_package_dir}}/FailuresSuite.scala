package {{ cookiecutter.java_package }}

import java.util.concurrent.ExecutionException
import javax.net.ssl.SSLHandshakeException

import Failures.Cause

/** A failed query ends with one line: what Kafka refused and which settings to check. */
class FailuresSuite extends munit.FunSuite {

  private val Errors = "org.apache.kafka.common.errors."
  private val Kafka = Seq(Errors + "ApiException", "org.apache.kafka.common.KafkaException",
    "java.lang.RuntimeException")

  private def kafka(message: String, classes: String*): Cause = Cause(classes ++ Kafka, message)

  private def describe(causes: Cause*): String = Failures.describe(causes, "the query failed: x")

  test("a rejected login says to check the user name and password") {
    assertEquals(
      describe(Cause(Seq("java.util.concurrent.ExecutionException"), "wrapped"),
        kafka("Authentication failed: invalid credentials", Errors + "SaslAuthenticationException",
          Errors + "AuthenticationException")),
      "Kafka authentication failed (Authentication failed: invalid credentials): check the user " +
        "name and password in KAFKA_OPTION_SASL_JAAS_CONFIG and the mechanism in " +
        "KAFKA_OPTION_SASL_MECHANISM")
  }

  test("any kind of rejected login counts") {
    assertEquals(
      describe(kafka("Client SASL mechanism 'AWS_MSK_IAM' not enabled in the server",
        Errors + "UnsupportedSaslMechanismException", Errors + "AuthenticationException")),
      "Kafka authentication failed (Client SASL mechanism 'AWS_MSK_IAM' not enabled in the " +
        "server): check the user name and password in KAFKA_OPTION_SASL_JAAS_CONFIG and the " +
        "mechanism in KAFKA_OPTION_SASL_MECHANISM")
  }

  test("a failed TLS handshake says to check the truststore and the host") {
    assertEquals(
      describe(kafka("SSL handshake failed", Errors + "SslAuthenticationException",
        Errors + "AuthenticationException"),
        Cause(Seq("javax.net.ssl.SSLHandshakeException", "javax.net.ssl.SSLException"),
          "PKIX path building failed"),
        Cause(Seq("sun.security.provider.certpath.SunCertPathBuilderException"),
          "unable to find valid certification path\nsecond line")),
      "Kafka TLS handshake failed (unable to find valid certification path): check that " +
        "KAFKA_OPTION_SSL_TRUSTSTORE_LOCATION holds the CA that signed the broker's certificate, " +
        "that the certificate covers the host in KAFKA_BROKERS, and for mutual TLS the client " +
        "certificate in KAFKA_OPTION_SSL_KEYSTORE_LOCATION")
  }

  test("a denied topic says which ACLs the user needs") {
    assertEquals(
      describe(kafka("Not authorized to access topics: [out]",
        Errors + "TopicAuthorizationException", Errors + "AuthorizationException")),
      "Kafka refused access (Not authorized to access topics: [out]): the broker's ACLs must " +
        "give this user READ and DESCRIBE on KAFKA_IN_TOPIC and WRITE and DESCRIBE on " +
        "KAFKA_OUT_TOPIC and KAFKA_DLQ_TOPIC")
  }

  test("any other failure keeps its first line") {
    assertEquals(describe(Cause(Seq("java.lang.IllegalStateException"), "something else")),
      "the query failed: x")
    assertEquals(describe(), "the query failed: x")
  }

  test("the cause chain and classes are read from the throwable") {
    val error = new ExecutionException("outer", new SSLHandshakeException("bad cert"))

    assertEquals(Failures.describe(error), Failures.TlsFailed.format("bad cert"))
  }
}
