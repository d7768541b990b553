package {{ cookiecutter.java_package }};

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Locale;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/** How the app reports what stops it: one line, naming the setting or record to look at. */
class StreamingAppTest {

    @Test
    void anAggregationWithoutWatermarkInAppendModeNamesTheOutputModeSetting() {
        SparkSession spark = LocalSpark.get();
        Dataset<Row> counts = spark.readStream().format("rate").load().groupBy("value").count();

        Exception raised = assertThrows(Exception.class, // Spark's own refusal, worded per version
                () -> counts.writeStream().format("noop").outputMode("append").start());

        String reason = StreamingApp.firstLine(raised);
        assertTrue(reason.toLowerCase(Locale.ROOT).contains("output mode"), reason);
        assertEquals("OUTPUT_MODE=append does not fit this transform: " + reason
                + "; set OUTPUT_MODE (or --output-mode) to update or complete, or give its "
                + "aggregation a watermark (README: Output modes)",
                StreamingApp.outputModeMismatch("append", reason));
    }

    @Test
    void aQueryFailureIsItsFirstLineOrTheRecordThatHadNowhereToGo() {
        RuntimeException failure = new RuntimeException("Job aborted: Lost task 0.0: "
                + "java.lang.RuntimeException: record at topic in, partition 0, offset 5 has an "
                + "error and no dead-letter topic is set (KAFKA_DLQ_TOPIC): value is null\n\tat x");

        assertEquals("record at topic in, partition 0, offset 5 has an error and no dead-letter "
                + "topic is set (KAFKA_DLQ_TOPIC): value is null",
                StreamingApp.failureReason(failure));
        assertEquals("Job aborted: broker down", StreamingApp.failureReason(
                new RuntimeException("Job aborted: broker down\n\tat x")));
    }
}
