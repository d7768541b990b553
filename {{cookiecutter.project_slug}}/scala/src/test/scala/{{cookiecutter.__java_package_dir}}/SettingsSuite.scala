package {{ cookiecutter.java_package }}

import java.io.{ByteArrayOutputStream, PrintStream}
import java.nio.charset.StandardCharsets.UTF_8

/** Settings: flag > environment > default, and one clear line for every bad value. */
class SettingsSuite extends SparkSuite {

  private val defaults = Settings.parse(Seq.empty, Map.empty)

  test("defaults come from the template answers") {
    assertEquals(defaults.brokers, "{{ cookiecutter.kafka_brokers }}")
    assertEquals(defaults.inTopic, "{{ cookiecutter.input_topic }}")
    assertEquals(defaults.outTopic, "{{ cookiecutter.output_topic }}")
    assertEquals(defaults.dlqTopic, Option("{{ cookiecutter.dlq_topic }}").filter(_.nonEmpty))
    assertEquals(defaults.startingOffsets, "earliest")
    assert(defaults.maxOffsetsPerTrigger.isEmpty)
    assertEquals(defaults.trigger, "{{ cookiecutter.trigger }}")
    assertEquals(defaults.outputMode, "append")
    assert(defaults.kafkaOptions.isEmpty)
  }

  test("Kafka client defaults are the shared contract's, for every trigger") {
    val microBatch = Settings.parse(Seq("--trigger", "0 seconds"), Map.empty)
    val realTime = Settings.parse(Seq("--trigger", "real-time"), Map.empty)

    assertEquals(microBatch.sourceOptions, Records.loadStrings("kafka_client_defaults", "source"))
    assertEquals(realTime.sourceOptions, microBatch.sourceOptions)
    assertEquals(microBatch.sinkOptions, Records.loadStrings("kafka_client_defaults", "sink"))
    assertEquals(realTime.sinkOptions,
      Records.loadStrings("kafka_client_defaults", "sink_real_time"))
  }

  test("a KAFKA_OPTION setting wins over the app's client defaults") {
    val settings = Settings.parse(Seq("--trigger", "0 seconds"),
      Map("KAFKA_OPTION_MAX_POLL_RECORDS" -> "500", "KAFKA_OPTION_LINGER_MS" -> "0"))

    assertEquals(settings.sourceOptions("kafka.max.poll.records"), "500")
    assertEquals(settings.sinkOptions("kafka.linger.ms"), "0")
    assertEquals(settings.sinkOptions("kafka.batch.size"), (256 << 10).toString)
  }

  test("checkpoint defaults to a project-local directory, not /tmp") {
    assertEquals(defaults.checkpoint, "checkpoints/scala")
    assert(!defaults.checkpoint.startsWith("/tmp"))
  }

  test("environment overrides default") {
    val env = Map("KAFKA_BROKERS" -> "k1:9092,k2:9093", "KAFKA_IN_TOPIC" -> "in",
      "KAFKA_OUT_TOPIC" -> "out", "CHECKPOINT_LOCATION" -> "/data/cp",
      "STARTING_OFFSETS" -> "latest", "MAX_OFFSETS_PER_TRIGGER" -> "500", "TRIGGER" -> "10 seconds",
      "KAFKA_DLQ_TOPIC" -> "bad", "OUTPUT_MODE" -> "update")

    val settings = Settings.parse(Seq.empty, env)

    assertEquals(settings.brokers, "k1:9092,k2:9093")
    assertEquals((settings.inTopic, settings.outTopic), ("in", "out"))
    assertEquals((settings.checkpoint, settings.startingOffsets), ("/data/cp", "latest"))
    assertEquals((settings.maxOffsetsPerTrigger, settings.trigger), (Some(500L), "10 seconds"))
    assertEquals((settings.dlqTopic, settings.outputMode), (Some("bad"), "update"))
  }

  test("an empty dead-letter topic turns it off") {
    assertEquals(
      Settings.parse(Seq("--dlq-topic", ""), Map("KAFKA_DLQ_TOPIC" -> "x")).dlqTopic, None)
    assertEquals(Settings.parse(Seq.empty, Map("KAFKA_DLQ_TOPIC" -> "")).dlqTopic, None)
  }

