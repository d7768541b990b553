package {{ cookiecutter.java_package }}

import org.apache.spark.sql.DataFrame
import org.apache.spark.sql.functions.{col, lit, when}

import Records.Record

/** Routing the transform's rows to the output or dead-letter topic, on static DataFrames. */
class RoutingSuite extends SparkSuite {

  private lazy val spark = LocalSpark.spark

  private def bytes(text: String): Option[Seq[Byte]] = Some(text.getBytes("UTF-8").toSeq)

  private val good = Record(bytes("k1"), bytes("good"), Some(Seq("h" -> bytes("1"))))
  private val bad = Record(bytes("k2"), bytes("bad"), None)

  private def records: DataFrame = Records.sourceFrame(spark, Seq(good, bad))

  private def flagBad(records: DataFrame): DataFrame =
    records.withColumn("error", when(col("value") === lit("bad".getBytes("UTF-8")), "too bad"))

  private def routed(rows: DataFrame, dlqTopic: Option[String]): Seq[Record] =
    Records.fromRows(Routing.kafkaRecords(rows, "out", dlqTopic).collect().toSeq)

  test("without an error column every row goes to the output topic unchanged") {
    assertEquals(routed(records.select("key", "value", "headers"), Some("dlq")),
      Seq(good.copy(topic = Some("out")), bad.copy(topic = Some("out"))))
  }

  test("a row with an error goes to the dead-letter topic with context headers") {
    val Seq(first, second) = routed(flagBad(records), Some("dlq"))

    assertEquals(first, good.copy(topic = Some("out")))
    assertEquals(second, bad.copy(topic = Some("dlq"), headers = Some(Seq(
      "dead-letter.error" -> bytes("too bad"), "dead-letter.source.topic" -> bytes("input"),
      "dead-letter.source.partition" -> bytes("0"), "dead-letter.source.offset" -> bytes("1"),
      "dead-letter.source.timestamp" -> bytes("1704067200000")))))
    assertEquals(second.headers.get.map(_._1), Routing.DeadLetterHeaders)
  }

  test("the sink gets only the columns it writes") {
    val rows = flagBad(records).drop("headers")

    assertEquals(Routing.kafkaRecords(rows, "out", Some("dlq")).columns.toSeq,
      Seq("topic", "key", "value", "headers"))
    assertEquals(Routing.kafkaRecords(rows.drop("error"), "out", None).columns.toSeq,
      Seq("topic", "key", "value"))
  }

  test("without a dead-letter topic a row with an error fails naming the record") {
    val raised = intercept[Exception](routed(flagBad(records), None))

    val expected = "record at topic input, partition 0, offset 1 has an error and no " +
      "dead-letter topic is set (KAFKA_DLQ_TOPIC): too bad"
    assertEquals(Routing.recordWithoutDeadLetterTopic(raised.getMessage), Some(expected))
    assertEquals(App.failureReason(raised), expected)
  }

  for ((columns, returned) <- Seq(
      Seq("key") -> "key binary",
      Seq("key", "CAST(partition AS INT) AS value") -> "key binary, value int",
      Seq("value", "CAST(NULL AS STRING) AS error") -> "value binary, error string",
      Seq("value", "CAST(1 AS STRING) AS headers") -> "value binary, headers string")) {
    test(s"columns the sink cannot write fail with one line naming them: $returned") {
      val error = intercept[TransformResultError](
        Routing.checkColumns(records.selectExpr(columns: _*).schema))

      assert(error.getMessage.startsWith(s"the transform returned columns ($returned); the " +
        "Kafka sink needs value (string or binary) and optionally key"), error.getMessage)
      assert(!error.getMessage.contains("\n"))
    }
  }

  for (columns <- Seq(Seq("value"), Seq("CAST(value AS STRING) AS value", "CAST(key AS STRING) AS key"),
      Seq("key", "value", "headers", "topic", "partition", "offset", "timestamp",
        "CAST(NULL AS STRING) AS error"))) {
    test(s"columns the sink can write pass: ${columns.mkString(", ")}") {
      Routing.checkColumns(records.selectExpr(columns: _*).schema)
    }
  }
}
