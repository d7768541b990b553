package {{ cookiecutter.java_package }}

import org.apache.spark.sql.DataFrame

/** The transform: the one object to edit. Everything else is plumbing. */
object Transform {

  /** Turns input Kafka records into output Kafka records.
    *
    * `records` has the Kafka source columns: `key` and `value` (binary, either may be null),
    * `headers` (array of struct<key: string, value: binary>, null when a record has none),
    * `topic`, `partition`, `offset`, `timestamp` and `timestampType`.
    *
    * Return the columns the Kafka sink writes: `value` (binary or string; required), and
    * optionally `key` and `headers`. The output topic comes from the settings.
    *
    * You may filter, reshape and enrich rows with DataFrame operations and the built-ins in
    * `org.apache.spark.sql.functions`: they run on the executors. Keep it stateless or add
    * watermarks for state. Never `collect()`, `take()` or `toLocalIterator()` here: they pull
    * records to the driver (and are not allowed on a streaming DataFrame anyway).
    *
    * The default passes every record through unchanged: same key, value and headers bytes.
    * `contract/vectors.json` holds the expected outputs that every variant's tests check.
    */
  def apply(records: DataFrame): DataFrame = records.select("key", "value", "headers")
}
