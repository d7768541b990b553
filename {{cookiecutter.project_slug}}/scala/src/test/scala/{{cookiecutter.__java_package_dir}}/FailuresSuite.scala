package {{ cookiecutter.java_package }}

import java.util.concurrent.ExecutionException
import javax.net.ssl.SSLHandshakeException

/** A failed query ends with one line: what Kafka refused and which settings to check. */
class FailuresSuite extends munit.FunSuite {

  private val KafkaErrors = "org.apache.kafka.common.errors."

  private def describe(causes: (String, String)*): String =
    Failures.describe(causes, "the query failed: x")

  test("a rejected login says to check the user name and password") {
    assertEquals(
      describe("java.util.concurrent.ExecutionException" -> "wrapped",
        s"${KafkaErrors}SaslAuthenticationException" ->
          "Authentication failed: invalid credentials"),
      "Kafka authentication failed (Authentication failed: invalid credentials): check the user " +
        "name and password in KAFKA_OPTION_SASL_JAAS_CONFIG and the mechanism in " +
        "KAFKA_OPTION_SASL_MECHANISM")
  }

  test("a failed TLS handshake says to check the truststore and the host") {
    assertEquals(
      describe(s"${KafkaErrors}SslAuthenticationException" -> "SSL handshake failed",
        "javax.net.ssl.SSLHandshakeException" -> "PKIX path building failed",
        "sun.security.provider.certpath.SunCertPathBuilderException" ->
          "unable to find valid certification path\nsecond line"),
      "Kafka TLS handshake failed (unable to find valid certification path): check that " +
        "KAFKA_OPTION_SSL_TRUSTSTORE_LOCATION holds the CA that signed the broker's certificate, " +
        "that the certificate covers the host in KAFKA_BROKERS, and for mutual TLS the client " +
        "certificate in KAFKA_OPTION_SSL_KEYSTORE_LOCATION")
  }

  test("a denied topic says which ACLs the user needs") {
    assertEquals(
      describe(s"${KafkaErrors}TopicAuthorizationException" ->
        "Not authorized to access topics: [out]"),
      "Kafka refused access (Not authorized to access topics: [out]): the broker's ACLs must " +
        "give this user READ and DESCRIBE on KAFKA_IN_TOPIC and WRITE and DESCRIBE on " +
        "KAFKA_OUT_TOPIC")
  }

  test("any other failure keeps its first line") {
    assertEquals(describe("java.lang.IllegalStateException" -> "something else"),
      "the query failed: x")
    assertEquals(describe(), "the query failed: x")
  }

  test("the cause chain is read from the throwable") {
    val error = new ExecutionException("outer", new SSLHandshakeException("bad cert"))

    assertEquals(Failures.describe(error), Failures.TlsFailed.format("bad cert"))
  }
}