  for (mode <- Seq("append", "update", "complete")) {
    test(s"every output mode is accepted, and real-time always uses update: $mode") {
      assertEquals(Settings.parse(Seq("--output-mode", mode), Map.empty).effectiveOutputMode, mode)
      assertEquals(Settings.parse(Seq("--output-mode", mode, "--trigger", "real-time"), Map.empty)
        .effectiveOutputMode, "update")
    }
  }

  test("flag overrides environment") {
    val env = Map("KAFKA_IN_TOPIC" -> "from-env", "TRIGGER" -> "10 seconds")

    val settings =
      Settings.parse(Seq("--in-topic", "from-flag", "--trigger", "available-now"), env)

    assertEquals((settings.inTopic, settings.trigger), ("from-flag", "available-now"))
  }

  for (trigger <- Seq("0 seconds", "250 milliseconds", "1 minute", "available-now", "real-time",
      "real-time 30 seconds")) {
    test(s"every trigger form is accepted: $trigger") {
      assertEquals(Settings.parse(Seq("--trigger", trigger), Map.empty).trigger, trigger)
    }
  }

  test("a bad trigger is rejected with the same text as every variant") {
    val error =
      intercept[ConfigError](Settings.parse(Seq.empty, Map("TRIGGER" -> "real-time soon")))

    assertEquals(error.getMessage, "TRIGGER=real-time soon: an interval " +
      "'<n> milliseconds|seconds|minutes', 'available-now' or 'real-time [<interval>]'; " +
      "e.g. 10 seconds")
  }

  test("real-time runs with its checkpoint interval, or 5 minutes") {
    assertEquals(Settings.realTimeInterval("real-time"), Some("5 minutes"))
    assertEquals(Settings.realTimeInterval("real-time 30 seconds"), Some("30 seconds"))
    assertEquals(Settings.realTimeInterval("30 seconds"), None)
    assertEquals(Settings.realTimeInterval("available-now"), None)
  }

  test("the real-time trigger exists from Spark 4.1, and fails with one clear line before") {
    val version = org.apache.spark.SPARK_VERSION
    val Array(major, minor) = version.split("\\.").take(2).map(_.toInt)

    if (major * 100 + minor >= 401) {
      assertEquals(App.realTimeTrigger("30 seconds", version).toString, "RealTimeTrigger(30000)")
    } else {
      val error =
        intercept[UnsupportedOperationException](App.realTimeTrigger("30 seconds", version))
      assert(error.getMessage.startsWith(
        s"real-time mode needs Spark 4.1+ on the JVM (this is Spark $version)"), error.getMessage)
    }
  }

  test("flags also take --name=value and the last one wins") {
    val settings = Settings.parse(
      Seq("--brokers=a:1", "--max-offsets-per-trigger", "7", "--brokers", " b:2 , c:3"), Map.empty)

    assertEquals(settings.brokers, "b:2,c:3")
    assert(settings.maxOffsetsPerTrigger.contains(7L))
  }

  test("starting offsets accept per-partition JSON") {
    val json = """{"topic1":{"0":-2}}"""

    assertEquals(Settings.parse(Seq("--starting-offsets", json), Map.empty).startingOffsets, json)
  }

  test("extra Kafka options come from the environment, for source and sink") {
    val env = Map("KAFKA_OPTION_SECURITY_PROTOCOL" -> "SASL_SSL",
      "KAFKA_OPTION_SASL_JAAS_CONFIG" -> "secret", "UNRELATED" -> "x")

    assertEquals(Settings.parse(Seq.empty, env).kafkaOptions,
      Map("kafka.security.protocol" -> "SASL_SSL", "kafka.sasl.jaas.config" -> "secret"))
  }

