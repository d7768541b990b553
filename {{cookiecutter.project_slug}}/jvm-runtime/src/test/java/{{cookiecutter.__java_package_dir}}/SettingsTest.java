package {{ cookiecutter.java_package }};

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.spark.sql.streaming.Trigger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Settings: flag &gt; environment &gt; default, and one clear line for every bad value. */
class SettingsTest {

    private static final JsonNode CONTRACT = ContractFiles.read("settings.json");

    private static Settings parse(List<String> args, Map<String, String> env) throws ConfigError {
        return Settings.parse(args, env, "java");
    }

    private static void assertClientDefaults(String use, Map<String, String> options) {
        assertEquals(CONTRACT.get("kafka_client_defaults").get(use),
                new ObjectMapper().valueToTree(options));
    }

    @Test
    void defaultsComeFromTheTemplateAnswers() throws ConfigError {
        Settings defaults = parse(List.of(), Map.of());

        assertEquals("{{ cookiecutter.kafka_brokers }}", defaults.brokers());
        assertEquals("{{ cookiecutter.input_topic }}", defaults.inTopic());
        assertEquals("{{ cookiecutter.output_topic }}", defaults.outTopic());
        assertEquals({% if cookiecutter.dlq_topic %}"{{ cookiecutter.dlq_topic }}"{% else %}null{% endif %}, defaults.dlqTopic());
        assertEquals("earliest", defaults.startingOffsets());
        assertNull(defaults.maxOffsetsPerTrigger());
        assertEquals("{{ cookiecutter.trigger }}", defaults.trigger());
        assertEquals("append", defaults.outputMode());
        assertEquals(Map.of(), defaults.kafkaOptions());
    }

    @Test
    void kafkaClientDefaultsAreTheSharedContractsForEveryTrigger() throws Exception {
        Settings microBatch = parse(List.of("--trigger", "0 seconds"), Map.of());
        Settings realTime = parse(List.of("--trigger", "real-time"), Map.of());

        assertClientDefaults("source", microBatch.sourceOptions());
        assertEquals(microBatch.sourceOptions(), realTime.sourceOptions());
        assertClientDefaults("sink", microBatch.sinkOptions());
        assertClientDefaults("sink_real_time", realTime.sinkOptions());
    }

    @Test
    void topicAndIntervalRulesAreTheSharedContractsPatterns() {
        // The runtime reads the copy in the jar: this catches a stale one too.
        assertEquals(CONTRACT.at("/patterns/topic").asText(), SettingsContract.TOPIC.pattern());
        assertEquals(CONTRACT.at("/patterns/interval").asText(),
                SettingsContract.INTERVAL.pattern());
    }

    @Test
    void aKafkaOptionSettingWinsOverTheAppsClientDefaults() throws Exception {
        Settings settings = parse(List.of("--trigger", "0 seconds"), Map.of(
                "KAFKA_OPTION_MAX_POLL_RECORDS", "500", "KAFKA_OPTION_LINGER_MS", "0"));

        assertEquals("500", settings.sourceOptions().get("kafka.max.poll.records"));
        assertEquals("0", settings.sinkOptions().get("kafka.linger.ms"));
        assertEquals(String.valueOf(256 << 10), settings.sinkOptions().get("kafka.batch.size"));
    }

    @Test
    void checkpointDefaultsToAProjectLocalDirectoryPerVariantNotTmp() throws ConfigError {
        String checkpoint = parse(List.of(), Map.of()).checkpoint();

        assertEquals("checkpoints/java", checkpoint);
        assertFalse(checkpoint.startsWith("/tmp"));
        assertEquals("checkpoints/scala",
                Settings.parse(List.of(), Map.of(), "scala").checkpoint());
    }

