package {{ cookiecutter.java_package }}

import java.util.regex.Pattern

import org.apache.spark.sql.{Column, DataFrame}
import org.apache.spark.sql.functions._
import org.apache.spark.sql.types._

/** The transform returned columns the sink cannot write; getMessage is one line. */
final class TransformResultError(message: String)
    extends RuntimeException(message, null, false, false)

/** What the Kafka sink writes: every row of the transform goes to the output topic, or, when it
  * has an `error`, to the dead-letter topic with the key, value and headers it has, plus headers
  * that say what was wrong and where the record came from.
  *
  * One query, one checkpoint, one sink: the sink's per-row `topic` column picks the topic (the
  * `topic` option is not set, as it would override the column), so records stay on the
  * executors and both topics are written at least once, like any Kafka sink output.
  */
object Routing {

  /** Appended to a dead-letter record's own headers, after Kafka Connect's __connect.errors.*:
    * the error, then where the record came from. Values are UTF-8 text; the timestamp is the
    * source record's, in epoch milliseconds. README: Dead-letter topic.
    */
  val DeadLetterHeaders: Seq[String] = Seq("dead-letter.error", "dead-letter.source.topic",
    "dead-letter.source.partition", "dead-letter.source.offset", "dead-letter.source.timestamp")

  /** The per-batch count of dead-letter rows, observed on the way to the sink. */
  val DeadLetterMetric = "dead_letter"

  /** What a dead-letter record's context headers are made of. */
  val SourceColumns: Seq[String] = Seq("topic", "partition", "offset", "timestamp")

  val SinkColumns: String = "value (string or binary) and optionally key (string or binary), " +
    "headers (array<struct<key:string,value:binary>>) and error (string; then also the source " +
    "columns topic, partition, offset and timestamp)"

  val NoDeadLetterTopic = " has an error and no dead-letter topic is set (KAFKA_DLQ_TOPIC): "

  // How Spark's failure wraps it: 3.5 puts the task failure before it, 4.x SQLSTATE codes after.
  private val RaisedForARecord = ("(?m)record at topic \\S+, partition \\d+, offset \\d+" +
    Pattern.quote(NoDeadLetterTopic) + ".*?(?= SQLSTATE: |$)").r

  val HeadersType: DataType = ArrayType(new StructType().add("key", StringType)
    .add("value", BinaryType))

  /** The sink's columns (topic, key, value, headers) for the rows Transform returned. Without a
    * dead-letter topic (dlqTopic None), a row with an error fails the query with a message
    * naming the record, rather than being dropped.
    */
  def kafkaRecords(rows: DataFrame, outTopic: String, dlqTopic: Option[String]): DataFrame = {
    checkColumns(rows.schema)
    val written = Seq("key", "value").filter(rows.columns.contains).map(col)
    if (!rows.columns.contains("error")) {
      val headers = if (rows.columns.contains("headers")) Seq(col("headers")) else Nil
      return rows.select(lit(outTopic).alias("topic") +: (written ++ headers): _*)
    }
    val failed = col("error").isNotNull
    val deadLetter = dlqTopic.map(topic => lit(topic)).getOrElse(raise_error(noDeadLetterTopic))
    val ownHeaders =
      if (rows.columns.contains("headers")) col("headers") else lit(null).cast(HeadersType)
    val headers = concat(coalesce(ownHeaders, array().cast(HeadersType)), contextHeaders)
    rows.observe(DeadLetterMetric, count(when(failed, true)).alias("rows"))
      .select(when(failed, deadLetter).otherwise(lit(outTopic)).alias("topic") +: written :+
        when(failed, headers).otherwise(ownHeaders).alias("headers"): _*)
  }

  def contextHeaders: Column = {
    val values = Seq(col("error"), col("topic"), col("partition"), col("offset"),
      expr("unix_millis(timestamp)"))
    array(DeadLetterHeaders.zip(values).map { case (name, value) =>
      struct(lit(name).alias("key"), value.cast("string").cast("binary").alias("value"))
    }: _*)
  }

  /** The message a row with an error fails the query with when no dead-letter topic is set. */
  def noDeadLetterTopic: Column =
    concat(lit("record at topic "), col("topic"), lit(", partition "),
      col("partition").cast("string"), lit(", offset "), col("offset").cast("string"),
      lit(NoDeadLetterTopic), col("error"))

  /** noDeadLetterTopic's message (one line) in the text of a failure, if it is there. */
  def recordWithoutDeadLetterTopic(failure: String): Option[String] =
    RaisedForARecord.findFirstIn(failure)

  /** Throws TransformResultError unless the sink can write these columns. */
  def checkColumns(schema: StructType): Unit = {
    val types = schema.fields.map(field => field.name -> field.dataType).toMap
    def textOrBytes(name: String): Boolean = types.get(name).exists {
      case _: StringType | BinaryType => true
      case _ => false
    }
    val fine = textOrBytes("value") &&
      (!types.contains("key") || textOrBytes("key")) &&
      (!types.contains("headers") || isHeadersType(types("headers"))) &&
      (!types.contains("error") ||
        types("error").isInstanceOf[StringType] && SourceColumns.forall(types.contains))
    if (!fine) {
      val returned = schema.fields.map(f => s"${f.name} ${f.dataType.simpleString}").mkString(", ")
      throw new TransformResultError(
        s"the transform returned columns ($returned); the Kafka sink needs $SinkColumns")
    }
  }

  private def isHeadersType(kind: DataType): Boolean = kind match {
    case ArrayType(element: StructType, _) =>
      element.fieldNames.toSeq == Seq("key", "value") &&
        element("key").dataType.isInstanceOf[StringType] &&
        element("value").dataType == BinaryType
    case _ => false
  }
}
