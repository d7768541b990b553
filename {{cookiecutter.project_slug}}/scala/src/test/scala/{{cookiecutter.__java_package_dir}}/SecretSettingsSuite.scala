package {{ cookiecutter.java_package }}

import java.nio.charset.StandardCharsets.ISO_8859_1
import java.nio.file.{Files, Path}

/** Secrets: KAFKA_OPTION_<NAME>_FILE, and config errors that never show a secret. */
class SecretSettingsSuite extends munit.FunSuite {

  private val dir = FunFixture[Path](
    _ => Files.createTempDirectory("secrets"),
    path => Files.walk(path).sorted(java.util.Comparator.reverseOrder()).forEach(Files.delete(_)))

  private def refused(env: Map[String, String]): ConfigError =
    intercept[ConfigError](Settings.parse(Seq.empty, env))

  dir.test("a Kafka option can come from a file, as mounted secrets do") { dir =>
    val jaas = Files.writeString(dir.resolve("jaas"),
      "ScramLoginModule required username=\"app\" password=\"pw\";\n")

    val options = Settings.parse(Seq.empty, Map(
      "KAFKA_OPTION_SASL_JAAS_CONFIG_FILE" -> jaas.toString,
      "KAFKA_OPTION_SASL_MECHANISM" -> "SCRAM-SHA-512")).kafkaOptions

    assertEquals(options, Map(
      "kafka.sasl.jaas.config" -> "ScramLoginModule required username=\"app\" password=\"pw\";",
      "kafka.sasl.mechanism" -> "SCRAM-SHA-512"))
  }

  private val unusable: Seq[(String, Path => Unit, String)] = Seq(
    ("missing", _ => (), "the file does not exist"),
    ("empty", path => Files.writeString(path, ""), "the file is empty"),
    ("binary", path => Files.write(path, "\u00ff\u00fe hunter2".getBytes(ISO_8859_1)),
      "the file is not UTF-8 text"),
    ("directory", path => Files.createDirectory(path), "the path is a directory, not a file"))

  for ((kind, make, problem) <- unusable) {
    dir.test(s"a file that cannot be used is named, its contents never shown: $kind") { dir =>
      val path = dir.resolve("password")
      make(path)

      val error = refused(Map("KAFKA_OPTION_SSL_TRUSTSTORE_PASSWORD_FILE" -> path.toString))

      assertEquals(error.getMessage, s"KAFKA_OPTION_SSL_TRUSTSTORE_PASSWORD_FILE=$path: " +
        s"$problem; e.g. KAFKA_OPTION_SSL_TRUSTSTORE_PASSWORD_FILE=/run/secrets/kafka-password")
      assert(!error.getMessage.contains("hunter2"))
    }
  }

  test("an option set both directly and from a file is refused") {
    val error = refused(Map("KAFKA_OPTION_SASL_JAAS_CONFIG" -> "inline",
      "KAFKA_OPTION_SASL_JAAS_CONFIG_FILE" -> "/x"))

    assertEquals(error.getMessage, "KAFKA_OPTION_SASL_JAAS_CONFIG_FILE=/x: set " +
      "KAFKA_OPTION_SASL_JAAS_CONFIG or KAFKA_OPTION_SASL_JAAS_CONFIG_FILE, not both; " +
      "e.g. unset KAFKA_OPTION_SASL_JAAS_CONFIG")
  }

  for (name <- Seq("KAFKA_OPTION_SSL_KEYSTORE_PASSWORD", "KAFKA_OPTION_SASL_JAAS_CONFIG",
      "KAFKA_OPTION_CLIENT_SECRET", "KAFKA_OPTION_SASL_OAUTHBEARER_TOKEN", "KAFKA_OPTION_SSL_KEY",
      "kafka_option_ssl_key_password")) {
    test(s"config errors never show the value of a secret-looking setting: $name") {
      assertEquals(ConfigError(name, "hunter2", "a rule", "an example").getMessage,
        s"$name=<redacted>: a rule; e.g. an example")
    }
  }

  test("a refused secret-looking option is redacted too") {
    val error = refused(Map("KAFKA_OPTION_KEY_SERIALIZER" -> "com.example.Hunter2Serializer"))

    assert(error.getMessage.startsWith(
      "KAFKA_OPTION_KEY_SERIALIZER=<redacted>: set by the app itself"), error.getMessage)
  }
}
