package {{ cookiecutter.java_package }};

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.StringJoiner;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.streaming.StreamingQueryListener;
import org.apache.spark.sql.streaming.StreamingQueryProgress;

/**
 * Structured log lines: one JSON object per line on stdout, one per micro-batch. The fields are
 * the same as in the Python variant: {@code {"ts": 1700000000.123, "event": "progress",
 * "batch_id": 3, "input_rows": 1000, "input_rows_per_sec": 812.3,
 * "processed_rows_per_sec": 2050.1, "batch_duration_ms": 488, "dead_letter_rows": 0}}.
 */
public final class ProgressLogger extends StreamingQueryListener {

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonWriteFeature.ESCAPE_NON_ASCII)
            .build();

    private static PrintStream out = System.out;

    /** Logs {@code event} with alternating field names and values: ("batch_id", 3, ...). */
    public static void logEvent(String event, Object... fields) {
        StringJoiner line = new StringJoiner(", ", "{", "}");
        line.add(field("ts", BigDecimal.valueOf(System.currentTimeMillis(), 3)));
        line.add(field("event", event));
        for (int i = 0; i + 1 < fields.length; i += 2) {
            line.add(field((String) fields[i], fields[i + 1]));
        }
        synchronized (ProgressLogger.class) {
            out.println(line);
            out.flush();
        }
    }

    /** Where log lines go (stdout); tests capture them. */
    static synchronized void redirect(PrintStream stream) {
        out = stream;
    }

    private static String field(String name, Object value) {
        try {
            return JSON.writeValueAsString(name) + ": " + JSON.writeValueAsString(value);
        } catch (JsonProcessingException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    /** Rounded to one decimal, like Python's round(x, 1); 0.0 when Spark has no rate (NaN). */
    static BigDecimal rate(double perSecond) {
        if (Double.isNaN(perSecond) || Double.isInfinite(perSecond)) {
            return BigDecimal.valueOf(0, 1);
        }
        return BigDecimal.valueOf(perSecond).setScale(1, RoundingMode.HALF_EVEN);
    }

    static String firstLine(String text) {
        return text == null ? null : text.strip().lines().findFirst().orElse("");
    }

    @Override
    public void onQueryStarted(QueryStartedEvent event) {
        logEvent("query_started", "query_id", event.id().toString(), "name", event.name());
    }

    /** Logs every finished micro-batch: its throughput, duration and dead-letter rows. */
    @Override
    public void onQueryProgress(QueryProgressEvent event) {
        StreamingQueryProgress progress = event.progress();
        logEvent("progress",
                "batch_id", progress.batchId(),
                "input_rows", progress.numInputRows(),
                "input_rows_per_sec", rate(progress.inputRowsPerSecond()),
                "processed_rows_per_sec", rate(progress.processedRowsPerSecond()),
                "batch_duration_ms", progress.batchDuration(),
                "dead_letter_rows", deadLetterRows(progress));
    }

    /**
     * Rows routed to the dead-letter topic in this batch (0 when the transform has no error
     * column): observed by the query itself, so counting costs no second pass.
     */
    static long deadLetterRows(StreamingQueryProgress progress) {
        Row metrics = progress.observedMetrics().get(Routing.DEAD_LETTER_METRIC);
        return metrics == null ? 0 : metrics.<Long>getAs("rows");
    }

    @Override
    public void onQueryTerminated(QueryTerminatedEvent event) {
        String error = event.exception().isDefined() ? firstLine(event.exception().get()) : null;
        logEvent("query_terminated", "query_id", event.id().toString(), "error", error);
    }
}
