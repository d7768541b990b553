package {{ cookiecutter.java_package }}

import java.io.PrintStream
import java.math.{BigDecimal, RoundingMode}

import com.fasterxml.jackson.core.json.JsonWriteFeature
import com.fasterxml.jackson.databind.json.JsonMapper
import org.apache.spark.sql.streaming.{StreamingQueryListener, StreamingQueryProgress}
import org.apache.spark.sql.streaming.StreamingQueryListener._

/** Logs every micro-batch as one JSON line on stdout, with the same fields as the Python
  * variant: `{"ts": 1700000000.123, "event": "progress", "batch_id": 3, "input_rows": 1000,
  * "input_rows_per_sec": 812.3, "processed_rows_per_sec": 2050.1, "batch_duration_ms": 488,
  * "dead_letter_rows": 0}`.
  */
class ProgressLogger extends StreamingQueryListener {
  import ProgressLogger._

  override def onQueryStarted(event: QueryStartedEvent): Unit =
    logEvent("query_started", "query_id" -> event.id.toString, "name" -> event.name)

  override def onQueryProgress(event: QueryProgressEvent): Unit = {
    val progress = event.progress
    logEvent("progress",
      "batch_id" -> progress.batchId,
      "input_rows" -> progress.numInputRows,
      "input_rows_per_sec" -> rate(progress.inputRowsPerSecond),
      "processed_rows_per_sec" -> rate(progress.processedRowsPerSecond),
      "batch_duration_ms" -> progress.batchDuration,
      "dead_letter_rows" -> deadLetterRows(progress))
  }

  override def onQueryTerminated(event: QueryTerminatedEvent): Unit =
    logEvent("query_terminated", "query_id" -> event.id.toString,
      "error" -> event.exception.map(firstLine).orNull)
}

object ProgressLogger {

  private val Json = JsonMapper.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII).build()

  @volatile private var out: PrintStream = System.out

  /** One structured log line: {"ts": <epoch seconds>, "event": event, fields...}. */
  def logEvent(event: String, fields: (String, Any)*): Unit = {
    val all = Seq("ts" -> BigDecimal.valueOf(System.currentTimeMillis(), 3), "event" -> event) ++
      fields
    val line = all.map { case (name, value) =>
      Json.writeValueAsString(name) + ": " + Json.writeValueAsString(value)
    }.mkString("{", ", ", "}")
    synchronized {
      out.println(line)
      out.flush()
    }
  }

  /** Where log lines go (stdout); tests capture them. */
  def redirect(stream: PrintStream): Unit = out = stream

  /** Rounded to one decimal, like Python's round(x, 1); 0.0 when Spark has no rate (NaN). */
  def rate(perSecond: Double): BigDecimal =
    if (perSecond.isNaN || perSecond.isInfinite) BigDecimal.valueOf(0, 1)
    else BigDecimal.valueOf(perSecond).setScale(1, RoundingMode.HALF_EVEN)

  /** Rows routed to the dead-letter topic in this batch (0 when the transform has no error
    * column): observed by the query itself, so counting costs no second pass.
    */
  def deadLetterRows(progress: StreamingQueryProgress): Long =
    Option(progress.observedMetrics.get(Routing.DeadLetterMetric))
      .fold(0L)(_.getAs[Long]("rows"))

  def firstLine(text: String): String = text.strip().split("\\R", 2)(0)
}
