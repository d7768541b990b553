package {{ cookiecutter.java_package }};

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.from_json;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.to_json;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.window;

import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/** The transform: the one class to edit. Everything else is plumbing. */
public final class Transform {

    private Transform() {
    }

    /**
     * Turns input Kafka records into output Kafka records.
     *
     * <p>{@code records} has the Kafka source columns: {@code key} and {@code value} (binary,
     * either may be null), {@code headers} (array of struct&lt;key: string, value: binary&gt;,
     * null when a record has none), {@code topic}, {@code partition}, {@code offset},
     * {@code timestamp} and {@code timestampType}.
     *
     * <p>Return the columns the Kafka sink writes: {@code value} (binary or string; required), and
     * optionally {@code key} and {@code headers}. Other columns are not written. The topic comes
     * from the settings: KAFKA_OUT_TOPIC, or KAFKA_DLQ_TOPIC for a row with an error (below).
     *
     * <p>A row that cannot be processed gets a string column {@code error} (null means good). That
     * row goes to the dead-letter topic with the key, value and headers it has here: return them
     * as they came in. Keep the source columns topic, partition, offset and timestamp next to it
     * ({@code records.withColumn} keeps them), so the dead-letter record says where it came from;
     * a select that drops them works too, and its dead-letter records lack those headers.
     *
     * <p>You may filter, reshape, enrich and aggregate rows with Dataset operations and the
     * built-ins in {@code org.apache.spark.sql.functions}: they run on the executors. Give state a
     * watermark, and pick OUTPUT_MODE to match. Never {@code collect()}, {@code take()} or
     * {@code toLocalIterator()} here: they pull records to the driver (and are not allowed on a
     * streaming Dataset anyway).
     *
     * <p>The default passes every record through unchanged: same key, value and headers bytes.
     * {@code contract/vectors.json} holds the expected outputs that every variant's tests check.
     */
    public static Dataset<Row> apply(Dataset<Row> records) {
        return records.select("key", "value", "headers");
        // To try an example below, make its line the return line above:
        //   return validateJson(records);           // bad records go to the dead-letter topic
        //   return countPerKeyPerMinute(records);   // stateful: a windowed count by key
    }

    /**
     * Example: records whose value is a JSON object with a whole-number {@code id} (required)
     * pass through unchanged; any other record gets an {@code error} and goes to the dead-letter
     * topic.
     *
     * <p>Built-ins only, safe under ANSI SQL (Spark 4's default), where a bad cast() fails the
     * whole query: from_json in PERMISSIVE mode never fails, and try_cast returns null. Every
     * field is parsed as text and typed with try_cast, so a wrong type cannot hide in a field
     * that Spark prunes from the parse (SPARK-58707).
     */
    public static Dataset<Row> validateJson(Dataset<Row> records) {
        Column fields = from_json(col("value").cast("string"),
                "id STRING, name STRING, _corrupt_record STRING", Map.of("mode", "PERMISSIVE"));
        Column error = when(col("value").isNull(), "value is null")
                .when(col("json").isNull().or(col("json._corrupt_record").isNotNull()),
                        "value is not a JSON object")
                .when(col("json.id").isNull(), "id is missing")
                .when(expr("try_cast(json.id AS BIGINT)").isNull(), "id is not a whole number");
        return records.withColumn("json", fields).withColumn("error", error).drop("json");
    }

    /**
     * Example (stateful): how many records each key had per minute of event time, written once
     * per minute and key when the watermark closes that minute (OUTPUT_MODE=append), e.g.
     * {@code {"key":"k1","start":"2024-01-01T00:00:00.000Z","end":"2024-01-01T00:01:00.000Z",
     * "count":3}}.
     *
     * <p>Event time here is the Kafka record timestamp; records more than a minute behind the
     * newest one seen are too late and not counted. The counts live in the state store
     * (conf/spark-defaults.conf) and in the checkpoint, so a restart carries on from them.
     */
    public static Dataset<Row> countPerKeyPerMinute(Dataset<Row> records) {
        Dataset<Row> counts = records.withWatermark("timestamp", "1 minute")
                .groupBy(window(col("timestamp"), "1 minute"), col("key"))
                .count();
        Column summary = struct(col("key").cast("string").alias("key"),
                col("window.start").alias("start"), col("window.end").alias("end"),
                col("count"));
        return counts.select(col("key"), to_json(summary, Map.of("timeZone", "UTC")).alias("value"));
    }
}
