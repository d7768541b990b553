package {{ cookiecutter.java_package }}

import java.io.{ByteArrayOutputStream, PrintStream}
import java.math.BigDecimal
import java.nio.charset.StandardCharsets.UTF_8

import scala.util.Try

import com.fasterxml.jackson.databind.{JsonNode, ObjectMapper}
import org.apache.spark.sql.streaming.Trigger

/** The JSON log lines: field names and types shared with the Python variant. */
class ProgressLoggerSuite extends SparkSuite {

  private val buffer = new ByteArrayOutputStream

  override def beforeEach(context: BeforeEach): Unit = {
    buffer.reset()
    ProgressLogger.redirect(new PrintStream(buffer, true, UTF_8.name))
  }

  override def afterEach(context: AfterEach): Unit = ProgressLogger.redirect(System.out)

  private def lines(): Seq[JsonNode] =
    buffer.toString(UTF_8.name).split("\n").toSeq.filter(_.nonEmpty)
      .flatMap(line => Try(new ObjectMapper().readTree(line)).toOption)

  private def events(event: String): Seq[JsonNode] = lines().filter(_.get("event").asText == event)

  private def fieldNames(node: JsonNode): Set[String] = {
    val names = node.fieldNames()
    Iterator.continually(names).takeWhile(_.hasNext).map(_.next()).toSet
  }

  private def waitFor(condition: => Boolean): Unit = {
    // Generous: listener events are asynchronous and CI machines are often busy.
    val deadline = System.currentTimeMillis() + 300000
    while (!condition) {
      assert(System.currentTimeMillis() < deadline, "timed out")
      Thread.sleep(50)
    }
  }

  test("an event is one JSON line with a timestamp and its fields") {
    ProgressLogger.logEvent("stopping", "signal" -> "SIGTERM", "none" -> null)

    val Seq(line) = lines()
    assertEquals(line.get("event").asText, "stopping")
    assertEquals(line.get("signal").asText, "SIGTERM")
    assert(line.get("none").isNull)
    assert(math.abs(line.get("ts").asDouble - System.currentTimeMillis() / 1000.0) < 60)
  }

  test("rates have one decimal and no NaN") {
    assertEquals(ProgressLogger.rate(812.34), new BigDecimal("812.3"))
    assertEquals(ProgressLogger.rate(Double.NaN), new BigDecimal("0.0"))
    assertEquals(ProgressLogger.rate(Double.PositiveInfinity), new BigDecimal("0.0"))
  }

  test("the listener logs query_started, progress and query_terminated") {
    val spark = LocalSpark.spark
    val listener = new ProgressLogger
    spark.streams.addListener(listener)
    try {
      val query = spark.readStream.format("rate").option("rowsPerSecond", "5").load()
        .writeStream.format("noop").queryName("progress-test")
        .trigger(Trigger.ProcessingTime("200 milliseconds")).start()
      waitFor(events("progress").size >= 2)
      query.stop()
      waitFor(events("query_terminated").size == 1)
    } finally {
      spark.streams.removeListener(listener)
    }

    val progress = events("progress").head
    assertEquals(fieldNames(progress), Set("ts", "event", "batch_id", "input_rows",
      "input_rows_per_sec", "processed_rows_per_sec", "batch_duration_ms", "dead_letter_rows"))
    assert(progress.get("batch_id").isIntegralNumber)
    assert(progress.get("input_rows_per_sec").isNumber)
    assertEquals(progress.get("dead_letter_rows").asLong, 0L)
    assertEquals(events("query_started").size, 1)
    assert(events("query_terminated").forall(_.get("error").isNull))
  }
}
