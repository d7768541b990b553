package {{ cookiecutter.java_package }}

import java.io.IOException
import java.nio.ByteBuffer
import java.nio.charset.{CharacterCodingException, StandardCharsets}
import java.nio.file.{AccessDeniedException, Files, InvalidPathException, NoSuchFileException, Path}
import java.util.Locale

import scala.util.matching.Regex

import com.fasterxml.jackson.core.json.JsonReadFeature
import com.fasterxml.jackson.databind.DeserializationFeature
import com.fasterxml.jackson.databind.json.JsonMapper

/** Runtime settings. Each one comes from its command-line flag, else its environment variable,
  * else its default. The same names, defaults and error lines hold for every variant (README).
  *
  * @param dlqTopic None when there is no dead-letter topic
  * @param maxOffsetsPerTrigger None when there is no cap
  * @param kafkaOptions extra `kafka.*` client options for source and sink alike
  */
final case class Settings(
    brokers: String,
    inTopic: String,
    outTopic: String,
    dlqTopic: Option[String],
    checkpoint: String,
    startingOffsets: String,
    maxOffsetsPerTrigger: Option[Long],
    trigger: String,
    outputMode: String,
    kafkaOptions: Map[String, String]) {

  /** OUTPUT_MODE, except in real-time mode, which supports update only. */
  def effectiveOutputMode: String =
    if (Settings.realTimeInterval(trigger).isDefined) "update" else outputMode

  /** The Kafka consumer's options: the app's defaults, then KAFKA_OPTION_*. */
  def sourceOptions: Map[String, String] = Settings.SourceDefaults ++ kafkaOptions

  /** The Kafka producer's options: the app's defaults, then KAFKA_OPTION_*. */
  def sinkOptions: Map[String, String] =
    (if (Settings.realTimeInterval(trigger).isDefined) Settings.RealTimeSinkDefaults
     else Settings.SinkDefaults) ++ kafkaOptions
}

/** A setting has a bad value; getMessage is the one-line message for the user. */
final class ConfigError(message: String) extends Exception(message, null, false, false)

object ConfigError {

  /** A config error never shows the value of a setting whose name looks secret (a _FILE setting
    * holds a path, which it does show).
    */
  val SecretName: Regex = "(?i)PASSWORD|JAAS|SECRET|TOKEN|KEY".r
  val Redacted = "<redacted>"

  /** `<name>=<value>: <rule>; e.g. <example>`, as in every variant. */
  def apply(name: String, value: String, rule: String, example: String): ConfigError = {
    val shown = if (isSecret(name)) Redacted else value
    new ConfigError(s"$name=$shown: $rule; e.g. $example")
  }

  def isSecret(name: String): Boolean =
    SecretName.findFirstIn(name).isDefined && !name.endsWith(Settings.FileSuffix)
}

object Settings {

  val AvailableNow = "available-now"

  /** The checkpoint interval of real-time mode when TRIGGER is a bare `real-time`. */
  val RealTimeDefaultInterval = "5 minutes"
  val DefaultCheckpoint = "checkpoints/scala"
  val OutputModes: Seq[String] = Seq("append", "update", "complete")

  /** Kafka client defaults that differ from the clients' own, each measured by `make bench
    * LEVERS=1` (docs/benchmarks.md); a KAFKA_OPTION_<NAME> setting wins over any of them.
    * Fewer, larger polls: Spark's source asks the broker for the partition's offset range
    * after every poll, two round trips that cost more than 500 records (the default).
    */
  val SourceDefaults: Map[String, String] = Map(
    "kafka.max.poll.records" -> "10000",
    "kafka.max.partition.fetch.bytes" -> (8 << 20).toString)

  /** Fuller producer batches. Spark flushes the producer when a micro-batch's task ends, so a
    * micro-batch never waits for linger.ms; real-time mode would, so it keeps 0 there.
    */
  val SinkDefaults: Map[String, String] = Map(
    "kafka.batch.size" -> (256 << 10).toString,
    "kafka.linger.ms" -> "10")
  val RealTimeSinkDefaults: Map[String, String] = SinkDefaults + ("kafka.linger.ms" -> "0")

