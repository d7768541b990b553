package {{ cookiecutter.java_package }};

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/** A failed query ends with one line: what Kafka refused and which settings to check. */
class FailuresTest {

    private static final String ERRORS = "org.apache.kafka.common.errors.";
    private static final List<String> KAFKA = List.of(ERRORS + "ApiException",
            "org.apache.kafka.common.KafkaException", "java.lang.RuntimeException");

    private static Failures.Cause cause(String message, String... classes) {
        return new Failures.Cause(List.of(classes), message);
    }

    private static Failures.Cause kafka(String message, String... classes) {
        List<String> all = new ArrayList<>(List.of(classes));
        all.addAll(KAFKA);
        return new Failures.Cause(all, message);
    }

    private static String describe(Failures.Cause... causes) {
        return Failures.describe(List.of(causes), "the query failed: x");
    }

    @Test
    void aRejectedLoginSaysToCheckTheUserNameAndPassword() {
        assertEquals("Kafka authentication failed (Authentication failed: invalid credentials): "
                + "check the user name and password in KAFKA_OPTION_SASL_JAAS_CONFIG and the "
                + "mechanism in KAFKA_OPTION_SASL_MECHANISM",
                describe(cause("wrapped", "java.util.concurrent.ExecutionException"),
                        kafka("Authentication failed: invalid credentials",
                                ERRORS + "SaslAuthenticationException",
                                ERRORS + "AuthenticationException")));
    }

    @Test
    void anyKindOfRejectedLoginCounts() {
        assertEquals("Kafka authentication failed (Client SASL mechanism 'AWS_MSK_IAM' not "
                + "enabled in the server): check the user name and password in "
                + "KAFKA_OPTION_SASL_JAAS_CONFIG and the mechanism in KAFKA_OPTION_SASL_MECHANISM",
                describe(kafka("Client SASL mechanism 'AWS_MSK_IAM' not enabled in the server",
                        ERRORS + "UnsupportedSaslMechanismException",
                        ERRORS + "AuthenticationException")));
    }

    @Test
    void aFailedTlsHandshakeSaysToCheckTheTruststoreAndTheHost() {
        assertEquals("Kafka TLS handshake failed (unable to find valid certification path): "
                + "check that KAFKA_OPTION_SSL_TRUSTSTORE_LOCATION holds the CA that signed the "
                + "broker's certificate, that the certificate covers the host in KAFKA_BROKERS, "
                + "and for mutual TLS the client certificate in KAFKA_OPTION_SSL_KEYSTORE_LOCATION",
                describe(kafka("SSL handshake failed", ERRORS + "SslAuthenticationException",
                                ERRORS + "AuthenticationException"),
                        cause("PKIX path building failed", "javax.net.ssl.SSLHandshakeException",
                                "javax.net.ssl.SSLException"),
                        cause("unable to find valid certification path\nsecond line",
                                "sun.security.provider.certpath.SunCertPathBuilderException")));
    }

    @Test
    void aDeniedTopicSaysWhichAclsTheUserNeeds() {
        assertEquals("Kafka refused access (Not authorized to access topics: [out]): the broker's "
                + "ACLs must give this user READ and DESCRIBE on KAFKA_IN_TOPIC and WRITE and "
                + "DESCRIBE on KAFKA_OUT_TOPIC and KAFKA_DLQ_TOPIC",
                describe(kafka("Not authorized to access topics: [out]",
                        ERRORS + "TopicAuthorizationException",
                        ERRORS + "AuthorizationException")));
    }

    @Test
    void anyOtherFailureKeepsItsFirstLine() {
        assertEquals("the query failed: x", describe(cause("something else",
                "java.lang.IllegalStateException", "java.lang.RuntimeException")));
        assertEquals("the query failed: x", describe());
    }

    @Test
    void theCauseChainAndClassesAreReadFromTheThrowable() {
        Throwable error = new ExecutionException("outer", new SSLHandshakeException("bad cert"));

        assertEquals(String.format(Failures.TLS_FAILED, "bad cert"), Failures.describe(error));
    }
}
