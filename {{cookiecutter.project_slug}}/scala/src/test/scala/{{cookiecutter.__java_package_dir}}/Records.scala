package {{ cookiecutter.java_package }}

import java.io.File
import java.sql.Timestamp
import java.util.Base64

import com.fasterxml.jackson.databind.{JsonNode, ObjectMapper}
import org.apache.spark.sql.{DataFrame, Row, SparkSession}
import org.apache.spark.sql.types._

/** Kafka records as vector JSON (base64) <-> Spark rows with the Kafka source schema. */
object Records {

  /** One Kafka record as Spark and Kafka hold it; a header value may be null. */
  final case class Record(
      key: Option[Seq[Byte]],
      value: Option[Seq[Byte]],
      headers: Option[Seq[(String, Option[Seq[Byte]])]])

  val Header: StructType = new StructType().add("key", StringType).add("value", BinaryType)

  val KafkaSourceSchema: StructType = new StructType()
    .add("key", BinaryType)
    .add("value", BinaryType)
    .add("topic", StringType)
    .add("partition", IntegerType)
    .add("offset", LongType)
    .add("timestamp", TimestampType)
    .add("timestampType", IntegerType)
    .add("headers", ArrayType(Header))

  /** The cases of contract/vectors.json (path from the build: -Dcontract.vectors). */
  def loadVectors(): Seq[JsonNode] = {
    val path = sys.props.getOrElse("contract.vectors", "../contract/vectors.json")
    val cases = new ObjectMapper().readTree(new File(path)).get("cases")
    (0 until cases.size).map(i => cases.get(i))
  }

  /** A vector record (base64 strings) as bytes. */
  def decode(record: JsonNode): Record = {
    def raw(text: JsonNode): Option[Seq[Byte]] =
      if (text.isNull) None else Some(Base64.getDecoder.decode(text.asText).toSeq)
    val headers = record.get("headers")
    Record(raw(record.get("key")), raw(record.get("value")),
      if (headers.isNull) None
      else Some((0 until headers.size).map(headers.get).map(h =>
        h.get("key").asText -> raw(h.get("value")))))
  }

  /** A static DataFrame shaped like Spark's Kafka source, one row per record. */
  def sourceFrame(spark: SparkSession, records: Seq[Record]): DataFrame = {
    val timestamp = Timestamp.valueOf("2024-01-01 00:00:00")
    val rows = records.zipWithIndex.map { case (r, offset) =>
      Row(bytes(r.key), bytes(r.value), "input", 0, offset.toLong, timestamp, 0,
        r.headers.map(_.map { case (k, v) => Row(k, bytes(v)) }).orNull)
    }
    spark.createDataFrame(java.util.Arrays.asList(rows: _*), KafkaSourceSchema)
  }

  /** Transform output rows back as records. */
  def fromRows(rows: Seq[Row]): Seq[Record] = rows.map { row =>
    val headers = row.fieldIndex("headers")
    Record(
      Option(row.getAs[Array[Byte]]("key")).map(_.toSeq),
      Option(row.getAs[Array[Byte]]("value")).map(_.toSeq),
      if (row.isNullAt(headers)) None
      else Some(row.getSeq[Row](headers).map(h =>
        h.getString(0) -> Option(h.getAs[Array[Byte]](1)).map(_.toSeq))))
  }

  private def bytes(value: Option[Seq[Byte]]): Array[Byte] = value.map(_.toArray).orNull
}