  /** Extra Kafka client options come from the environment only, so secrets never land in a
    * file: KAFKA_OPTION_SECURITY_PROTOCOL=SASL_SSL becomes kafka.security.protocol=SASL_SSL.
    */
  val KafkaOptionPrefix = "KAFKA_OPTION_"

  /** ...or from a file the environment names, as Docker and Kubernetes mount secrets:
    * KAFKA_OPTION_SASL_JAAS_CONFIG_FILE=/run/secrets/jaas sets kafka.sasl.jaas.config to its text.
    */
  val FileSuffix = "_FILE"

  /** Spark manages these itself and rejects them (see Spark's Kafka integration guide). */
  val KafkaOptionsSetBySpark: Set[String] = Set(
    "auto.offset.reset", "enable.auto.commit", "interceptor.classes",
    "key.deserializer", "value.deserializer", "key.serializer", "value.serializer")

  private val Topic = "[a-zA-Z0-9._-]{1,249}".r
  private val Broker =
    """([A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\]):(\d{1,5})""".r
  private val Interval = "\\d+ (millisecond|second|minute)s?".r
  // Real-time mode (Spark 4.1+ on the JVM): records flow continuously; the interval is only how
  // often it checkpoints, not a latency target.
  private val RealTime =
    "real-time( (?<checkpointInterval>\\d+ (millisecond|second|minute)s?))?".r
  private val Json = JsonMapper.builder()
    .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
    .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
    .build()

  /** One setting: its flag, environment variable, default and help text. */
  final case class Setting(flag: String, env: String, default: Option[String], help: String)

  val Brokers = Setting("--brokers", "KAFKA_BROKERS", Some("{{ cookiecutter.kafka_brokers }}"),
    "Kafka bootstrap servers, host:port[,host:port...]")
  val InTopic = Setting("--in-topic", "KAFKA_IN_TOPIC", Some("{{ cookiecutter.input_topic }}"),
    "topic to read")
  val OutTopic = Setting("--out-topic", "KAFKA_OUT_TOPIC", Some("{{ cookiecutter.output_topic }}"),
    "topic to write")
  val DlqTopic = Setting("--dlq-topic", "KAFKA_DLQ_TOPIC", Some("{{ cookiecutter.dlq_topic }}"),
    "dead-letter topic for rows the transform gives an error; empty: none, and such a row " +
      "stops the query")
  val Checkpoint = Setting("--checkpoint", "CHECKPOINT_LOCATION", Some(DefaultCheckpoint),
    "checkpoint directory: it holds the consumed offsets, keep it durable")
  val StartingOffsets = Setting("--starting-offsets", "STARTING_OFFSETS", Some("earliest"),
    "earliest, latest or per-partition JSON; used by a new checkpoint only")
  val MaxOffsetsPerTrigger = Setting("--max-offsets-per-trigger", "MAX_OFFSETS_PER_TRIGGER", None,
    "cap on records per micro-batch (default: no cap)")
  val Trigger = Setting("--trigger", "TRIGGER", Some("{{ cookiecutter.trigger }}"),
    s"micro-batch interval such as '10 seconds', '$AvailableNow' to process what is there " +
      "and stop, or 'real-time [<checkpoint interval>]'")
  val OutputMode = Setting("--output-mode", "OUTPUT_MODE", Some("append"),
    "append, update or complete: which result rows of a stateful transform are written " +
      "(real-time mode always uses update)")

  val All: Seq[Setting] = Seq(Brokers, InTopic, OutTopic, DlqTopic, Checkpoint, StartingOffsets,
    MaxOffsetsPerTrigger, Trigger, OutputMode)

