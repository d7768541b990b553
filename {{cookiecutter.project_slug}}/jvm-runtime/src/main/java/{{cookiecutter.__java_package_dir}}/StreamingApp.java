package {{ cookiecutter.java_package }};

import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.DataStreamReader;
import org.apache.spark.sql.streaming.DataStreamWriter;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.Trigger;

/**
 * Kafka -&gt; transform -&gt; Kafka as one Spark Structured Streaming query: the runtime that the
 * Java and Scala variants share. Each variant's App passes its name and its transform.
 *
 * <p>Records never visit the driver: Spark's Kafka source and sink move them on the executors.
 * Run it with spark-submit ({@code make run-java}, {@code make run-scala});
 * conf/spark-defaults.conf, read through SPARK_CONF_DIR, pins the connector. Exit codes: 0
 * stopped cleanly (SIGTERM, Ctrl-C, or an available-now run that finished), 1 the query failed,
 * 2 bad configuration.
 */
public final class StreamingApp {

    public static final String APP_NAME = "{{ cookiecutter.project_slug }}";
    static final int EXIT_OK = 0;
    static final int EXIT_FAILED = 1;
    static final int EXIT_BAD_CONFIG = 2;

    private final String variant;
    private final UnaryOperator<Dataset<Row>> transform;

    /**
     * @param variant java or scala: it names the default checkpoint and the jar in --help
     * @param transform the variant's Transform, from Kafka source rows to the rows to write
     */
    public StreamingApp(String variant, UnaryOperator<Dataset<Row>> transform) {
        this.variant = variant;
        this.transform = transform;
    }

    /** An App's main: runs the app, then exits with its code unless that is 0. */
    public void main(String[] args) {
        int code = run(Arrays.asList(args), System.getenv(), System.out, System.err);
        if (code != EXIT_OK) {
            System.exit(code);
        }
        // Exit 0 by returning: spark-submit then ends normally. System.exit(0) here would make
        // YARN cluster mode report the application as failed ("shutdown hook called before
        // final status was reported").
    }

    /** The whole app; returns the exit code. */
    int run(List<String> args, Map<String, String> env, PrintStream out, PrintStream err) {
        if (Settings.wantsHelp(args)) {
            out.print(Settings.usage(variant));
            return EXIT_OK;
        }
        Settings settings;
        try {
            settings = Settings.parse(args, env, variant);
        } catch (ConfigError error) {
            err.println("ERROR: " + error.getMessage());
            return EXIT_BAD_CONFIG;
        }

        StopRequest stop = StopRequest.install();
        SparkSession spark = createSession();
        StreamingQuery query;
        try {
            query = startQuery(spark, settings, err);
        } catch (Routing.TransformResultError error) {
            err.println("ERROR: " + error.getMessage());
            spark.stop();
            return EXIT_BAD_CONFIG;
        } catch (Exception error) { // Spark reports a missing connector, a bad option or mode
            String reason = firstLine(error);
            int code;
            if (reason.toLowerCase(Locale.ROOT).contains("output mode")) {
                err.println("ERROR: " + outputModeMismatch(settings.effectiveOutputMode(), reason));
                code = EXIT_BAD_CONFIG;
            } else {
                err.println("ERROR: could not start the query: " + reason);
                code = EXIT_FAILED;
            }
            spark.stop();
            return code;
        }
        ProgressLogger.logEvent("started", "app", APP_NAME, "brokers", settings.brokers(),
                "in_topic", settings.inTopic(), "out_topic", settings.outTopic(),
                "dlq_topic", settings.dlqTopic(), "checkpoint", settings.checkpoint(),
                "trigger", settings.trigger(), "output_mode", settings.effectiveOutputMode());
        return runUntilStopped(spark, query, stop, err);
    }

    static SparkSession createSession() {
        SparkSession.Builder builder = SparkSession.builder().appName(APP_NAME);
        if (!new SparkConf().contains("spark.master")) {
            builder = builder.master("local[*]"); // started outside spark-submit, e.g. by an IDE
        }
        SparkSession spark = builder.getOrCreate();
        spark.streams().addListener(new ProgressLogger());
        return spark;
    }

    static Dataset<Row> readStream(SparkSession spark, Settings settings) {
        DataStreamReader reader = spark.readStream().format("kafka")
                .option("kafka.bootstrap.servers", settings.brokers())
                .option("subscribe", settings.inTopic())
                .option("startingOffsets", settings.startingOffsets())
                .option("includeHeaders", "true")
                .options(settings.sourceOptions());
        if (settings.maxOffsetsPerTrigger() != null) {
            reader = reader.option("maxOffsetsPerTrigger",
                    settings.maxOffsetsPerTrigger().longValue());
        }
        return reader.load();
    }

