package {{ cookiecutter.java_package }};

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.Trigger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The JSON log lines: field names and types shared with the Python variant. */
class ProgressLoggerTest {

    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();

    @AfterEach
    void restoreStdout() {
        ProgressLogger.redirect(System.out);
    }

    private List<JsonNode> lines() throws Exception {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : buffer.toString(StandardCharsets.UTF_8).split("\n")) {
            if (!line.isEmpty()) {
                lines.add(new ObjectMapper().readTree(line));
            }
        }
        return lines;
    }

    @Test
    void eventIsOneJsonLineWithTimestampAndFields() throws Exception {
        ProgressLogger.redirect(new PrintStream(buffer, true, StandardCharsets.UTF_8));

        ProgressLogger.logEvent("stopping", "signal", "SIGTERM", "none", null);

        List<JsonNode> lines = lines();
        assertEquals(1, lines.size());
        JsonNode line = lines.get(0);
        assertEquals("stopping", line.get("event").asText());
        assertEquals("SIGTERM", line.get("signal").asText());
        assertTrue(line.get("none").isNull());
        assertTrue(line.get("ts").isNumber()
                && Math.abs(line.get("ts").asDouble() - System.currentTimeMillis() / 1000.0) < 60);
    }

    @Test
    void ratesHaveOneDecimalAndNoNaN() {
        assertEquals(new BigDecimal("812.3"), ProgressLogger.rate(812.34));
        assertEquals(new BigDecimal("0.0"), ProgressLogger.rate(Double.NaN));
        assertEquals(new BigDecimal("0.0"), ProgressLogger.rate(Double.POSITIVE_INFINITY));
    }

    @Test
    void listenerLogsQueryStartedProgressAndTerminated() throws Exception {
        SparkSession spark = LocalSpark.get();
        ProgressLogger listener = new ProgressLogger();
        ProgressLogger.redirect(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        spark.streams().addListener(listener);
        try {
            StreamingQuery query = spark.readStream().format("rate").option("rowsPerSecond", "5")
                    .load().writeStream().format("noop").queryName("progress-test")
                    .trigger(Trigger.ProcessingTime("200 milliseconds")).start();
            waitFor(() -> count("progress") >= 2);
            query.stop();
            waitFor(() -> count("query_terminated") == 1);
        } finally {
            spark.streams().removeListener(listener);
        }

        JsonNode progress = lines().stream().filter(l -> l.get("event").asText().equals("progress"))
                .findFirst().orElseThrow();
        Set<String> fields = Set.of("ts", "event", "batch_id", "input_rows", "input_rows_per_sec",
                "processed_rows_per_sec", "batch_duration_ms", "dead_letter_rows");
        List<String> names = new ArrayList<>();
        progress.fieldNames().forEachRemaining(names::add);
        assertEquals(fields, Set.copyOf(names));
        assertTrue(progress.get("batch_id").isIntegralNumber());
        assertTrue(progress.get("input_rows_per_sec").isNumber());
        assertEquals(0, progress.get("dead_letter_rows").asLong());
        assertEquals(1, count("query_started"));
        assertTrue(lines().stream().filter(l -> l.get("event").asText().equals("query_terminated"))
                .allMatch(l -> l.get("error").isNull()));
    }

    private long count(String event) {
        try {
            return lines().stream().filter(l -> l.get("event").asText().equals(event)).count();
        } catch (Exception incomplete) {
            return 0;
        }
    }

    private static void waitFor(BooleanSupplier condition) throws InterruptedException {
        // Generous: listener events are asynchronous and CI machines are often busy.
        long deadline = System.currentTimeMillis() + 300_000;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("timed out");
            }
            Thread.sleep(50);
        }
    }
}
