package {{ cookiecutter.java_package }}

import org.apache.spark.sql.DataFrame
import org.apache.spark.sql.functions._

/** The transform: the one object to edit. Everything else is plumbing. */
object Transform {

  /** Turns input Kafka records into output Kafka records.
    *
    * `records` has the Kafka source columns: `key` and `value` (binary, either may be null),
    * `headers` (array of struct<key: string, value: binary>, null when a record has none),
    * `topic`, `partition`, `offset`, `timestamp` and `timestampType`.
    *
    * Return the columns the Kafka sink writes: `value` (binary or string; required), and
    * optionally `key` and `headers`. Other columns are not written. The topic comes from the
    * settings: KAFKA_OUT_TOPIC, or KAFKA_DLQ_TOPIC for a row with an error (below).
    *
    * A row that cannot be processed gets a string column `error` (null means good). That row
    * goes to the dead-letter topic with the key, value and headers it has here: return them as
    * they came in. Keep the source columns topic, partition, offset and timestamp next to it
    * (`records.withColumn` keeps them), so the dead-letter record says where it came from; a
    * select that drops them works too, and its dead-letter records lack those headers.
    *
    * You may filter, reshape, enrich and aggregate rows with DataFrame operations and the
    * built-ins in `org.apache.spark.sql.functions`: they run on the executors. Give state a
    * watermark, and pick OUTPUT_MODE to match. Never `collect()`, `take()` or
    * `toLocalIterator()` here: they pull records to the driver (and are not allowed on a
    * streaming DataFrame anyway).
    *
    * The default passes every record through unchanged: same key, value and headers bytes.
    * `contract/vectors.json` holds the expected outputs that every variant's tests check.
    */
  def apply(records: DataFrame): DataFrame =
    records.select("key", "value", "headers")
    // To try an example below, make its line the line above:
    //   validateJson(records)            // bad records go to the dead-letter topic
    //   countPerKeyPerMinute(records)    // stateful: a windowed count by key

  /** Example: records whose value is a JSON object with a whole-number `id` (required) pass
    * through unchanged; any other record gets an `error` and goes to the dead-letter topic.
    *
    * Built-ins only, safe under ANSI SQL (Spark 4's default), where a bad cast() fails the whole
    * query: from_json in PERMISSIVE mode never fails, and try_cast returns null. Every field is
    * parsed as text and typed with try_cast, so a wrong type cannot hide in a field that Spark
    * prunes from the parse (SPARK-58707).
    */
  def validateJson(records: DataFrame): DataFrame = {
    val fields = from_json(col("value").cast("string"),
      "id STRING, name STRING, _corrupt_record STRING", Map("mode" -> "PERMISSIVE"))
    val error = when(col("value").isNull, "value is null")
      .when(col("json").isNull || col("json._corrupt_record").isNotNull,
        "value is not a JSON object")
      .when(col("json.id").isNull, "id is missing")
      .when(expr("try_cast(json.id AS BIGINT)").isNull, "id is not a whole number")
    records.withColumn("json", fields).withColumn("error", error).drop("json")
  }

  /** Example (stateful): how many records each key had per minute of event time, written once
    * per minute and key when the watermark closes that minute (OUTPUT_MODE=append), e.g.
    * `{"key":"k1","start":"2024-01-01T00:00:00.000Z","end":"2024-01-01T00:01:00.000Z","count":3}`.
    *
    * Event time here is the Kafka record timestamp; records more than a minute behind the
    * newest one seen are too late and not counted. The counts live in the state store
    * (conf/spark-defaults.conf) and in the checkpoint, so a restart carries on from them.
    */
  def countPerKeyPerMinute(records: DataFrame): DataFrame = {
    val counts = records.withWatermark("timestamp", "1 minute")
      .groupBy(window(col("timestamp"), "1 minute"), col("key"))
      .count()
    val summary = struct(col("key").cast("string").alias("key"),
      col("window.start").alias("start"), col("window.end").alias("end"), col("count"))
    counts.select(col("key"), to_json(summary, Map("timeZone" -> "UTC")).alias("value"))
  }
}
