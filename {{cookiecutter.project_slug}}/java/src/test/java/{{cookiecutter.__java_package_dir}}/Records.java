package {{ cookiecutter.java_package }};

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** Kafka records as vector JSON (base64) &lt;-&gt; Spark rows with the Kafka source schema. */
final class Records {

    static final StructType HEADER = new StructType()
            .add("key", DataTypes.StringType)
            .add("value", DataTypes.BinaryType);

    static final StructType KAFKA_SOURCE_SCHEMA = new StructType()
            .add("key", DataTypes.BinaryType)
            .add("value", DataTypes.BinaryType)
            .add("topic", DataTypes.StringType)
            .add("partition", DataTypes.IntegerType)
            .add("offset", DataTypes.LongType)
            .add("timestamp", DataTypes.TimestampType)
            .add("timestampType", DataTypes.IntegerType)
            .add("headers", DataTypes.createArrayType(HEADER));

    private Records() {
    }

    /** The default transform's cases of contract/vectors.json (-Dcontract.vectors: its path). */
    static List<JsonNode> loadVectors() throws IOException {
        return loadVectors(null);
    }

    /** The cases of one section of contract/vectors.json (validate_json), or null: "cases". */
    static List<JsonNode> loadVectors(String section) throws IOException {
        JsonNode vectors = loadContract();
        List<JsonNode> cases = new ArrayList<>();
        (section == null ? vectors : vectors.get(section)).get("cases").forEach(cases::add);
        return cases;
    }

    /** A section's field of contract/vectors.json as string pairs (kafka_client_defaults...). */
    static Map<String, String> loadStrings(String section, String field) throws IOException {
        Map<String, String> pairs = new TreeMap<>();
        loadContract().get(section).get(field).fields()
                .forEachRemaining(entry -> pairs.put(entry.getKey(), entry.getValue().asText()));
        return pairs;
    }

    private static JsonNode loadContract() throws IOException {
        String path = System.getProperty("contract.vectors", "../contract/vectors.json");
        return new ObjectMapper().readTree(new File(path));
    }

    /** A vector record (base64 strings) as a (key, value, headers) row of bytes. */
    static Row decode(JsonNode record) {
        JsonNode headers = record.get("headers");
        List<Row> decodedHeaders = null;
        if (!headers.isNull()) {
            decodedHeaders = new ArrayList<>();
            for (JsonNode header : headers) {
                decodedHeaders.add(
                        RowFactory.create(header.get("key").asText(), raw(header.get("value"))));
            }
        }
        return RowFactory.create(raw(record.get("key")), raw(record.get("value")), decodedHeaders);
    }

    private static byte[] raw(JsonNode text) {
        return text.isNull() ? null : Base64.getDecoder().decode(text.asText());
    }

    /**
     * A static DataFrame shaped like Spark's Kafka source, one row per (key, value, headers):
     * topic 'input', partition 0, offset = its index, timestamp 2024-01-01T00:00:00Z.
     */
    static Dataset<Row> sourceFrame(SparkSession spark, List<Row> records) {
        Timestamp timestamp = new Timestamp(1704067200000L);
        List<Row> rows = IntStream.range(0, records.size())
                .mapToObj(offset -> {
                    Row record = records.get(offset);
                    return RowFactory.create(record.get(0), record.get(1), "input", 0,
                            (long) offset, timestamp, 0, record.get(2));
                })
                .collect(Collectors.toList());
        return spark.createDataFrame(rows, KAFKA_SOURCE_SCHEMA);
    }

    /** Vector inputs that say where they were read (topic, partition, offset, timestamp in
     * epoch milliseconds) as a static DataFrame shaped like Spark's Kafka source. */
    static Dataset<Row> sourceFrameAsRead(SparkSession spark, List<JsonNode> inputs) {
        List<Row> rows = inputs.stream().map(input -> {
            Row record = decode(input);
            return RowFactory.create(record.get(0), record.get(1), input.get("topic").asText(),
                    input.get("partition").asInt(), input.get("offset").asLong(),
                    new Timestamp(input.get("timestamp").asLong()), 0, record.get(2));
        }).collect(Collectors.toList());
        return spark.createDataFrame(rows, KAFKA_SOURCE_SCHEMA);
    }

    /** A routed row (topic, key, value, headers) as comparable text. */
    static String showRouted(Row row) {
        return "topic=" + row.getAs("topic") + " " + show(row);
    }

    /** An expected vector record with its topic as the same comparable text. */
    static String showRoutedDecoded(JsonNode expected) {
        return "topic=" + expected.get("topic").asText() + " " + showDecoded(decode(expected));
    }

    /** A transform output row as comparable text: bytes in base64, null as null. */
    static String show(Row row) {
        int headers = row.fieldIndex("headers");
        return text(row.get(row.fieldIndex("key")), row.get(row.fieldIndex("value")),
                row.isNullAt(headers) ? null : row.<Row>getList(headers));
    }

    /** A decoded (key, value, headers) record as the same comparable text. */
    static String showDecoded(Row record) {
        @SuppressWarnings("unchecked")
        List<Row> headers = (List<Row>) record.get(2);
        return text(record.get(0), record.get(1), headers);
    }

    private static String text(Object key, Object value, List<Row> headers) {
        String headerText = headers == null ? "null" : headers.stream()
                .map(h -> h.getString(0) + "=" + base64(h.get(1)))
                .collect(Collectors.joining(", ", "[", "]"));
        return "key=" + base64(key) + " value=" + base64(value) + " headers=" + headerText;
    }

    private static String base64(Object bytes) {
        return bytes == null ? "null" : Base64.getEncoder().encodeToString((byte[]) bytes);
    }
}