    @Test
    void environmentOverridesDefault() throws ConfigError {
        Map<String, String> env = Map.of("KAFKA_BROKERS", "k1:9092,k2:9093", "KAFKA_IN_TOPIC", "in",
                "KAFKA_OUT_TOPIC", "out", "CHECKPOINT_LOCATION", "/data/cp",
                "STARTING_OFFSETS", "latest", "MAX_OFFSETS_PER_TRIGGER", "500",
                "TRIGGER", "10 seconds", "KAFKA_DLQ_TOPIC", "bad", "OUTPUT_MODE", "update");

        Settings settings = parse(List.of(), env);

        assertEquals("k1:9092,k2:9093", settings.brokers());
        assertEquals(List.of("in", "out"), List.of(settings.inTopic(), settings.outTopic()));
        assertEquals(List.of("/data/cp", "latest"),
                List.of(settings.checkpoint(), settings.startingOffsets()));
        assertEquals(500L, settings.maxOffsetsPerTrigger());
        assertEquals("10 seconds", settings.trigger());
        assertEquals(List.of("bad", "update"), List.of(settings.dlqTopic(), settings.outputMode()));
    }

    @Test
    void anEmptyDeadLetterTopicTurnsItOff() throws ConfigError {
        assertNull(parse(List.of("--dlq-topic", ""), Map.of("KAFKA_DLQ_TOPIC", "x")).dlqTopic());
        assertNull(parse(List.of(), Map.of("KAFKA_DLQ_TOPIC", "")).dlqTopic());
    }

    @ParameterizedTest
    @ValueSource(strings = {"append", "update", "complete"})
    void everyOutputModeIsAcceptedAndRealTimeAlwaysUsesUpdate(String mode) throws ConfigError {
        assertEquals(mode, parse(List.of("--output-mode", mode), Map.of()).effectiveOutputMode());
        assertEquals("update", parse(List.of("--output-mode", mode, "--trigger", "real-time"),
                Map.of()).effectiveOutputMode());
    }

    @Test
    void flagOverridesEnvironment() throws ConfigError {
        Map<String, String> env = Map.of("KAFKA_IN_TOPIC", "from-env", "TRIGGER", "10 seconds");

        Settings settings =
                parse(List.of("--in-topic", "from-flag", "--trigger", "available-now"), env);

        assertEquals("from-flag", settings.inTopic());
        assertEquals("available-now", settings.trigger());
    }

    @ParameterizedTest
    @ValueSource(strings = {"0 seconds", "250 milliseconds", "1 minute", "available-now",
        "real-time", "real-time 30 seconds"})
    void everyTriggerFormIsAccepted(String trigger) throws ConfigError {
        assertEquals(trigger, parse(List.of("--trigger", trigger), Map.of()).trigger());
    }

    @Test
    void aBadTriggerIsRejectedWithTheSameTextAsEveryVariant() {
        ConfigError error = assertThrows(ConfigError.class,
                () -> parse(List.of(), Map.of("TRIGGER", "real-time soon")));

        assertEquals("TRIGGER=real-time soon: an interval '<n> milliseconds|seconds|minutes', "
                + "'available-now' or 'real-time [<interval>]'; e.g. 10 seconds",
                error.getMessage());
    }

    @Test
    void realTimeRunsWithItsCheckpointIntervalOrFiveMinutes() {
        assertEquals(Optional.of("5 minutes"), Settings.realTimeInterval("real-time"));
        assertEquals(Optional.of("30 seconds"), Settings.realTimeInterval("real-time 30 seconds"));
        assertEquals(Optional.empty(), Settings.realTimeInterval("30 seconds"));
        assertEquals(Optional.empty(), Settings.realTimeInterval("available-now"));
    }

