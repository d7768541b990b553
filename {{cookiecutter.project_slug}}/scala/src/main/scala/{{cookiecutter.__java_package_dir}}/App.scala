package {{ cookiecutter.java_package }}

import java.io.PrintStream
import java.lang.reflect.InvocationTargetException
import java.util.Locale
import java.util.concurrent.atomic.AtomicReference

import org.apache.spark.SparkConf
import org.apache.spark.sql.{DataFrame, SparkSession}
import org.apache.spark.sql.streaming.{StreamingQuery, Trigger}
import sun.misc.{Signal, SignalHandler}

/** Kafka -> transform -> Kafka as one Spark Structured Streaming query.
  *
  * Records never visit the driver: Spark's Kafka source and sink move them on the executors.
  * Run it with spark-submit (`make run-scala`); conf/spark-defaults.conf, read through
  * SPARK_CONF_DIR, pins the connector. Exit codes: 0 stopped cleanly (SIGTERM, Ctrl-C, or an
  * available-now run that finished), 1 the query failed, 2 bad configuration.
  */
object App {

  val AppName = "{{ cookiecutter.project_slug }}"
  val ExitOk = 0
  val ExitFailed = 1
  val ExitBadConfig = 2

  def main(args: Array[String]): Unit = {
    val code = run(args.toSeq, sys.env, System.out, System.err)
    if (code != ExitOk) sys.exit(code)
    // Exit 0 by returning: spark-submit then ends normally. sys.exit(0) here would make YARN
    // cluster mode report the application as failed ("shutdown hook called before final
    // status was reported").
  }

  /** The whole app; returns the exit code. */
  def run(args: Seq[String], env: Map[String, String], out: PrintStream, err: PrintStream): Int = {
    if (Settings.wantsHelp(args)) {
      out.print(Settings.usage)
      return ExitOk
    }
    val settings =
      try Settings.parse(args, env)
      catch {
        case error: ConfigError =>
          err.println(s"ERROR: ${error.getMessage}")
          return ExitBadConfig
      }

    val stop = StopRequest.install()
    val spark = createSession()
    val query =
      try startQuery(spark, settings)
      catch {
        case error: TransformResultError =>
          err.println(s"ERROR: ${error.getMessage}")
          spark.stop()
          return ExitBadConfig
        case error: Exception => // Spark reports a missing connector, a bad option or mode here
          val reason = firstLine(error)
          val code =
            if (reason.toLowerCase(Locale.ROOT).contains("output mode")) {
              err.println(s"ERROR: ${outputModeMismatch(settings.effectiveOutputMode, reason)}")
              ExitBadConfig
            } else {
              err.println(s"ERROR: could not start the query: $reason")
              ExitFailed
            }
          spark.stop()
          return code
      }
    ProgressLogger.logEvent("started", "app" -> AppName, "brokers" -> settings.brokers,
      "in_topic" -> settings.inTopic, "out_topic" -> settings.outTopic,
      "dlq_topic" -> settings.dlqTopic.orNull, "checkpoint" -> settings.checkpoint,
      "trigger" -> settings.trigger, "output_mode" -> settings.effectiveOutputMode)
    runUntilStopped(spark, query, stop, err)
  }

  def createSession(): SparkSession = {
    val builder = SparkSession.builder().appName(AppName)
    val spark = (
      if (new SparkConf().contains("spark.master")) builder
      else builder.master("local[*]") // started outside spark-submit, e.g. by an IDE
    ).getOrCreate()
    spark.streams.addListener(new ProgressLogger)
    spark
  }

  def readStream(spark: SparkSession, settings: Settings): DataFrame = {
    val reader = spark.readStream.format("kafka")
      .option("kafka.bootstrap.servers", settings.brokers)
      .option("subscribe", settings.inTopic)
      .option("startingOffsets", settings.startingOffsets)
      .option("includeHeaders", "true")
      .options(settings.sourceOptions)
    settings.maxOffsetsPerTrigger.fold(reader)(max => reader.option("maxOffsetsPerTrigger", max))
      .load()
  }

