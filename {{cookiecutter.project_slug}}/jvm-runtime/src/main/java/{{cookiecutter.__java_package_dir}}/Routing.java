package {{ cookiecutter.java_package }};

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.raise_error;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.BinaryType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructType;

/**
 * What the Kafka sink writes: every row of the transform goes to the output topic, or, when it
 * has an {@code error}, to the dead-letter topic with the key, value and headers it has, plus
 * headers that say what was wrong and where the record came from.
 *
 * <p>One query, one checkpoint, one sink: the sink's per-row {@code topic} column picks the topic
 * (the {@code topic} option is not set, as it would override the column), so records stay on the
 * executors and both topics are written at least once, like any Kafka sink output.
 */
public final class Routing {

    /**
     * Appended to a dead-letter record's own headers, after Kafka Connect's __connect.errors.*:
     * the error, then where the record came from. Values are UTF-8 text; the timestamp is the
     * source record's, in epoch milliseconds. README: Dead-letter topic.
     */
    public static final List<String> DEAD_LETTER_HEADERS = List.of("dead-letter.error",
            "dead-letter.source.topic", "dead-letter.source.partition",
            "dead-letter.source.offset", "dead-letter.source.timestamp");
    /** The per-batch count of dead-letter rows, observed on the way to the sink. */
    public static final String DEAD_LETTER_METRIC = "dead_letter";
    /**
     * What a dead-letter record's context headers are made of: each source column the transform
     * kept gives its header (a transform that dropped one still routes, without that header).
     */
    static final List<String> SOURCE_COLUMNS = List.of("topic", "partition", "offset", "timestamp");
    static final String SINK_COLUMNS = "value (string or binary) and optionally key (string or "
            + "binary), headers (array<struct<key:string,value:binary>>) and error (string)";
    static final String NO_DEAD_LETTER_TOPIC =
            " has an error and no dead-letter topic is set (KAFKA_DLQ_TOPIC): ";
    /** Stands for a source column the transform dropped, in that message. */
    static final String MISSING = "?";
    /** How Spark's failure wraps it: 3.5 puts the task failure before it, 4.x SQLSTATEs after. */
    private static final Pattern RAISED_FOR_A_RECORD = Pattern.compile(
            "record at topic \\S+, partition \\S+, offset \\S+"
                    + Pattern.quote(NO_DEAD_LETTER_TOPIC) + ".*?(?= SQLSTATE: |$)",
            Pattern.MULTILINE);
    static final DataType HEADERS_TYPE = DataTypes.createArrayType(new StructType()
            .add("key", DataTypes.StringType).add("value", DataTypes.BinaryType));

    private Routing() {
    }

    /** The transform returned columns the sink cannot write; the message is one line. */
    public static final class TransformResultError extends RuntimeException {
        private static final long serialVersionUID = 1L;