  /** Settings from flags > environment > defaults; throws ConfigError on a bad value. */
  def parse(args: Seq[String], env: Map[String, String]): Settings = {
    val flags = parseFlags(args)
    def value(setting: Setting): Option[String] =
      flags.get(setting).orElse(env.get(setting.env)).orElse(setting.default)

    val settings = Settings(
      brokers = checkBrokers(value(Brokers).get),
      inTopic = checkTopic(InTopic, value(InTopic).get),
      outTopic = checkTopic(OutTopic, value(OutTopic).get),
      dlqTopic = value(DlqTopic).filter(_.nonEmpty).map(checkTopic(DlqTopic, _)),
      checkpoint = checkNonEmpty(Checkpoint, value(Checkpoint).get, DefaultCheckpoint),
      startingOffsets = checkStartingOffsets(value(StartingOffsets).get),
      maxOffsetsPerTrigger = checkMaxOffsets(value(MaxOffsetsPerTrigger)),
      trigger = checkTrigger(value(Trigger).get),
      outputMode = checkOutputMode(value(OutputMode).get),
      kafkaOptions = kafkaOptions(env))
    if (settings.inTopic == settings.outTopic) {
      throw ConfigError(OutTopic.env, settings.outTopic,
        "must differ from the input topic, or the app reads its own output", "topic2")
    }
    settings.dlqTopic.filter(Set(settings.inTopic, settings.outTopic)).foreach { topic =>
      throw ConfigError(DlqTopic.env, topic, "must differ from the input and output topics, " +
        "or records would loop or mix with good ones", "topic2-dlq")
    }
    settings
  }

  /** True when the arguments ask for the usage text. */
  def wantsHelp(args: Seq[String]): Boolean = args.contains("--help") || args.contains("-h")

  /** The --help text: every flag with its environment variable and default, laid out like
    * Python's argparse.
    */
  def usage: String = {
    val options = ("-h, --help", "show this help message and exit") +: All.map { s =>
      (s"${s.flag} ${s.env}", s"${s.help} (env ${s.env}, default ${s.default.getOrElse("unset")})")
    }
    def option(names: String, help: String): String =
      s"  $names" + (if (names.length <= 20) " " * (22 - names.length) else "\n" + " " * 24) +
        help + "\n"
    "usage: spark-submit --class {{ cookiecutter.java_package }}.App " +
      "scala/target/{{ cookiecutter.project_slug }}-scala.jar [options]\n\n" +
      {{ cookiecutter.description | tojson }} +
      "\n\noptions:\n" +
      options.map { case (names, help) => option(names, help) }.mkString +
      s"\nExtra Kafka client options: $KafkaOptionPrefix<NAME>=value in the environment, " +
      "e.g. KAFKA_OPTION_SECURITY_PROTOCOL=SASL_SSL.\n"
  }

  /** `--name value` or `--name=value`; the last one wins. */
  private def parseFlags(args: Seq[String]): Map[Setting, String] = {
    var flags = Map.empty[Setting, String]
    var rest = args.toList
    while (rest.nonEmpty) {
      val arg = rest.head
      val equals = arg.indexOf('=')
      val flag = if (arg.startsWith("--") && equals > 0) arg.substring(0, equals) else arg
      val setting = All.find(_.flag == flag).getOrElse(
        throw new ConfigError(s"unrecognized argument: $arg; see --help"))
      rest match {
        case _ :: tail if flag != arg =>
          flags += setting -> arg.substring(equals + 1)
          rest = tail
        case _ :: next :: tail if !next.startsWith("--") =>
          flags += setting -> next
          rest = tail
        case _ =>
          throw new ConfigError(s"$flag expects one value (${setting.env}); see --help")
      }
    }
    flags
  }

  def checkBrokers(value: String): String = {
    val entries = value.split(",", -1).map(_.strip())
    val valid = entries.forall {
      case Broker(_, _, port) => port.toInt >= 1 && port.toInt <= 65535
      case _ => false
    }
    if (!valid) {
      throw ConfigError(Brokers.env, value,
        "comma-separated host:port with port 1..65535", "localhost:9092")
    }
    entries.mkString(",")
  }

  def checkTopic(setting: Setting, value: String): String = value match {
    case Topic() if value != "." && value != ".." => value
    case _ =>
      throw ConfigError(setting.env, value, "1 to 249 of [a-zA-Z0-9._-], not '.' or '..'", "topic1")
  }

  def checkNonEmpty(setting: Setting, value: String, example: String): String = {
    if (value.isBlank()) throw ConfigError(setting.env, value, "must not be empty", example)
    value
  }