  def startQuery(spark: SparkSession, settings: Settings): StreamingQuery = {
    val rows = Transform(readStream(spark, settings))
    val writer = Routing.kafkaRecords(rows, settings.outTopic, settings.dlqTopic)
      .writeStream.format("kafka")
      .queryName(AppName)
      .outputMode(settings.effectiveOutputMode)
      .option("kafka.bootstrap.servers", settings.brokers)
      .option("checkpointLocation", settings.checkpoint)
      .options(settings.sinkOptions)
    (settings.trigger, Settings.realTimeInterval(settings.trigger)) match {
      case (Settings.AvailableNow, _) => writer.trigger(Trigger.AvailableNow()).start()
      case (_, Some(interval)) =>
        writer.trigger(realTimeTrigger(interval, spark.version)).start()
      case (interval, None) => writer.trigger(Trigger.ProcessingTime(interval)).start()
    }
  }

  /** An output mode that does not fit the transform is a setting to change, so it is named. */
  def outputModeMismatch(mode: String, reason: String): String = {
    val others = Settings.OutputModes.filterNot(_ == mode).mkString(" or ")
    s"OUTPUT_MODE=$mode does not fit this transform: $reason; set OUTPUT_MODE (or " +
      s"--output-mode) to $others, or give its aggregation a watermark (README: Output modes)"
  }

  /** `Trigger.RealTime(checkpointInterval)`: records flow continuously and the interval only
    * sets how often the query checkpoints. Throws UnsupportedOperationException where Spark has
    * no real-time mode, and Spark's own error for an interval it refuses.
    */
  def realTimeTrigger(checkpointInterval: String, sparkVersion: String): Trigger = {
    // Reflection: Trigger.RealTime exists only from Spark 4.1, and this source also compiles
    // against Spark 3.5 and 4.0.
    val realTime =
      try classOf[Trigger].getMethod("RealTime", classOf[String])
      catch {
        case _: NoSuchMethodException =>
          throw new UnsupportedOperationException("real-time mode needs Spark 4.1+ on the JVM " +
            s"(this is Spark $sparkVersion); use a micro-batch interval instead")
      }
    try realTime.invoke(null, checkpointInterval).asInstanceOf[Trigger]
    catch {
      case thrown: InvocationTargetException => throw thrown.getCause
    }
  }

  /** Waits for the query; on SIGTERM or Ctrl-C stops it cleanly and returns 0. */
  def runUntilStopped(
      spark: SparkSession, query: StreamingQuery, stop: StopRequest, err: PrintStream): Int = {
    val error: Option[Throwable] =
      try {
        while (!stop.requested && query.isActive) query.awaitTermination(500)
        if (stop.requested) None else query.exception
      } catch {
        case raised: Exception => if (stop.requested) None else Some(raised) // the query failed
      }
    error match {
      case Some(failure) =>
        err.println(s"ERROR: ${Failures.describe(failure)}") // says what to check, if it can
        spark.stop()
        ExitFailed
      case None =>
        stop.signal.foreach(name => ProgressLogger.logEvent("stopping", "signal" -> name))
        try {
          query.stop()
          spark.stop()
        } catch {
          case _: Exception => // stopping is best effort: the process exits next
        }
        ProgressLogger.logEvent("stopped", "app" -> AppName)
        ExitOk
    }
  }

  /** The first line of a query failure; only the record and its error when a row with an error
    * had no dead-letter topic to go to.
    */
  def failureReason(error: Throwable): String =
    Routing.recordWithoutDeadLetterTopic(String.valueOf(error.getMessage))
      .getOrElse(firstLine(error))

  def firstLine(error: Throwable): String = {
    val text = Option(error.getMessage).map(_.strip()).getOrElse("")
    if (text.isEmpty) error.getClass.getSimpleName else ProgressLogger.firstLine(text)
  }

  /** SIGTERM and Ctrl-C (SIGINT) ask the run loop to stop the query. The handler replaces the
    * JVM's default one, which would run shutdown hooks and exit with 143 or 130 while the query
    * is still writing; later signals are ignored so that a second Ctrl-C cannot cut the stop
    * short. sun.misc.Signal is the supported JDK API for this (module jdk.unsupported).
    */
  final class StopRequest private () {
    private val received = new AtomicReference[String]()

    def requested: Boolean = received.get != null

    def signal: Option[String] = Option(received.get)
  }

  object StopRequest {
    def install(): StopRequest = {
      val request = new StopRequest
      for (name <- Seq("TERM", "INT")) {
        try {
          Signal.handle(new Signal(name), new SignalHandler {
            override def handle(signal: Signal): Unit =
              request.received.compareAndSet(null, "SIG" + signal.getName)
          })
        } catch {
          case _: IllegalArgumentException => // -Xrs, or reserved by the JVM: keep the default
        }
      }
      request
    }
  }
}