        TransformResultError(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * The sink's columns (topic, key, value, headers) for the rows Transform returned. Without a
     * dead-letter topic (dlqTopic null), a row with an error fails the query with a message
     * naming the record, rather than being dropped.
     *
     * @throws TransformResultError when the sink cannot write these columns
     */
    public static Dataset<Row> kafkaRecords(Dataset<Row> rows, String outTopic, String dlqTopic) {
        checkColumns(rows.schema());
        List<String> names = Arrays.asList(rows.columns());
        List<Column> written = new ArrayList<>();
        for (String name : List.of("key", "value")) {
            if (names.contains(name)) {
                written.add(col(name));
            }
        }
        if (!names.contains("error")) {
            written.add(0, lit(outTopic).alias("topic"));
            if (names.contains("headers")) {
                written.add(col("headers"));
            }
            return rows.select(written.toArray(new Column[0]));
        }
        Column failed = col("error").isNotNull();
        Column deadLetter =
                dlqTopic != null ? lit(dlqTopic) : raise_error(noDeadLetterTopic(names));
        Column ownHeaders = names.contains("headers") ? col("headers") : lit(null).cast(HEADERS_TYPE);
        Column headers =
                concat(coalesce(ownHeaders, array().cast(HEADERS_TYPE)), contextHeaders(names));
        written.add(0, when(failed, deadLetter).otherwise(lit(outTopic)).alias("topic"));
        written.add(when(failed, headers).otherwise(ownHeaders).alias("headers"));
        return rows.observe(DEAD_LETTER_METRIC, count(when(failed, true)).alias("rows"))
                .select(written.toArray(new Column[0]));
    }

    /**
     * The error header, then one for each source column the transform kept (in {@code columns}):
     * a header that cannot be filled is left out rather than sent empty.
     */
    static Column contextHeaders(List<String> columns) {
        List<Column> headers = new ArrayList<>(List.of(header(DEAD_LETTER_HEADERS.get(0),
                col("error"))));
        for (int i = 0; i < SOURCE_COLUMNS.size(); i++) {
            String source = SOURCE_COLUMNS.get(i);
            if (columns.contains(source)) {
                Column value = source.equals("timestamp") ? expr("unix_millis(timestamp)")
                        : col(source);
                headers.add(header(DEAD_LETTER_HEADERS.get(i + 1), value));
            }
        }
        return array(headers.toArray(new Column[0]));
    }

    private static Column header(String key, Column value) {
        return struct(lit(key).alias("key"), value.cast("string").cast("binary").alias("value"));
    }

    /**
     * The message a row with an error fails the query with when no dead-letter topic is set; a
     * source column the transform dropped shows as {@value #MISSING}.
     */
    static Column noDeadLetterTopic(List<String> columns) {
        Column[] where = SOURCE_COLUMNS.subList(0, 3).stream()
                .map(name -> columns.contains(name) ? col(name).cast("string") : lit(MISSING))
                .toArray(Column[]::new);
        return concat(lit("record at topic "), where[0], lit(", partition "), where[1],
                lit(", offset "), where[2], lit(NO_DEAD_LETTER_TOPIC), col("error"));
    }

    /**
     * The one line the app prints at start when the transform's result has an error column but
     * lacks source columns: which dead-letter headers will be missing, and how to keep them.
     */
    static Optional<String> missingContextWarning(StructType schema) {
        List<String> names = Arrays.asList(schema.fieldNames());
        List<String> missing = SOURCE_COLUMNS.stream().filter(name -> !names.contains(name))
                .collect(Collectors.toList());
        if (!names.contains("error") || missing.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of("WARNING: the transform's result has an error column but not "
                + String.join(", ", missing) + ": dead-letter records will lack "
                + missing.stream().map(name -> "dead-letter.source." + name)
                        .collect(Collectors.joining(", "))
                + " headers; keep the source columns with records.withColumn(...) rather than "
                + "records.select(...)");
    }

    /** noDeadLetterTopic()'s message (one line) in the text of a failure, if it is there. */
    static Optional<String> recordWithoutDeadLetterTopic(String failure) {
        Matcher found = RAISED_FOR_A_RECORD.matcher(failure);
        return found.find() ? Optional.of(found.group()) : Optional.empty();
    }

    /** Throws TransformResultError unless the sink can write these columns. */
    static void checkColumns(StructType schema) {
        List<String> names = Arrays.asList(schema.fieldNames());
        boolean fine = isTextOrBytes(schema, "value")
                && (!names.contains("key") || isTextOrBytes(schema, "key"))
                && (!names.contains("headers") || isHeadersType(schema.apply("headers").dataType()))
                && (!names.contains("error")
                        || schema.apply("error").dataType() instanceof StringType);
        if (!fine) {
            String returned = Arrays.stream(schema.fields())
                    .map(field -> field.name() + " " + field.dataType().simpleString())
                    .collect(Collectors.joining(", "));
            throw new TransformResultError("the transform returned columns (" + returned
                    + "); the Kafka sink needs " + SINK_COLUMNS);
        }
    }

    private static boolean isTextOrBytes(StructType schema, String name) {
        if (!Set.of(schema.fieldNames()).contains(name)) {
            return false;
        }
        DataType type = schema.apply(name).dataType();
        return type instanceof StringType || type instanceof BinaryType;
    }

    private static boolean isHeadersType(DataType type) {
        if (!(type instanceof ArrayType array) || !(array.elementType() instanceof StructType element)) {
            return false;
        }
        return Arrays.equals(element.fieldNames(), new String[] {"key", "value"})
                && element.apply("key").dataType() instanceof StringType
                && element.apply("value").dataType() instanceof BinaryType;
    }
}