    @Test
    void realTimeTriggerExistsFromSpark41AndOtherwiseFailsWithOneClearLine() {
        String version = org.apache.spark.package$.MODULE$.SPARK_VERSION();
        String[] parts = version.split("\\.");
        boolean hasRealTime = Integer.parseInt(parts[0]) * 100 + Integer.parseInt(parts[1]) >= 401;

        if (hasRealTime) {
            Trigger trigger = StreamingApp.realTimeTrigger("30 seconds", version);
            assertEquals("RealTimeTrigger(30000)", trigger.toString());
        } else {
            UnsupportedOperationException error = assertThrows(
                    UnsupportedOperationException.class,
                    () -> StreamingApp.realTimeTrigger("30 seconds", version));
            assertTrue(error.getMessage().startsWith(
                    "real-time mode needs Spark 4.1+ on the JVM (this is Spark " + version + ")"),
                    error.getMessage());
        }
    }

    @Test
    void flagsAlsoTakeNameEqualsValueAndTheLastOneWins() throws ConfigError {
        Settings settings = parse(List.of("--brokers=a:1", "--max-offsets-per-trigger", "7",
                "--brokers", " b:2 , c:3"), Map.of());

        assertEquals("b:2,c:3", settings.brokers());
        assertEquals(7L, settings.maxOffsetsPerTrigger());
    }

    @Test
    void startingOffsetsAcceptsPerPartitionJson() throws ConfigError {
        String json = "{\"topic1\":{\"0\":-2}}";

        assertEquals(json, parse(List.of("--starting-offsets", json), Map.of()).startingOffsets());
    }

    @Test
    void extraKafkaOptionsComeFromTheEnvironmentForSourceAndSink() throws ConfigError {
        Map<String, String> env = Map.of("KAFKA_OPTION_SECURITY_PROTOCOL", "SASL_SSL",
                "KAFKA_OPTION_SASL_JAAS_CONFIG", "secret", "UNRELATED", "x");

        assertEquals(
                Map.of("kafka.security.protocol", "SASL_SSL", "kafka.sasl.jaas.config", "secret"),
                parse(List.of(), env).kafkaOptions());
    }

    static Stream<Arguments> badValues() {
        return Stream.of(
                Arguments.of(Map.of("KAFKA_BROKERS", "localhost"),
                        "KAFKA_BROKERS=localhost: comma-separated host:port"),
                Arguments.of(Map.of("KAFKA_BROKERS", "h:70000"),
                        "KAFKA_BROKERS=h:70000: comma-separated host:port"),
                Arguments.of(Map.of("KAFKA_BROKERS", "h:1,"),
                        "KAFKA_BROKERS=h:1,: comma-separated"),
                Arguments.of(Map.of("KAFKA_IN_TOPIC", "bad topic"),
                        "KAFKA_IN_TOPIC=bad topic: 1 to 249 of"),
                Arguments.of(Map.of("KAFKA_OUT_TOPIC", ".."), "KAFKA_OUT_TOPIC=..: 1 to 249 of"),
                Arguments.of(Map.of("KAFKA_IN_TOPIC", "same", "KAFKA_OUT_TOPIC", "same"),
                        "KAFKA_OUT_TOPIC=same: must differ"),
                Arguments.of(Map.of("KAFKA_DLQ_TOPIC", "a b"), "KAFKA_DLQ_TOPIC=a b: 1 to 249 of"),
                Arguments.of(Map.of("KAFKA_IN_TOPIC", "in", "KAFKA_DLQ_TOPIC", "in"),
                        "KAFKA_DLQ_TOPIC=in: must differ from the input and output topics"),
                Arguments.of(Map.of("KAFKA_OUT_TOPIC", "out", "KAFKA_DLQ_TOPIC", "out"),
                        "KAFKA_DLQ_TOPIC=out: must differ from the input and output topics"),
                Arguments.of(Map.of("OUTPUT_MODE", "upsert"),
                        "OUTPUT_MODE=upsert: append, update or complete"),
                Arguments.of(Map.of("STARTING_OFFSETS", "yesterday"),
                        "STARTING_OFFSETS=yesterday: earliest, latest or JSON"),
                Arguments.of(Map.of("STARTING_OFFSETS", ""),
                        "STARTING_OFFSETS=: earliest, latest or JSON"),
                Arguments.of(Map.of("MAX_OFFSETS_PER_TRIGGER", "0"),
                        "MAX_OFFSETS_PER_TRIGGER=0: a positive whole number"),
                Arguments.of(Map.of("MAX_OFFSETS_PER_TRIGGER", "-5"),
                        "MAX_OFFSETS_PER_TRIGGER=-5: a positive whole number"),
                Arguments.of(Map.of("TRIGGER", "fast"), "TRIGGER=fast: an interval"),
                Arguments.of(Map.of("TRIGGER", "10 hours"), "TRIGGER=10 hours: an interval"),
                Arguments.of(Map.of("TRIGGER", "realtime"), "TRIGGER=realtime: an interval"),
                Arguments.of(Map.of("TRIGGER", "real-time 5"), "TRIGGER=real-time 5: an interval"),
                Arguments.of(Map.of("CHECKPOINT_LOCATION", " "),
                        "CHECKPOINT_LOCATION= : must not be empty"),
                Arguments.of(Map.of("KAFKA_OPTION_GROUP_ID", "x",
                                "KAFKA_OPTION_AUTO_OFFSET_RESET", "latest"),
                        "KAFKA_OPTION_AUTO_OFFSET_RESET=latest: set by the app itself"),
                Arguments.of(Map.of("KAFKA_OPTION_BOOTSTRAP_SERVERS", "h:1"),
                        "KAFKA_OPTION_BOOTSTRAP_SERVERS=h:1: set by the app itself"));
    }

