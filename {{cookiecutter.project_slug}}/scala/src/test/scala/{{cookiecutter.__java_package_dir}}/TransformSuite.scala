package {{ cookiecutter.java_package }}

import org.apache.spark.sql.types.{BinaryType, DataType}

import Records.Record

/** The transform on a local SparkSession with static DataFrames: no Kafka involved. */
class TransformSuite extends SparkSuite {

  private lazy val spark = LocalSpark.spark

  test("output has only the columns the Kafka sink writes") {
    val output = Transform(Records.sourceFrame(spark, Seq.empty))

    assertEquals(output.columns.toSeq, Seq("key", "value", "headers"))
    assertEquals(output.schema("value").dataType, BinaryType: DataType)
  }

  test("keeps key, value and headers bytes") {
    val record = Record(Some("k".getBytes.toSeq), Some(Seq[Byte](-1, 0, 'v')),
      Some(Seq("h" -> Some(Seq[Byte](1)))))

    val rows = Transform(Records.sourceFrame(spark, Seq(record))).collect().toSeq

    assertEquals(Records.fromRows(rows), Seq(record))
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
    val records = events.map { case (key, _, _) =>
      Record(key.map(_.getBytes.toSeq), Some("v".getBytes.toSeq), None)
    }
    val readAt = events.map { case (_, minute, second) =>
      Records.ReadAt("input", 0, 0L, 1704067200000L + (minute * 60 + second) * 1000L)
    }

    val output = Transform.countPerKeyPerMinute(Records.sourceFrame(spark, records, readAt))
      .collect().toSeq
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
