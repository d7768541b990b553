package {{ cookiecutter.java_package }};

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
     * optionally {@code key} and {@code headers}. The output topic comes from the settings.
     *
     * <p>You may filter, reshape and enrich rows with Dataset operations and the built-ins in
     * {@code org.apache.spark.sql.functions}: they run on the executors. Keep it stateless or add
     * watermarks for state. Never {@code collect()}, {@code take()} or {@code toLocalIterator()}
     * here: they pull records to the driver (and are not allowed on a streaming Dataset anyway).
     *
     * <p>The default passes every record through unchanged: same key, value and headers bytes.
     * {@code contract/vectors.json} holds the expected outputs that every variant's tests check.
     */
    public static Dataset<Row> apply(Dataset<Row> records) {
        return records.select("key", "value", "headers");
    }
}
