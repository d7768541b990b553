package {{ cookiecutter.java_package }};

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The one line the app prints when its query fails: for a rejected login, a failed TLS handshake
 * or a denied topic, what happened and which settings to check (the same text in every
 * variant); otherwise the error's first line.
 */
final class Failures {

    static final String TLS_FAILED = "Kafka TLS handshake failed (%s): check that "
            + "KAFKA_OPTION_SSL_TRUSTSTORE_LOCATION holds the CA that signed the broker's "
            + "certificate, that the certificate covers the host in KAFKA_BROKERS, and for mutual "
            + "TLS the client certificate in KAFKA_OPTION_SSL_KEYSTORE_LOCATION";
    static final String AUTHENTICATION_FAILED = "Kafka authentication failed (%s): check the user "
            + "name and password in KAFKA_OPTION_SASL_JAAS_CONFIG and the mechanism in "
            + "KAFKA_OPTION_SASL_MECHANISM";
    static final String AUTHORIZATION_FAILED = "Kafka refused access (%s): the broker's ACLs must "
            + "give this user READ and DESCRIBE on KAFKA_IN_TOPIC and WRITE and DESCRIBE on "
            + "KAFKA_OUT_TOPIC";
    private static final String KAFKA_ERRORS = "org.apache.kafka.common.errors.";

    /** Java classes in the cause chain, and what they mean; the first that matches wins. */
    private record Cause(String text, Set<String> classes) {
    }

    private static final List<Cause> CAUSES = List.of(
            // A TLS failure is also an AuthenticationException: it comes first.
            new Cause(TLS_FAILED, Set.of(KAFKA_ERRORS + "SslAuthenticationException",
                    "javax.net.ssl.SSLHandshakeException")),
            new Cause(AUTHENTICATION_FAILED, Set.of(KAFKA_ERRORS + "SaslAuthenticationException",
                    KAFKA_ERRORS + "AuthenticationException")),
            new Cause(AUTHORIZATION_FAILED, Set.of(KAFKA_ERRORS + "TopicAuthorizationException",
                    KAFKA_ERRORS + "GroupAuthorizationException",
                    KAFKA_ERRORS + "ClusterAuthorizationException")));

    private Failures() {
    }

    /** The line for a failed query (without "ERROR: "). */
    static String describe(Throwable error) {
        return describe(causes(error), "the query failed: " + App.firstLine(error));
    }

    /**
     * {@code causes}: class name and message of the failure and each of its causes, outermost
     * first. The detail is the innermost message, which names the actual problem.
     */
    static String describe(List<String[]> causes, String fallback) {
        for (Cause cause : CAUSES) {
            if (causes.stream().anyMatch(c -> cause.classes().contains(c[0]))) {
                String detail = "no details";
                for (String[] c : causes) {
                    detail = c[1].isBlank() ? detail : c[1];
                }
                return String.format(cause.text(), ProgressLogger.firstLine(detail.strip()));
            }
        }
        return fallback;
    }

    /** Class name and message of {@code error} and each of its causes, outermost first. */
    static List<String[]> causes(Throwable error) {
        List<String[]> causes = new ArrayList<>();
        for (Throwable e = error; e != null && causes.size() < 50; e = e.getCause()) {
            causes.add(new String[] {e.getClass().getName(),
                e.getMessage() == null ? "" : e.getMessage()});
        }
        return causes;
    }
}
