package {{ cookiecutter.java_package }};

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.junit.jupiter.api.Test;

/** The transform on a local SparkSession with static DataFrames: no Kafka involved. */
class TransformTest {

    private final SparkSession spark = LocalSpark.get();

    @Test
    void outputHasOnlyTheColumnsTheKafkaSinkWrites() {
        Dataset<Row> output = Transform.apply(Records.sourceFrame(spark, List.of()));

        assertEquals(List.of("key", "value", "headers"), List.of(output.columns()));
        assertEquals(DataTypes.BinaryType, output.schema().apply("value").dataType());
    }

    @Test
    void keepsKeyValueAndHeadersBytes() {
        Row record = RowFactory.create("k".getBytes(), new byte[] {(byte) 0xff, 0, 'v'},
                List.of(RowFactory.create("h", new byte[] {1})));

        List<Row> rows =
                Transform.apply(Records.sourceFrame(spark, List.of(record))).collectAsList();

        assertEquals(1, rows.size());
        Row row = rows.get(0);
        assertArrayEquals("k".getBytes(), (byte[]) row.getAs("key"));
        assertArrayEquals(new byte[] {(byte) 0xff, 0, 'v'}, (byte[]) row.getAs("value"));
        List<Row> headers = row.getList(row.fieldIndex("headers"));
        assertEquals(1, headers.size());
        assertEquals("h", headers.get(0).getString(0));
        assertArrayEquals(new byte[] {1}, (byte[]) headers.get(0).get(1));
    }

    @Test
    void appliesToAStreamingDatasetWithoutActionsOnTheDriver() {
        // Built from Spark's "rate" test source with the Kafka source's columns. Calling
        // collect(), count() or show() on it would throw: streams only run through writeStream.
        Dataset<Row> stream = spark.readStream().format("rate").load().selectExpr(
                "cast(cast(value as string) as binary) as key", "cast('v' as binary) as value",
                "'input' as topic", "0 as partition", "value as offset", "timestamp",
                "0 as timestampType",
                "cast(null as array<struct<key:string,value:binary>>) as headers");

        Dataset<Row> output = Transform.apply(stream);

        assertTrue(output.isStreaming());
        assertEquals(List.of("key", "value", "headers"), List.of(output.columns()));
    }

    @Test
    void theWindowedExampleCountsRecordsPerKeyAndMinuteOfEventTime() {
        List<Row> records = new ArrayList<>();
        Object[][] events = { {"a", 0, 1}, {"a", 0, 59}, {"b", 0, 30}, {"a", 1, 0}, {null, 1, 5} };
        for (Object[] event : events) {
            long millis = 1704067200000L + ((int) event[1] * 60 + (int) event[2]) * 1000L;
            byte[] key = event[0] == null ? null : ((String) event[0]).getBytes();
            records.add(RowFactory.create(key, "v".getBytes(), "input", 0, 0L,
                    new Timestamp(millis), 0, null));
        }
        Dataset<Row> source = spark.createDataFrame(records, Records.KAFKA_SOURCE_SCHEMA);

        List<String> output = Transform.countPerKeyPerMinute(source).collectAsList().stream()
                .map(row -> (row.isNullAt(0) ? "" : new String((byte[]) row.get(0))) + " "
                        + row.getString(1))
                .sorted().collect(Collectors.toList());

        assertEquals(List.of(
                " {\"start\":\"2024-01-01T00:01:00.000Z\",\"end\":\"2024-01-01T00:02:00.000Z\","
                        + "\"count\":1}",
                "a {\"key\":\"a\",\"start\":\"2024-01-01T00:00:00.000Z\","
                        + "\"end\":\"2024-01-01T00:01:00.000Z\",\"count\":2}",
                "a {\"key\":\"a\",\"start\":\"2024-01-01T00:01:00.000Z\","
                        + "\"end\":\"2024-01-01T00:02:00.000Z\",\"count\":1}",
                "b {\"key\":\"b\",\"start\":\"2024-01-01T00:00:00.000Z\","
                        + "\"end\":\"2024-01-01T00:01:00.000Z\",\"count\":1}"), output);
    }
}
