package {{ cookiecutter.java_package }};

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.concurrent.ExecutionException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/** A failed query ends with one line: what Kafka refused and which settings to check. */
class FailuresTest {

    private static final String KAFKA_ERRORS = "org.apache.kafka.common.errors.";

    private static String describe(String[]... causes) {
        return Failures.describe(List.of(causes), "the query failed: x");
    }

    @Test
    void aRejectedLoginSaysToCheckTheUserNameAndPassword() {
        assertEquals("Kafka authentication failed (Authentication failed: invalid credentials): "
                + "check the user name and password in KAFKA_OPTION_SASL_JAAS_CONFIG and the "
                + "mechanism in KAFKA_OPTION_SASL_MECHANISM",
                describe(new String[] {"java.util.concurrent.ExecutionException", "wrapped"},
                        new String[] {KAFKA_ERRORS + "SaslAuthenticationException",
                            "Authentication failed: invalid credentials"}));
    }

    @Test
    void aFailedTlsHandshakeSaysToCheckTheTruststoreAndTheHost() {
        assertEquals("Kafka TLS handshake failed (unable to find valid certification path): "
                + "check that KAFKA_OPTION_SSL_TRUSTSTORE_LOCATION holds the CA that signed the "
                + "broker's certificate, that the certificate covers the host in KAFKA_BROKERS, "
                + "and for mutual TLS the client certificate in KAFKA_OPTION_SSL_KEYSTORE_LOCATION",
                describe(new String[] {KAFKA_ERRORS + "SslAuthenticationException",
                    "SSL handshake failed"},
                        new String[] {"javax.net.ssl.SSLHandshakeException",
                            "PKIX path building failed"},
                        new String[] {"sun.security.provider.certpath.SunCertPathBuilderException",
                            "unable to find valid certification path\nsecond line"}));
    }

    @Test
    void aDeniedTopicSaysWhichAclsTheUserNeeds() {
        assertEquals("Kafka refused access (Not authorized to access topics: [out]): the broker's "
                + "ACLs must give this user READ and DESCRIBE on KAFKA_IN_TOPIC and WRITE and "
                + "DESCRIBE on KAFKA_OUT_TOPIC",
                describe(new String[] {KAFKA_ERRORS + "TopicAuthorizationException",
                    "Not authorized to access topics: [out]"}));
    }

    @Test
    void anyOtherFailureKeepsItsFirstLine() {
        assertEquals("the query failed: x",
                describe(new String[] {"java.lang.IllegalStateException", "something else"}));
        assertEquals("the query failed: x", describe());
    }

    @Test
    void theCauseChainIsReadFromTheThrowable() {
        Throwable error = new ExecutionException("outer", new SSLHandshakeException("bad cert"));

        assertEquals(String.format(Failures.TLS_FAILED, "bad cert"), Failures.describe(error));
    }
}
