package {{ cookiecutter.java_package }};

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Kafka records as contract/vectors.json writes them &lt;-&gt; Spark rows with the Kafka source
 * schema. A key, value or header value there is UTF-8 text, {"base64": ...} for bytes that are
 * not UTF-8, or null; the Python tests (python/tests/records.py) read the same encoding.
 */
public final class Records {

    public static final StructType HEADER = new StructType()
            .add("key", DataTypes.StringType)
            .add("value", DataTypes.BinaryType);

    public static final StructType KAFKA_SOURCE_SCHEMA = new StructType()
            .add("key", DataTypes.BinaryType)
            .add("value", DataTypes.BinaryType)
            .add("topic", DataTypes.StringType)
            .add("partition", DataTypes.IntegerType)
            .add("offset", DataTypes.LongType)
            .add("timestamp", DataTypes.TimestampType)
            .add("timestampType", DataTypes.IntegerType)
            .add("headers", DataTypes.createArrayType(HEADER));

    /** Where a record was read unless it says: 2024-01-01T00:00:00Z, as in the Python tests. */
    static final long DEFAULT_TIMESTAMP = 1704067200000L;
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private Records() {
    }

    /**
     * A static DataFrame shaped like Spark's Kafka source, one row per (key, value, headers) row:
     * topic 'input', partition 0, offset = its index, timestamp 2024-01-01T00:00:00Z.
     */
    public static Dataset<Row> sourceFrame(SparkSession spark, List<Row> records) {
        List<Row> rows = new ArrayList<>();
        for (int offset = 0; offset < records.size(); offset++) {
            Row record = records.get(offset);
            rows.add(RowFactory.create(record.get(0), record.get(1), "input", 0, (long) offset,
                    new Timestamp(DEFAULT_TIMESTAMP), 0, record.get(2)));
        }
        return spark.createDataFrame(rows, KAFKA_SOURCE_SCHEMA);
    }

    /**
     * The same for vector records: where one does not say where it was read (topic, partition,
     * offset, timestamp in epoch milliseconds), the defaults above.
     */
    public static Dataset<Row> fromVectors(SparkSession spark, List<JsonNode> records) {
        List<Row> rows = new ArrayList<>();
        for (int index = 0; index < records.size(); index++) {
            JsonNode record = records.get(index);
            List<Row> headers = null;
            if (!record.get("headers").isNull()) {
                headers = new ArrayList<>();
                for (JsonNode header : record.get("headers")) {
                    headers.add(RowFactory.create(header.get("key").asText(),
                            toBytes(header.get("value"))));
                }
            }
            rows.add(RowFactory.create(toBytes(record.get("key")), toBytes(record.get("value")),
                    record.path("topic").asText("input"), record.path("partition").asInt(0),
                    record.path("offset").asLong(index),
                    new Timestamp(record.path("timestamp").asLong(DEFAULT_TIMESTAMP)), 0,
                    headers));
        }
        return spark.createDataFrame(rows, KAFKA_SOURCE_SCHEMA);
    }

    /**
     * An output row (key, value, headers, and the topic once routed) the way the vectors write
     * records, keys sorted: {"headers": ..., "key": ..., "topic": ..., "value": ...}.
     */
    public static ObjectNode encode(Row row) {
        List<String> columns = Arrays.asList(row.schema().fieldNames());
        ObjectNode record = JSON.objectNode();
        Object headers = columns.contains("headers") ? row.getAs("headers") : null;
        if (headers == null) {
            record.putNull("headers");
        } else {
            ArrayNode encoded = record.putArray("headers");
            for (Row header : row.<Row>getList(row.fieldIndex("headers"))) {
                encoded.addObject().put("key", header.getString(0))
                        .set("value", text(header.get(1)));
            }
        }
        record.set("key", columns.contains("key") ? text(row.getAs("key")) : JSON.nullNode());
        if (columns.contains("topic")) {
            record.put("topic", row.<String>getAs("topic"));
        }
        record.set("value", text(row.getAs("value")));
        return record;
    }

    /** Vector text or {"base64": ...} as bytes; JSON null as null. */
    static byte[] toBytes(JsonNode encoded) {
        if (encoded.isNull()) {
            return null;
        }
        return encoded.isObject() ? Base64.getDecoder().decode(encoded.get("base64").asText())
                : encoded.asText().getBytes(StandardCharsets.UTF_8);
    }

    /** Bytes (or a string column) as vector text when they are UTF-8, else {"base64": ...}. */
    static JsonNode text(Object value) {
        if (value == null) {
            return JSON.nullNode();
        }
        if (value instanceof String string) {
            return JSON.textNode(string);
        }
        byte[] bytes = (byte[]) value;
        try {
            return JSON.textNode(StandardCharsets.UTF_8.newDecoder()
                    .decode(ByteBuffer.wrap(bytes)).toString());
        } catch (CharacterCodingException notUtf8) {
            return JSON.objectNode().put("base64", Base64.getEncoder().encodeToString(bytes));
        }
    }
}
