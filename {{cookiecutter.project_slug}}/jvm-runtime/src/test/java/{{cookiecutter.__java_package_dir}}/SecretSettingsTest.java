package {{ cookiecutter.java_package }};

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Secrets: KAFKA_OPTION_&lt;NAME&gt;_FILE, and config errors that never show a secret. */
class SecretSettingsTest {

    @TempDir
    Path dir;

    private static ConfigError refused(Map<String, String> env) {
        return assertThrows(ConfigError.class, () -> Settings.parse(List.of(), env, "java"));
    }

    @Test
    void aKafkaOptionCanComeFromAFileAsMountedSecretsDo() throws Exception {
        Path jaas = Files.writeString(dir.resolve("jaas"),
                "ScramLoginModule required username=\"app\" password=\"pw\";\n");

        Map<String, String> options = Settings.parse(List.of(), Map.of(
                "KAFKA_OPTION_SASL_JAAS_CONFIG_FILE", jaas.toString(),
                "KAFKA_OPTION_SASL_MECHANISM", "SCRAM-SHA-512"), "java").kafkaOptions();

        assertEquals(Map.of("kafka.sasl.jaas.config",
                "ScramLoginModule required username=\"app\" password=\"pw\";",
                "kafka.sasl.mechanism", "SCRAM-SHA-512"), options);
    }

    @ParameterizedTest
    @ValueSource(strings = {"missing", "empty", "binary", "directory"})
    void aFileThatCannotBeUsedIsNamedAndItsContentsNeverShown(String kind) throws IOException {
        Path path = dir.resolve("password");
        String problem = switch (kind) {
            case "missing" -> "the file does not exist";
            case "empty" -> {
                Files.writeString(path, "");
                yield "the file is empty";
            }
            case "binary" -> {
                Files.write(path, "\u00ff\u00fe hunter2".getBytes(StandardCharsets.ISO_8859_1));
                yield "the file is not UTF-8 text";
            }
            default -> {
                Files.createDirectory(path);
                yield "the path is a directory, not a file";
            }
        };

        ConfigError error =
                refused(Map.of("KAFKA_OPTION_SSL_TRUSTSTORE_PASSWORD_FILE", path.toString()));

        assertEquals("KAFKA_OPTION_SSL_TRUSTSTORE_PASSWORD_FILE=" + path + ": " + problem
                + "; e.g. KAFKA_OPTION_SSL_TRUSTSTORE_PASSWORD_FILE=/run/secrets/kafka-password",
                error.getMessage());
        assertFalse(error.getMessage().contains("hunter2"));
    }

    @Test
    void anOptionSetBothDirectlyAndFromAFileIsRefused() {
        ConfigError error = refused(Map.of("KAFKA_OPTION_SASL_JAAS_CONFIG", "inline",
                "KAFKA_OPTION_SASL_JAAS_CONFIG_FILE", "/x"));

        assertEquals("KAFKA_OPTION_SASL_JAAS_CONFIG_FILE=/x: set KAFKA_OPTION_SASL_JAAS_CONFIG or "
                + "KAFKA_OPTION_SASL_JAAS_CONFIG_FILE, not both; e.g. unset "
                + "KAFKA_OPTION_SASL_JAAS_CONFIG", error.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"KAFKA_OPTION_SSL_KEYSTORE_PASSWORD", "KAFKA_OPTION_SASL_JAAS_CONFIG",
        "KAFKA_OPTION_CLIENT_SECRET", "KAFKA_OPTION_SASL_OAUTHBEARER_TOKEN",
        "KAFKA_OPTION_SSL_KEY", "kafka_option_ssl_key_password"})
    void configErrorsNeverShowTheValueOfASecretLookingSetting(String name) {
        ConfigError error = ConfigError.of(name, "hunter2", "a rule", "an example");

        assertEquals(name + "=<redacted>: a rule; e.g. an example", error.getMessage());
    }

    @Test
    void aRefusedSecretLookingOptionIsRedactedToo() {
        ConfigError error =
                refused(Map.of("KAFKA_OPTION_KEY_SERIALIZER", "com.example.Hunter2Serializer"));

        assertTrue(error.getMessage().startsWith(
                "KAFKA_OPTION_KEY_SERIALIZER=<redacted>: set by the app itself"),
                error.getMessage());
    }
}