  private val badValues: Seq[(Map[String, String], String)] = Seq(
    Map("KAFKA_BROKERS" -> "localhost") -> "KAFKA_BROKERS=localhost: comma-separated host:port",
    Map("KAFKA_BROKERS" -> "h:70000") -> "KAFKA_BROKERS=h:70000: comma-separated host:port",
    Map("KAFKA_BROKERS" -> "h:1,") -> "KAFKA_BROKERS=h:1,: comma-separated",
    Map("KAFKA_IN_TOPIC" -> "bad topic") -> "KAFKA_IN_TOPIC=bad topic: 1 to 249 of",
    Map("KAFKA_OUT_TOPIC" -> "..") -> "KAFKA_OUT_TOPIC=..: 1 to 249 of",
    Map("KAFKA_IN_TOPIC" -> "same", "KAFKA_OUT_TOPIC" -> "same") ->
      "KAFKA_OUT_TOPIC=same: must differ",
    Map("KAFKA_DLQ_TOPIC" -> "a b") -> "KAFKA_DLQ_TOPIC=a b: 1 to 249 of",
    Map("KAFKA_IN_TOPIC" -> "in", "KAFKA_DLQ_TOPIC" -> "in") ->
      "KAFKA_DLQ_TOPIC=in: must differ from the input and output topics",
    Map("KAFKA_OUT_TOPIC" -> "out", "KAFKA_DLQ_TOPIC" -> "out") ->
      "KAFKA_DLQ_TOPIC=out: must differ from the input and output topics",
    Map("OUTPUT_MODE" -> "upsert") -> "OUTPUT_MODE=upsert: append, update or complete",
    Map("STARTING_OFFSETS" -> "yesterday") ->
      "STARTING_OFFSETS=yesterday: earliest, latest or JSON",
    Map("STARTING_OFFSETS" -> "") -> "STARTING_OFFSETS=: earliest, latest or JSON",
    Map("MAX_OFFSETS_PER_TRIGGER" -> "0") -> "MAX_OFFSETS_PER_TRIGGER=0: a positive whole number",
    Map("MAX_OFFSETS_PER_TRIGGER" -> "-5") -> "MAX_OFFSETS_PER_TRIGGER=-5: a positive whole number",
    Map("TRIGGER" -> "fast") -> "TRIGGER=fast: an interval",
    Map("TRIGGER" -> "10 hours") -> "TRIGGER=10 hours: an interval",
    Map("TRIGGER" -> "realtime") -> "TRIGGER=realtime: an interval",
    Map("TRIGGER" -> "real-time 5") -> "TRIGGER=real-time 5: an interval",
    Map("CHECKPOINT_LOCATION" -> " ") -> "CHECKPOINT_LOCATION= : must not be empty",
    Map("KAFKA_OPTION_GROUP_ID" -> "x", "KAFKA_OPTION_AUTO_OFFSET_RESET" -> "latest") ->
      "KAFKA_OPTION_AUTO_OFFSET_RESET=latest: set by the app itself",
    Map("KAFKA_OPTION_BOOTSTRAP_SERVERS" -> "h:1") ->
      "KAFKA_OPTION_BOOTSTRAP_SERVERS=h:1: set by the app itself")

  for ((env, message) <- badValues) {
    test(s"bad value raises one line naming the setting and an example: $message") {
      val error = intercept[ConfigError](Settings.parse(Seq.empty, env))

      assert(error.getMessage.startsWith(message), error.getMessage)
      assert(error.getMessage.contains("; e.g. ") && !error.getMessage.contains("\n"))
    }
  }

  test("unknown flags and missing values are rejected") {
    intercept[ConfigError](Settings.parse(Seq("--nope", "x"), Map.empty))
    intercept[ConfigError](Settings.parse(Seq("--brokers"), Map.empty))
    intercept[ConfigError](Settings.parse(Seq("positional"), Map.empty))
  }

  test("bad config exits 2 with one error line and no stack trace") {
    val (out, err) = (new ByteArrayOutputStream, new ByteArrayOutputStream)

    val code = App.run(Seq("--trigger", "soon"), Map.empty, print(out), print(err))

    val errText = err.toString(UTF_8.name)
    assertEquals(code, 2)
    assert(errText.startsWith("ERROR: TRIGGER=soon: "), errText)
    assertEquals(errText.count(_ == '\n'), 1)
    assertEquals(out.size, 0)
  }

  test("--help lists every flag and its environment variable, and exits 0") {
    val out = new ByteArrayOutputStream

    val code = App.run(Seq("--help"), Map.empty, print(out), print(new ByteArrayOutputStream))

    val help = out.toString(UTF_8.name)
    assertEquals(code, 0)
    Settings.All.foreach(setting => assert(help.contains(s"${setting.flag} ${setting.env}")))
  }

  private def print(buffer: ByteArrayOutputStream) = new PrintStream(buffer, true, UTF_8.name)
}
