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
            + "KAFKA_OUT_TOPIC and KAFKA_DLQ_TOPIC";
    private static final String KAFKA_ERRORS = "org.apache.kafka.common.errors.";

    /** One throwable of a cause chain: its class names (the class, then its superclasses). */
    record Cause(List<String> classes, String message) {
    }

    /** A Java class anywhere in the cause chain -&gt; the line to print. */
    private record Hint(String text, Set<String> classes) {
    }

    private static final List<Hint> HINTS = List.of(
            // The first match wins: a TLS failure is also an AuthenticationException.
            new Hint(TLS_FAILED, Set.of(KAFKA_ERRORS + "SslAuthenticationException",
                    "javax.net.ssl.SSLException")),
            new Hint(AUTHENTICATION_FAILED, Set.of(KAFKA_ERRORS + "AuthenticationException")),
            new Hint(AUTHORIZATION_FAILED, Set.of(KAFKA_ERRORS + "AuthorizationException")));

    private Failures() {
    }

    /** The line for a failed query (without "ERROR: "). */
    static String describe(Throwable error) {
        return describe(causes(error), "the query failed: " + StreamingApp.failureReason(error));
    }

    /**
     * {@code causes}: the failure and each of its causes, outermost first. The detail shown is
     * the innermost message, which names the actual problem.
     */
    static String describe(List<Cause> causes, String fallback) {
        for (Hint hint : HINTS) {
            if (causes.stream().flatMap(c -> c.classes().stream())
                    .anyMatch(hint.classes()::contains)) {
                String detail = "no details";
                for (Cause cause : causes) {
                    detail = cause.message().isBlank() ? detail : cause.message();
                }
                return String.format(hint.text(), ProgressLogger.firstLine(detail));
            }
        }
        return fallback;
    }

    /** {@code error} and each of its causes, outermost first. */
    static List<Cause> causes(Throwable error) {
        List<Cause> causes = new ArrayList<>();
        for (Throwable e = error; e != null && causes.size() < 50; e = e.getCause()) {
            List<String> classes = new ArrayList<>();
            for (Class<?> c = e.getClass(); c != null; c = c.getSuperclass()) {
                classes.add(c.getName());
            }
            causes.add(new Cause(classes, e.getMessage() == null ? "" : e.getMessage()));
        }
        return causes;
    }
}
