package {{ cookiecutter.java_package }};

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Routing the transform's rows to the output or dead-letter topic, on static Datasets. */
class RoutingTest {

    private static final String GOOD = "{\"headers\":[{\"key\":\"h\",\"value\":\"1\"}],"
            + "\"key\":\"k1\",\"topic\":\"out\",\"value\":\"good\"}";

    private final SparkSession spark = LocalSpark.get();

    private Dataset<Row> records() {
        return Records.sourceFrame(spark, List.of(
                RowFactory.create(bytes("k1"), bytes("good"),
                        List.of(RowFactory.create("h", bytes("1")))),
                RowFactory.create(bytes("k2"), bytes("bad"), null)));
    }

    private static Dataset<Row> flagBad(Dataset<Row> records) {
        return records.withColumn("error", when(col("value").equalTo(lit(bytes("bad"))), "too bad"));
    }

    /** The routed rows as contract/vectors.json writes records. */
    private static List<String> routed(Dataset<Row> rows, String dlqTopic) {
        return Routing.kafkaRecords(rows, "out", dlqTopic).collectAsList().stream()
                .map(row -> Records.encode(row).toString()).collect(Collectors.toList());
    }

    private static String deadLetterHeaders(String... names) {
        Map<String, String> values = Map.of("error", "too bad", "topic", "input",
                "partition", "0", "offset", "1", "timestamp", "1704067200000");
        return Arrays.stream(names).map(name -> "{\"key\":\"dead-letter."
                + (name.equals("error") ? "" : "source.") + name + "\",\"value\":\""
                + values.get(name) + "\"}").collect(Collectors.joining(","));
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void withoutAnErrorColumnEveryRowGoesToTheOutputTopicUnchanged() {
        assertEquals(List.of(GOOD, "{\"headers\":null,\"key\":\"k2\",\"topic\":\"out\","
                + "\"value\":\"bad\"}"),
                routed(records().select("key", "value", "headers"), "dlq"));
    }

    @Test
    void aRowWithAnErrorGoesToTheDeadLetterTopicWithContextHeaders() {
        List<String> output = routed(flagBad(records()), "dlq");

        // the timestamp is 2024-01-01T00:00:00Z in epoch milliseconds
        assertEquals(List.of(GOOD, "{\"headers\":[" + deadLetterHeaders("error", "topic",
                "partition", "offset", "timestamp") + "],\"key\":\"k2\",\"topic\":\"dlq\","
                + "\"value\":\"bad\"}"), output);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "partition;offset|error;topic;timestamp",
        "topic;partition;offset;timestamp|error",
        "timestamp|error;topic;partition;offset"})
    void withoutSomeSourceColumnsADeadLetterGetsTheHeadersThatCanBeFilled(String dropped,
            String headers) {
        List<String> output = routed(flagBad(records()).drop(dropped.split(";")), "dlq");

        assertEquals(List.of(GOOD, "{\"headers\":[" + deadLetterHeaders(headers.split(";"))
                + "],\"key\":\"k2\",\"topic\":\"dlq\",\"value\":\"bad\"}"), output);
    }

    @Test
    void missingSourceColumnsAreNamedOnceWithHowToKeepThem() {
        assertEquals(Optional.of("WARNING: the transform's result has an error column but not "
                + "partition, offset: dead-letter records will lack dead-letter.source.partition, "
                + "dead-letter.source.offset headers; keep the source columns with "
                + "records.withColumn(...) rather than records.select(...)"),
                Routing.missingContextWarning(flagBad(records()).drop("offset", "partition")
                        .schema()));
        assertEquals(Optional.empty(), Routing.missingContextWarning(flagBad(records()).schema()));
        assertEquals(Optional.empty(), Routing.missingContextWarning(
                records().select("key", "value").schema()));
    }

    @Test
    void theSinkGetsOnlyTheColumnsItWrites() {
        Dataset<Row> rows = flagBad(records()).drop("headers");

        assertEquals(List.of("topic", "key", "value", "headers"),
                List.of(Routing.kafkaRecords(rows, "out", "dlq").columns()));
        assertEquals(List.of("topic", "key", "value"),
                List.of(Routing.kafkaRecords(rows.drop("error"), "out", null).columns()));
    }

    @Test
    void withoutADeadLetterTopicARowWithAnErrorFailsNamingWhatItCanOfTheRecord() {
        Dataset<Row> rows = flagBad(records()).select("key", "value", "offset", "error");

        Exception raised = assertThrows(Exception.class, () -> routed(rows, null));

        assertEquals("record at topic ?, partition ?, offset 1 has an error and no dead-letter "
                + "topic is set (KAFKA_DLQ_TOPIC): too bad", StreamingApp.failureReason(raised));
    }

    @Test
    void withoutADeadLetterTopicARowWithAnErrorFailsNamingTheRecord() {
        Exception raised = assertThrows(Exception.class, () -> routed(flagBad(records()), null));

        assertEquals(Optional.of("record at topic input, partition 0, offset 1 has an error and "
                + "no dead-letter topic is set (KAFKA_DLQ_TOPIC): too bad"),
                Routing.recordWithoutDeadLetterTopic(raised.getMessage()));
        assertEquals("record at topic input, partition 0, offset 1 has an error and no "
                + "dead-letter topic is set (KAFKA_DLQ_TOPIC): too bad",
                StreamingApp.failureReason(raised));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "key|key binary",
        "key;CAST(partition AS INT) AS value|key binary, value int",
        "value;CAST(NULL AS INT) AS error|value binary, error int",
        "value;CAST(1 AS STRING) AS headers|value binary, headers string"})
    void columnsTheSinkCannotWriteFailWithOneLineNamingThem(String columns, String returned) {
        Dataset<Row> rows = records().selectExpr(columns.split(";"));

        Routing.TransformResultError error = assertThrows(Routing.TransformResultError.class,
                () -> Routing.checkColumns(rows.schema()));

        assertTrue(error.getMessage().startsWith("the transform returned columns (" + returned
                + "); the Kafka sink needs value (string or binary) and optionally key"),
                error.getMessage());
        assertFalse(error.getMessage().contains("\n"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"value", "CAST(value AS STRING) AS value;CAST(key AS STRING) AS key",
        "key;value;headers;topic;partition;offset;timestamp;CAST(NULL AS STRING) AS error",
        "value;CAST(NULL AS STRING) AS error"})
    void columnsTheSinkCanWritePass(String columns) {
        Routing.checkColumns(records().selectExpr(columns.split(";")).schema());
    }
}
