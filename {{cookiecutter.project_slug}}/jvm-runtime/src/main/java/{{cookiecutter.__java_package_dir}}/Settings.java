package {{ cookiecutter.java_package }};

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runtime settings. Each one comes from its command-line flag, else its environment variable,
 * else its default. The same names, defaults and error lines hold for every variant (README);
 * only the checkpoint default and the jar in the usage text name the variant (java, scala).
 *
 * @param dlqTopic null when there is no dead-letter topic
 * @param maxOffsetsPerTrigger null when there is no cap
 * @param kafkaOptions extra {@code kafka.*} client options for source and sink alike
 */
public record Settings(
        String brokers,
        String inTopic,
        String outTopic,
        String dlqTopic,
        String checkpoint,
        String startingOffsets,
        Long maxOffsetsPerTrigger,
        String trigger,
        String outputMode,
        Map<String, String> kafkaOptions) {

    public static final String AVAILABLE_NOW = "available-now";
    /** The checkpoint interval of real-time mode when TRIGGER is a bare {@code real-time}. */
    public static final String REAL_TIME_DEFAULT_INTERVAL = "5 minutes";
    public static final List<String> OUTPUT_MODES = List.of("append", "update", "complete");

    private static final Pattern BROKER = Pattern.compile(
            "([A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?|\\[[0-9A-Fa-f:.]+\\]):(\\d{1,5})");
    /**
     * Real-time mode (Spark 4.1+ on the JVM): records flow continuously; the interval is only how
     * often it checkpoints, not a latency target.
     */
    private static final Pattern REAL_TIME = Pattern.compile("real-time( (?<checkpointInterval>"
            + SettingsContract.INTERVAL.pattern() + "))?");
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    /** One setting: its flag, environment variable, default (null: unset) and help text. */
    record Setting(String flag, String env, String defaultValue, String help) {
    }

    static final Setting BROKERS = new Setting("--brokers", "KAFKA_BROKERS",
            "{{ cookiecutter.kafka_brokers }}", "Kafka bootstrap servers, host:port[,host:port...]");
    static final Setting IN_TOPIC = new Setting("--in-topic", "KAFKA_IN_TOPIC",
            "{{ cookiecutter.input_topic }}", "topic to read");
    static final Setting OUT_TOPIC = new Setting("--out-topic", "KAFKA_OUT_TOPIC",
            "{{ cookiecutter.output_topic }}", "topic to write");
    static final Setting DLQ_TOPIC = new Setting("--dlq-topic", "KAFKA_DLQ_TOPIC",
            "{{ cookiecutter.dlq_topic }}", "dead-letter topic for rows the transform gives an "
                    + "error; empty: none, and such a row stops the query");
    static final Setting STARTING_OFFSETS = new Setting("--starting-offsets", "STARTING_OFFSETS",
            "earliest", "earliest, latest or per-partition JSON; used by a new checkpoint only");
    static final Setting MAX_OFFSETS_PER_TRIGGER = new Setting("--max-offsets-per-trigger",
            "MAX_OFFSETS_PER_TRIGGER", null, "cap on records per micro-batch (default: no cap)");
    static final Setting TRIGGER = new Setting("--trigger", "TRIGGER",
            "{{ cookiecutter.trigger }}",
            "micro-batch interval such as '10 seconds', '" + AVAILABLE_NOW
                    + "' to process what is there and stop, or "
                    + "'real-time [<checkpoint interval>]'");
    static final Setting OUTPUT_MODE = new Setting("--output-mode", "OUTPUT_MODE", "append",
            "append, update or complete: which result rows of a stateful transform are written "
                    + "(real-time mode always uses update)");

    /** Each variant checkpoints under its own name by default: checkpoints/java... */
    static Setting checkpoint(String variant) {
        return new Setting("--checkpoint", "CHECKPOINT_LOCATION", "checkpoints/" + variant,
                "checkpoint directory: it holds the consumed offsets, keep it durable");
    }

    /** Every setting of {@code variant} (java, scala), in --help order. */
    static List<Setting> all(String variant) {
        return List.of(BROKERS, IN_TOPIC, OUT_TOPIC, DLQ_TOPIC, checkpoint(variant),
                STARTING_OFFSETS, MAX_OFFSETS_PER_TRIGGER, TRIGGER, OUTPUT_MODE);
    }

    /** Settings from flags &gt; environment &gt; defaults; throws ConfigError on a bad value. */
    public static Settings parse(List<String> args, Map<String, String> env, String variant)
            throws ConfigError {
        Setting checkpoint = checkpoint(variant);
        Map<Setting, String> flags = parseFlags(args, all(variant));
        String dlqTopic = value(DLQ_TOPIC, flags, env);
        Settings settings = new Settings(
                checkBrokers(value(BROKERS, flags, env)),
                checkTopic(IN_TOPIC, value(IN_TOPIC, flags, env)),
                checkTopic(OUT_TOPIC, value(OUT_TOPIC, flags, env)),
                dlqTopic.isEmpty() ? null : checkTopic(DLQ_TOPIC, dlqTopic),
                checkNonEmpty(checkpoint, value(checkpoint, flags, env)),
                checkStartingOffsets(value(STARTING_OFFSETS, flags, env)),
                checkMaxOffsets(value(MAX_OFFSETS_PER_TRIGGER, flags, env)),
                checkTrigger(value(TRIGGER, flags, env)),
                checkOutputMode(value(OUTPUT_MODE, flags, env)),
                KafkaOptions.fromEnvironment(env));
        if (settings.inTopic().equals(settings.outTopic())) {
            throw ConfigError.of(OUT_TOPIC.env(), settings.outTopic(),
                    "must differ from the input topic, or the app reads its own output", "topic2");
        }
        if (settings.inTopic().equals(dlqTopic) || settings.outTopic().equals(dlqTopic)) {
            throw ConfigError.of(DLQ_TOPIC.env(), dlqTopic, "must differ from the input and "
                    + "output topics, or records would loop or mix with good ones", "topic2-dlq");
        }
        return settings;
    }

    /** True when the arguments ask for the usage text. */
    public static boolean wantsHelp(List<String> args) {
        return args.contains("--help") || args.contains("-h");
    }

    /** The --help text of a variant: every flag with its environment variable and default. */
    public static String usage(String variant) {
        StringBuilder text = new StringBuilder()
                .append("usage: spark-submit --class {{ cookiecutter.java_package }}.App ")
                .append(variant).append("/target/{{ cookiecutter.project_slug }}-")
                .append(variant).append(".jar [options]\n\n")
                .append({{ cookiecutter.description | tojson }})
                .append("\n\noptions:\n");
        option(text, "-h, --help", "show this help message and exit");
        for (Setting setting : all(variant)) {
            String defaultText = setting.defaultValue() == null ? "unset" : setting.defaultValue();
            option(text, setting.flag() + " " + setting.env(), setting.help() + " (env "
                    + setting.env() + ", default " + defaultText + ")");
        }
        return text.append("\nExtra Kafka client options: ").append(KafkaOptions.PREFIX)
                .append("<NAME>=value in the environment, e.g. ")
                .append("KAFKA_OPTION_SECURITY_PROTOCOL=SASL_SSL.\n")
                .toString();
    }

    /** One option in the usage text, laid out like Python's argparse. */
    private static void option(StringBuilder text, String names, String help) {
        String indent = " ".repeat(24);
        text.append("  ").append(names);
        text.append(names.length() <= 20 ? " ".repeat(22 - names.length()) : "\n" + indent);
        text.append(help).append("\n");
    }

    /** {@code --name value} or {@code --name=value}; the last one wins. */
    private static Map<Setting, String> parseFlags(List<String> args, List<Setting> all)
            throws ConfigError {
        Map<Setting, String> flags = new LinkedHashMap<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            int equals = arg.indexOf('=');
            String flag = arg.startsWith("--") && equals > 0 ? arg.substring(0, equals) : arg;
            Setting setting = all.stream().filter(s -> s.flag().equals(flag)).findFirst()
                    .orElseThrow(() -> new ConfigError(
                            "unrecognized argument: " + arg + "; see --help"));
            if (!flag.equals(arg)) {
                flags.put(setting, arg.substring(equals + 1));
            } else if (i + 1 < args.size() && !args.get(i + 1).startsWith("--")) {
                flags.put(setting, args.get(++i));
            } else {
                throw new ConfigError(
                        flag + " expects one value (" + setting.env() + "); see --help");
            }
        }
        return flags;
    }

    private static String value(
            Setting setting, Map<Setting, String> flags, Map<String, String> env) {
        if (flags.containsKey(setting)) {
            return flags.get(setting);
        }
        return env.getOrDefault(setting.env(), setting.defaultValue());
    }

    static String checkBrokers(String value) throws ConfigError {
        String[] entries = value.split(",", -1);
        StringBuilder joined = new StringBuilder();
        for (String entry : entries) {
            Matcher match = BROKER.matcher(entry.strip());
            if (!match.matches() || !validPort(match.group(3))) {
                throw ConfigError.of(BROKERS.env(), value,
                        "comma-separated host:port with port 1..65535", "localhost:9092");
            }
            joined.append(joined.length() == 0 ? "" : ",").append(entry.strip());
        }
        return joined.toString();
    }

    private static boolean validPort(String digits) {
        int port = Integer.parseInt(digits);
        return port >= 1 && port <= 65535;
    }

    static String checkTopic(Setting setting, String value) throws ConfigError {
        if (!SettingsContract.TOPIC.matcher(value).matches() || value.equals(".") || value.equals("..")) {
            throw ConfigError.of(setting.env(), value,
                    "1 to 249 of [a-zA-Z0-9._-], not '.' or '..'", "topic1");
        }
        return value;
    }

    static String checkNonEmpty(Setting setting, String value) throws ConfigError {
        if (value.isBlank()) {
            throw ConfigError.of(
                    setting.env(), value, "must not be empty", setting.defaultValue());
        }
        return value;
    }

    static String checkStartingOffsets(String value) throws ConfigError {
        if (value.equals("earliest") || value.equals("latest")) {
            return value;
        }
        try {
            JsonNode parsed = JSON.readTree(value);
            if (parsed != null && !parsed.isMissingNode()) {
                return value;
            }
        } catch (IOException notJson) {
            // falls through to the error below
        }
        throw ConfigError.of(STARTING_OFFSETS.env(), value,
                "earliest, latest or JSON like {\"topic1\":{\"0\":-2}}", "earliest");
    }

    static Long checkMaxOffsets(String value) throws ConfigError {
        if (value == null || value.isEmpty()) {
            return null;
        }
        try {
            if (value.chars().allMatch(c -> c >= '0' && c <= '9') && Long.parseLong(value) >= 1) {
                return Long.parseLong(value);
            }
        } catch (NumberFormatException tooLarge) {
            // falls through to the error below
        }
        throw ConfigError.of(
                MAX_OFFSETS_PER_TRIGGER.env(), value, "a positive whole number", "100000");
    }

    static String checkTrigger(String value) throws ConfigError {
        if (value.equals(AVAILABLE_NOW) || SettingsContract.INTERVAL.matcher(value).matches()
                || REAL_TIME.matcher(value).matches()) {
            return value;
        }
        throw ConfigError.of(TRIGGER.env(), value,
                "an interval '<n> milliseconds|seconds|minutes', '" + AVAILABLE_NOW
                        + "' or 'real-time [<interval>]'", "10 seconds");
    }

    static String checkOutputMode(String value) throws ConfigError {
        if (OUTPUT_MODES.contains(value)) {
            return value;
        }
        throw ConfigError.of(OUTPUT_MODE.env(), value, "append, update or complete", "update");
    }

    /** The Kafka consumer's options: the app's defaults, then KAFKA_OPTION_*. */
    public Map<String, String> sourceOptions() {
        return KafkaOptions.withDefaults(SettingsContract.clientDefaults("source"), kafkaOptions);
    }

    /** The Kafka producer's options: the app's defaults, then KAFKA_OPTION_*. */
    public Map<String, String> sinkOptions() {
        String defaults = realTimeInterval(trigger).isPresent() ? "sink_real_time" : "sink";
        return KafkaOptions.withDefaults(SettingsContract.clientDefaults(defaults), kafkaOptions);
    }

    /**
     * The checkpoint interval when a checked trigger asks for real-time mode ({@code real-time}
     * alone means {@value #REAL_TIME_DEFAULT_INTERVAL}); empty for micro-batches and available-now.
     */
    static Optional<String> realTimeInterval(String trigger) {
        Matcher match = REAL_TIME.matcher(trigger);
        if (!match.matches()) {
            return Optional.empty();
        }
        return Optional.of(Optional.ofNullable(match.group("checkpointInterval"))
                .orElse(REAL_TIME_DEFAULT_INTERVAL));
    }

    /** OUTPUT_MODE, except in real-time mode, which supports update only. */
    public String effectiveOutputMode() {
        return realTimeInterval(trigger).isPresent() ? "update" : outputMode;
    }
}