    /** Starts the query; warns on {@code err} when dead letters will lack some context. */
    StreamingQuery startQuery(SparkSession spark, Settings settings, PrintStream err)
            throws Exception {
        Dataset<Row> rows = transform.apply(readStream(spark, settings));
        Routing.missingContextWarning(rows.schema()).ifPresent(err::println);
        DataStreamWriter<Row> writer =
                Routing.kafkaRecords(rows, settings.outTopic(), settings.dlqTopic())
                .writeStream().format("kafka")
                .queryName(APP_NAME)
                .outputMode(settings.effectiveOutputMode())
                .option("kafka.bootstrap.servers", settings.brokers())
                .option("checkpointLocation", settings.checkpoint())
                .options(settings.sinkOptions());
        Optional<String> realTime = Settings.realTimeInterval(settings.trigger());
        if (settings.trigger().equals(Settings.AVAILABLE_NOW)) {
            writer = writer.trigger(Trigger.AvailableNow());
        } else if (realTime.isPresent()) {
            writer = writer.trigger(realTimeTrigger(realTime.get(), spark.version()));
        } else {
            writer = writer.trigger(Trigger.ProcessingTime(settings.trigger()));
        }
        return writer.start();
    }

    /** An output mode that does not fit the transform is a setting to change, so it is named. */
    static String outputModeMismatch(String mode, String reason) {
        String others = Settings.OUTPUT_MODES.stream().filter(m -> !m.equals(mode))
                .collect(Collectors.joining(" or "));
        return "OUTPUT_MODE=" + mode + " does not fit this transform: " + reason
                + "; set OUTPUT_MODE (or --output-mode) to " + others
                + ", or give its aggregation a watermark (README: Output modes)";
    }

    /**
     * {@code Trigger.RealTime(checkpointInterval)}: records flow continuously and the interval
     * only sets how often the query checkpoints. Throws UnsupportedOperationException where
     * Spark has no real-time mode, and Spark's own error for an interval it refuses.
     */
    static Trigger realTimeTrigger(String checkpointInterval, String sparkVersion) {
        Method realTime;
        try {
            // Reflection: Trigger.RealTime exists only from Spark 4.1, and this source also
            // compiles against Spark 3.5 and 4.0.
            realTime = Trigger.class.getMethod("RealTime", String.class);
        } catch (NoSuchMethodException missing) {
            throw new UnsupportedOperationException("real-time mode needs Spark 4.1+ on the JVM "
                    + "(this is Spark " + sparkVersion + "); use a micro-batch interval instead");
        }
        try {
            return (Trigger) realTime.invoke(null, checkpointInterval);
        } catch (InvocationTargetException thrown) {
            Throwable cause = thrown.getCause();
            throw cause instanceof RuntimeException ? (RuntimeException) cause
                    : new IllegalStateException(cause);
        } catch (IllegalAccessException notPublic) {
            throw new IllegalStateException(notPublic);
        }
    }

    /** Waits for the query; on SIGTERM or Ctrl-C stops it cleanly and returns 0. */
    static int runUntilStopped(SparkSession spark, StreamingQuery query, StopRequest stop,
            PrintStream err) {
        Throwable error = null;
        try {
            while (!stop.requested() && query.isActive()) {
                query.awaitTermination(500);
            }
            if (!stop.requested() && query.exception().isDefined()) {
                error = query.exception().get();
            }
        } catch (Exception raised) { // the query failed
            error = stop.requested() ? null : raised;
        }
        if (error != null) {
            err.println("ERROR: " + Failures.describe(error)); // says what to check, if it can
            spark.stop();
            return EXIT_FAILED;
        }
        if (stop.requested()) {
            ProgressLogger.logEvent("stopping", "signal", stop.signal());
        }
        try {
            query.stop();
            spark.stop();
        } catch (Exception ignored) { // stopping is best effort: the process exits next
        }
        ProgressLogger.logEvent("stopped", "app", APP_NAME);
        return EXIT_OK;
    }

    /**
     * The first line of a query failure; only the record and its error when a row with an error
     * had no dead-letter topic to go to.
     */
    static String failureReason(Throwable error) {
        return Routing.recordWithoutDeadLetterTopic(String.valueOf(error.getMessage()))
                .orElse(firstLine(error));
    }

    static String firstLine(Throwable error) {
        String text = error.getMessage() == null ? "" : error.getMessage().strip();
        return text.isEmpty() ? error.getClass().getSimpleName() : ProgressLogger.firstLine(text);
    }
}
