package {{ cookiecutter.java_package }}

import java.io.File
import java.sql.Timestamp
import java.util.Base64

import com.fasterxml.jackson.databind.{JsonNode, ObjectMapper}
import org.apache.spark.sql.{DataFrame, Row, SparkSession}
import org.apache.spark.sql.types._

/** Kafka records as vector JSON (base64) <-> Spark rows with the Kafka source schema. */
object Records {

  /** One Kafka record as Spark and Kafka hold it; a header value may be null. The topic is
    * where a routed record goes (None before routing).
    */
  final case class Record(
      key: Option[Seq[Byte]],
      value: Option[Seq[Byte]],
      headers: Option[Seq[(String, Option[Seq[Byte]])]],
      topic: Option[String] = None)

  /** Where a source record was read: topic, partition, offset and timestamp (epoch ms). */
  final case class ReadAt(topic: String, partition: Int, offset: Long, timestamp: Long)

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

  /** The cases of a section of contract/vectors.json: "cases" (the default transform's) or
    * "validate_json"; -Dcontract.vectors gives its path.
    */
  def loadVectors(section: String = "cases"): Seq[JsonNode] = {
    val vectors = loadContract()
    val cases = (if (section == "cases") vectors else vectors.get(section)).get("cases")
    (0 until cases.size).map(i => cases.get(i))
  }

  /** A section of contract/vectors.json as string pairs (kafka_client_defaults' source...). */
  def loadStrings(section: String, field: String): Map[String, String] = {
    var pairs = Map.empty[String, String] // no collection converters: Scala 2.12 and 2.13
    loadContract().get(section).get(field).fields.forEachRemaining { entry =>
      pairs += entry.getKey -> entry.getValue.asText
    }
    pairs
  }

  private def loadContract(): JsonNode = {
    val path = sys.props.getOrElse("contract.vectors", "../contract/vectors.json")
    new ObjectMapper().readTree(new File(path))
  }

  /** A vector record (base64 strings) as bytes, with its topic when it has one. */
  def decode(record: JsonNode): Record = {
    def raw(text: JsonNode): Option[Seq[Byte]] =
      if (text.isNull) None else Some(Base64.getDecoder.decode(text.asText).toSeq)
    val headers = record.get("headers")
    Record(raw(record.get("key")), raw(record.get("value")),
      if (headers.isNull) None
      else Some((0 until headers.size).map(headers.get).map(h =>
        h.get("key").asText -> raw(h.get("value")))),
      Option(record.get("topic")).map(_.asText))
  }

  /** Where a vector input says it was read. */
  def readAt(input: JsonNode): ReadAt = ReadAt(input.get("topic").asText,
    input.get("partition").asInt, input.get("offset").asLong, input.get("timestamp").asLong)

  /** A static DataFrame shaped like Spark's Kafka source, one row per record: topic 'input',
    * partition 0, offset = its index, timestamp 2024-01-01T00:00:00Z, unless given.
    */
  def sourceFrame(spark: SparkSession, records: Seq[Record],
      readAt: Seq[ReadAt] = Nil): DataFrame = {
    val rows = records.zipWithIndex.map { case (r, offset) =>
      val at = readAt.lift(offset).getOrElse(ReadAt("input", 0, offset.toLong, 1704067200000L))
      Row(bytes(r.key), bytes(r.value), at.topic, at.partition, at.offset,
        new Timestamp(at.timestamp), 0,
        r.headers.map(_.map { case (k, v) => Row(k, bytes(v)) }).orNull)
    }
    spark.createDataFrame(java.util.Arrays.asList(rows: _*), KafkaSourceSchema)
  }

  /** Transform output rows back as records, with their topic when the rows have one. */
  def fromRows(rows: Seq[Row]): Seq[Record] = rows.map { row =>
    val headers = row.fieldIndex("headers")
    Record(
      Option(row.getAs[Array[Byte]]("key")).map(_.toSeq),
      Option(row.getAs[Array[Byte]]("value")).map(_.toSeq),
      if (row.isNullAt(headers)) None
      else Some(row.getSeq[Row](headers).map(h =>
        h.getString(0) -> Option(h.getAs[Array[Byte]](1)).map(_.toSeq))),
      if (row.schema.fieldNames.contains("topic")) Option(row.getAs[String]("topic")) else None)
  }

  private def bytes(value: Option[Seq[Byte]]): Array[Byte] = value.map(_.toArray).orNull
}
