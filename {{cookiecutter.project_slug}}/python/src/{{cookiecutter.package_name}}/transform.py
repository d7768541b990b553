"""The transform: the one function to edit. Everything else is plumbing."""

from pyspark.sql import DataFrame
from pyspark.sql import functions as F


def transform(records: DataFrame) -> DataFrame:
    """Turn input Kafka records into output Kafka records.

    `records` has the Kafka source columns: key and value (binary, either may be null),
    headers (array of struct<key: string, value: binary>, null when a record has none),
    topic, partition, offset, timestamp and timestampType.

    Return the columns the Kafka sink writes: value (binary or string; required), and
    optionally key and headers. Other columns are not written. The topic comes from the
    settings: KAFKA_OUT_TOPIC, or KAFKA_DLQ_TOPIC for a row with an error (below).

    A row that cannot be processed gets a string column `error` (null means good). That row
    goes to the dead-letter topic with the key, value and headers it has here: return them as
    they came in. Keep the source columns topic, partition, offset and timestamp next to it
    (records.withColumn keeps them), so the dead-letter record says where it came from; a
    select that drops them works too, and its dead-letter records lack those headers.

    You may filter, reshape, enrich and aggregate rows with DataFrame operations and the
    built-ins in pyspark.sql.functions: they run on the executors, on the JVM. Give state a
    watermark, and pick OUTPUT_MODE to match. Avoid collect(), toPandas() and Python UDFs on
    this path: they pull data to the driver or through Python workers, and cost throughput.

    The default passes every record through unchanged: same key, value and headers bytes.
    contract/vectors.json holds the expected outputs that every variant's tests check.
    """
    return records.select("key", "value", "headers")
    # To try an example below, make its line the return line above:
    #   return validate_json(records)              # bad records go to the dead-letter topic
    #   return count_per_key_per_minute(records)   # stateful: a windowed count by key


def validate_json(records: DataFrame) -> DataFrame:
    """Example: records whose value is a JSON object with a whole-number `id` (required) pass
    through unchanged; any other record gets an `error` and goes to the dead-letter topic.

    Built-ins only, safe under ANSI SQL (Spark 4's default), where a bad cast() fails the
    whole query: from_json in PERMISSIVE mode never fails, and try_cast returns null.
    Every field is parsed as text and typed with try_cast, so a wrong type cannot hide in a
    field that Spark prunes from the parse (SPARK-58707).
    """
    fields = F.from_json(F.col("value").cast("string"),
                         "id STRING, name STRING, _corrupt_record STRING", {"mode": "PERMISSIVE"})
    parsed = records.withColumn("json", fields)
    error = (
        F.when(F.col("value").isNull(), "value is null")
        .when(F.col("json").isNull() | F.col("json._corrupt_record").isNotNull(),
              "value is not a JSON object")
        .when(F.col("json.id").isNull(), "id is missing")
        .when(F.expr("try_cast(json.id AS BIGINT)").isNull(), "id is not a whole number")
    )
    return parsed.withColumn("error", error).drop("json")


def count_per_key_per_minute(records: DataFrame) -> DataFrame:
    """Example (stateful): how many records each key had per minute of event time, written
    once per minute and key when the watermark closes that minute (OUTPUT_MODE=append), e.g.
    {"key":"k1","start":"2024-01-01T00:00:00.000Z","end":"2024-01-01T00:01:00.000Z","count":3}.

    Event time here is the Kafka record timestamp; records more than a minute behind the
    newest one seen are too late and not counted. The counts live in the state store
    (conf/spark-defaults.conf) and in the checkpoint, so a restart carries on from them.
    """
    counts = (records.withWatermark("timestamp", "1 minute")
              .groupBy(F.window("timestamp", "1 minute"), "key")
              .count())
    summary = F.struct(F.col("key").cast("string").alias("key"),
                       F.col("window.start").alias("start"), F.col("window.end").alias("end"),
                       "count")
    return counts.select("key", F.to_json(summary, {"timeZone": "UTC"}).alias("value"))