    @ParameterizedTest
    @MethodSource("badValues")
    void badValuesRaiseOneLineNamingTheSettingAndAnExample(
            Map<String, String> env, String message) {
        ConfigError error = assertThrows(ConfigError.class, () -> parse(List.of(), env));

        assertTrue(error.getMessage().startsWith(message), error.getMessage());
        assertTrue(error.getMessage().contains("; e.g. ") && !error.getMessage().contains("\n"));
    }

    @Test
    void unknownFlagsAndMissingValuesAreRejected() {
        assertThrows(ConfigError.class, () -> parse(List.of("--nope", "x"), Map.of()));
        assertThrows(ConfigError.class, () -> parse(List.of("--brokers"), Map.of()));
        assertThrows(ConfigError.class, () -> parse(List.of("positional"), Map.of()));
    }

    @Test
    void badConfigExits2WithOneErrorLineAndNoStackTrace() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int code = app("java").run(List.of("--trigger", "soon"), Map.of(), print(out), print(err));

        String errText = err.toString(StandardCharsets.UTF_8);
        assertEquals(2, code);
        assertTrue(errText.startsWith("ERROR: TRIGGER=soon: "), errText);
        assertEquals(1, errText.chars().filter(c -> c == '\n').count());
        assertEquals("", out.toString(StandardCharsets.UTF_8));
    }

    @ParameterizedTest
    @ValueSource(strings = {"java", "scala"})
    void helpListsEveryFlagAndItsEnvironmentVariableAndTheVariantsJarAndExits0(String variant) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        PrintStream err = print(new ByteArrayOutputStream());

        int code = app(variant).run(List.of("--help"), Map.of(), print(out), err);

        String help = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, code);
        String jar = variant + "/target/{{ cookiecutter.project_slug }}-" + variant + ".jar";
        assertTrue(help.startsWith("usage: spark-submit --class "
                + "{{ cookiecutter.java_package }}.App " + jar + " [options]\n"), help);
        for (Settings.Setting setting : Settings.all(variant)) {
            assertTrue(help.contains(setting.flag() + " " + setting.env()), help);
        }
        assertTrue(help.contains("(env CHECKPOINT_LOCATION, default checkpoints/" + variant + ")"),
                help);
    }

    private static StreamingApp app(String variant) {
        return new StreamingApp(variant, records -> records);
    }

    private static PrintStream print(ByteArrayOutputStream buffer) {
        return new PrintStream(buffer, true, StandardCharsets.UTF_8);
    }
}
