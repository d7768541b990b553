package {{ cookiecutter.java_package }}

import java.util.Locale

/** How the app reports what stops it: one line, naming the setting or record to look at. */
class AppSuite extends SparkSuite {

  test("an aggregation without watermark in append mode names the OUTPUT_MODE setting") {
    val counts = LocalSpark.spark.readStream.format("rate").load().groupBy("value").count()

    val raised = intercept[Exception]( // Spark's own refusal, worded per version
      counts.writeStream.format("noop").outputMode("append").start())

    val reason = App.firstLine(raised)
    assert(reason.toLowerCase(Locale.ROOT).contains("output mode"), reason)
    assertEquals(App.outputModeMismatch("append", reason),
      s"OUTPUT_MODE=append does not fit this transform: $reason; set OUTPUT_MODE (or " +
        "--output-mode) to update or complete, or give its aggregation a watermark (README: " +
        "Output modes)")
  }

  test("a query failure is its first line, or the record that had nowhere to go") {
    val failure = new RuntimeException("Job aborted: Lost task 0.0: java.lang.RuntimeException: " +
      "record at topic in, partition 0, offset 5 has an error and no dead-letter topic is set " +
      "(KAFKA_DLQ_TOPIC): value is null\n\tat x")

    assertEquals(App.failureReason(failure), "record at topic in, partition 0, offset 5 has an " +
      "error and no dead-letter topic is set (KAFKA_DLQ_TOPIC): value is null")
    assertEquals(App.failureReason(new RuntimeException("Job aborted: broker down\n\tat x")),
      "Job aborted: broker down")
  }
}
