package {{ cookiecutter.java_package }};

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The settings rules every variant shares, read from contract/settings.json, which Maven copies
 * into the jar next to this class: the topic and trigger interval patterns and the Kafka client
 * defaults (each measured by {@code make bench LEVERS=1}, docs/benchmarks.md). Written once
 * there, so the Python app and both JVM variants cannot drift apart.
 */
final class SettingsContract {

    static final String RESOURCE = "settings.json";
    private static final JsonNode CONTRACT = read();
    /** A Kafka topic name (the caller also refuses '.' and '..'). */
    static final Pattern TOPIC = Pattern.compile(CONTRACT.at("/patterns/topic").asText());
    /** A micro-batch trigger interval such as '10 seconds'. */
    static final Pattern INTERVAL = Pattern.compile(CONTRACT.at("/patterns/interval").asText());

    private SettingsContract() {
    }

    /**
     * The Kafka client options the app sets unless a KAFKA_OPTION_&lt;NAME&gt; setting names
     * them: {@code source}, {@code sink} or {@code sink_real_time}.
     */
    static Map<String, String> clientDefaults(String use) {
        Map<String, String> options = new TreeMap<>();
        CONTRACT.get("kafka_client_defaults").get(use).fields().forEachRemaining(
                option -> options.put(option.getKey(), option.getValue().asText()));
        return options;
    }

    private static JsonNode read() {
        try (InputStream in = SettingsContract.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is not next to "
                        + SettingsContract.class.getName() + ": build the jar with Maven, which "
                        + "copies contract/settings.json into it");
            }
            return new ObjectMapper().readTree(in);
        } catch (IOException unreadable) {
            throw new UncheckedIOException(unreadable);
        }
    }
}