  def checkStartingOffsets(value: String): String = {
    def isJson: Boolean =
      try {
        val parsed = Json.readTree(value)
        parsed != null && !parsed.isMissingNode
      } catch {
        case _: IOException => false
      }
    if (value == "earliest" || value == "latest" || isJson) value
    else {
      throw ConfigError(StartingOffsets.env, value,
        "earliest, latest or JSON like {\"topic1\":{\"0\":-2}}", "earliest")
    }
  }

  def checkMaxOffsets(value: Option[String]): Option[Long] = value.filter(_.nonEmpty).map { text =>
    val number =
      if (text.forall(c => c >= '0' && c <= '9')) scala.util.Try(text.toLong).toOption else None
    number.filter(_ >= 1).getOrElse(
      throw ConfigError(MaxOffsetsPerTrigger.env, text, "a positive whole number", "100000"))
  }

  def checkTrigger(value: String): String = value match {
    case AvailableNow | Interval(_) | RealTime(_*) => value
    case _ =>
      throw ConfigError(Trigger.env, value, "an interval '<n> milliseconds|seconds|minutes', " +
        s"'$AvailableNow' or 'real-time [<interval>]'", "10 seconds")
  }

  def checkOutputMode(value: String): String =
    if (OutputModes.contains(value)) value
    else throw ConfigError(OutputMode.env, value, "append, update or complete", "update")

  /** The checkpoint interval when a checked trigger asks for real-time mode (`real-time` alone
    * means RealTimeDefaultInterval); None for micro-batches and available-now.
    */
  def realTimeInterval(trigger: String): Option[String] = trigger match {
    case RealTime(_, checkpointInterval, _) =>
      Some(Option(checkpointInterval).getOrElse(RealTimeDefaultInterval))
    case _ => None
  }

  /** KAFKA_OPTION_<NAME>=value becomes kafka.<name>=value, for source and sink alike;
    * KAFKA_OPTION_<NAME>_FILE=path takes the value from that file.
    */
  def kafkaOptions(env: Map[String, String]): Map[String, String] =
    env.toSeq.sortBy(_._1).collect {
      case (key, value) if key.startsWith(KafkaOptionPrefix) && key != KafkaOptionPrefix =>
        val fromFile =
          key.endsWith(FileSuffix) && key.length > (KafkaOptionPrefix + FileSuffix).length
        val setting = if (fromFile) key.dropRight(FileSuffix.length) else key
        val name =
          setting.substring(KafkaOptionPrefix.length).toLowerCase(Locale.ROOT).replace('_', '.')
        if (KafkaOptionsSetBySpark(name) || name == "bootstrap.servers") {
          throw ConfigError(key, value, "set by the app itself; use the matching setting instead " +
            "(e.g. KAFKA_BROKERS, STARTING_OFFSETS)", "KAFKA_OPTION_SECURITY_PROTOCOL=SASL_SSL")
        }
        if (fromFile && env.contains(setting)) {
          throw ConfigError(key, value, s"set $setting or $key, not both", s"unset $setting")
        }
        s"kafka.$name" -> (if (fromFile) readFile(key, value) else value)
    }.toMap

  /** The text of the file that `name` (a *_FILE setting) points at, without trailing line
    * breaks. Errors name the file, never what is in it.
    */
  def readFile(name: String, path: String): String = {
    val problem =
      try {
        if (path.isEmpty) throw new NoSuchFileException(path)
        val file = Path.of(path)
        if (Files.isDirectory(file)) "the path is a directory, not a file"
        else {
          val bytes = ByteBuffer.wrap(Files.readAllBytes(file))
          val text = StandardCharsets.UTF_8.newDecoder().decode(bytes).toString
            .replaceAll("[\\r\\n]+\\z", "")
          if (text.nonEmpty) return text
          "the file is empty"
        }
      } catch {
        case _: NoSuchFileException | _: InvalidPathException => "the file does not exist"
        case _: AccessDeniedException => "the file is not readable (permission denied)"
        case _: CharacterCodingException => "the file is not UTF-8 text"
        case _: IOException => "the file cannot be read"
      }
    throw ConfigError(name, path, problem, s"$name=/run/secrets/kafka-password")
  }
}
