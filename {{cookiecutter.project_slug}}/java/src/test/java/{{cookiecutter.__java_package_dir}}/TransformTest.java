package {{ cookiecutter.java_package }};

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
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
}
