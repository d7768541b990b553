package {{ cookiecutter.java_package }}

import java.sql.Timestamp
import java.util.Collections.{emptyList, singletonList}

import org.apache.spark.sql.Row
import org.apache.spark.sql.types.{BinaryType, DataType}

/** The transform on a local SparkSession with static DataFrames: no Kafka involved. */
class TransformSuite extends SparkSuite {

  test("output has only the columns the Kafka sink writes") {
    val output = Transform(Records.sourceFrame(spark, emptyList[Row]()))

    assertEquals(output.columns.toSeq, Seq("key", "value", "headers"))
    assertEquals(output.schema("value").dataType, BinaryType: DataType)
  }

  test("keeps key, value and headers bytes") {
    val record = Row("k".getBytes, Array[Byte](-1, 0, 'v'), Seq(Row("h", Array[Byte](-2, 1))))

    val rows = Transform(Records.sourceFrame(spark, singletonList(record))).collect().toSeq

    // The way contract/vectors.json writes records: UTF-8 text, else base64.
    assertEquals(rows.map(row => Records.encode(row).toString), Seq(
      """{"headers":[{"key":"h","value":{"base64":"/gE="}}],"key":"k",""" +
        """"value":{"base64":"/wB2"}}"""))
  }

  test("applies to a streaming DataFrame without actions on the driver") {
    // Built from Spark's "rate" test source with the Kafka source's columns. Calling
    // collect(), count() or show() on it would throw: streams only run through writeStream.
    val stream = spark.readStream.format("rate").load().selectExpr(
      "cast(cast(value as string) as binary) as key", "cast('v' as binary) as value",
      "'input' as topic", "0 as partition", "value as offset", "timestamp", "0 as timestampType",
      "cast(null as array<struct<key:string,value:binary>>) as headers")

    val output = Transform(stream)

    assert(output.isStreaming)
    assertEquals(output.columns.toSeq, Seq("key", "value", "headers"))
  }

  test("the windowed example counts records per key and minute of event time") {
    val events = Seq((Some("a"), 0, 1), (Some("a"), 0, 59), (Some("b"), 0, 30), (Some("a"), 1, 0),
      (None, 1, 5))
    val rows = events.map { case (key, minute, second) =>
      Row(key.map(_.getBytes).orNull, "v".getBytes, "input", 0, 0L,
        new Timestamp(1704067200000L + (minute * 60 + second) * 1000L), 0, null)
    }
    val source = spark.createDataFrame(java.util.Arrays.asList(rows: _*),
      Records.KAFKA_SOURCE_SCHEMA)

    val output = Transform.countPerKeyPerMinute(source).collect().toSeq
      .map(row => Option(row.getAs[Array[Byte]]("key")).fold("")(new String(_)) + " " +
        row.getAs[String]("value"))
      .sorted

    assertEquals(output, Seq(
      """ {"start":"2024-01-01T00:01:00.000Z","end":"2024-01-01T00:02:00.000Z","count":1}""",
      """a {"key":"a","start":"2024-01-01T00:00:00.000Z","end":"2024-01-01T00:01:00.000Z",""" +
        """"count":2}""",
      """a {"key":"a","start":"2024-01-01T00:01:00.000Z","end":"2024-01-01T00:02:00.000Z",""" +
        """"count":1}""",
      """b {"key":"b","start":"2024-01-01T00:00:00.000Z","end":"2024-01-01T00:01:00.000Z",""" +
        """"count":1}"""))
  }
}
