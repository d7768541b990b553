package {{ cookiecutter.java_package }};

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Extra Kafka client options come from the environment only, so secrets never land in a file:
 * KAFKA_OPTION_SECURITY_PROTOCOL=SASL_SSL becomes kafka.security.protocol=SASL_SSL, for source
 * and sink alike.
 */
final class KafkaOptions {

    static final String PREFIX = "KAFKA_OPTION_";
    /**
     * ...or from a file the environment names, as Docker and Kubernetes mount secrets:
     * KAFKA_OPTION_SASL_JAAS_CONFIG_FILE=/run/secrets/jaas sets kafka.sasl.jaas.config to its text.
     */
    static final String FILE_SUFFIX = "_FILE";

    /** Spark manages these itself and rejects them (see Spark's Kafka integration guide). */
    static final Set<String> SET_BY_SPARK = Set.of(
            "auto.offset.reset", "enable.auto.commit", "interceptor.classes",
            "key.deserializer", "value.deserializer", "key.serializer", "value.serializer");

    private KafkaOptions() {
    }

    /**
     * KAFKA_OPTION_&lt;NAME&gt;=value becomes kafka.&lt;name&gt;=value;
     * KAFKA_OPTION_&lt;NAME&gt;_FILE=path takes the value from that file.
     */
    static Map<String, String> fromEnvironment(Map<String, String> env) throws ConfigError {
        Map<String, String> options = new TreeMap<>();
        for (Map.Entry<String, String> entry : new TreeMap<>(env).entrySet()) {
            String key = entry.getKey();
            if (!key.startsWith(PREFIX) || key.equals(PREFIX)) {
                continue;
            }
            boolean fromFile = key.endsWith(FILE_SUFFIX)
                    && key.length() > (PREFIX + FILE_SUFFIX).length();
            String setting = fromFile ? key.substring(0, key.length() - FILE_SUFFIX.length()) : key;
            String name = setting.substring(PREFIX.length())
                    .toLowerCase(Locale.ROOT).replace('_', '.');
            if (SET_BY_SPARK.contains(name) || name.equals("bootstrap.servers")) {
                throw ConfigError.of(key, entry.getValue(), "set by the app itself; use the "
                        + "matching setting instead (e.g. KAFKA_BROKERS, STARTING_OFFSETS)",
                        "KAFKA_OPTION_SECURITY_PROTOCOL=SASL_SSL");
            }
            if (fromFile && env.containsKey(setting)) {
                throw ConfigError.of(key, entry.getValue(),
                        "set " + setting + " or " + key + ", not both", "unset " + setting);
            }
            options.put("kafka." + name,
                    fromFile ? readFile(key, entry.getValue()) : entry.getValue());
        }
        return Collections.unmodifiableMap(options);
    }

    /** The app's client defaults, then the options from the environment over them. */
    static Map<String, String> withDefaults(Map<String, String> defaults,
            Map<String, String> options) {
        Map<String, String> merged = new TreeMap<>(defaults);
        merged.putAll(options);
        return merged;
    }

    /**
     * The text of the file that {@code name} (a *_FILE setting) points at, without trailing
     * line breaks. Errors name the file, never what is in it.
     */
    static String readFile(String name, String path) throws ConfigError {
        String problem;
        try {
            Path file = Path.of(path);
            if (path.isEmpty()) {
                throw new NoSuchFileException(path);
            } else if (Files.isDirectory(file)) {
                problem = "the path is a directory, not a file";
            } else {
                String text = StandardCharsets.UTF_8.newDecoder()
                        .decode(ByteBuffer.wrap(Files.readAllBytes(file))).toString()
                        .replaceAll("[\\r\\n]+\\z", "");
                if (!text.isEmpty()) {
                    return text;
                }
                problem = "the file is empty";
            }
        } catch (NoSuchFileException | InvalidPathException missing) {
            problem = "the file does not exist";
        } catch (AccessDeniedException denied) {
            problem = "the file is not readable (permission denied)";
        } catch (CharacterCodingException notText) {
            problem = "the file is not UTF-8 text";
        } catch (IOException other) {
            problem = "the file cannot be read";
        }
        throw ConfigError.of(name, path, problem, name + "=/run/secrets/kafka-password");
    }
}
