package {{ cookiecutter.java_package }}

/** The one line the app prints when its query fails: for a rejected login, a failed TLS
  * handshake or a denied topic, what happened and which settings to check (the same text in
  * every variant); otherwise the error's first line.
  */
object Failures {

  val TlsFailed: String = "Kafka TLS handshake failed (%s): check that " +
    "KAFKA_OPTION_SSL_TRUSTSTORE_LOCATION holds the CA that signed the broker's certificate, " +
    "that the certificate covers the host in KAFKA_BROKERS, and for mutual TLS the client " +
    "certificate in KAFKA_OPTION_SSL_KEYSTORE_LOCATION"
  val AuthenticationFailed: String = "Kafka authentication failed (%s): check the user name " +
    "and password in KAFKA_OPTION_SASL_JAAS_CONFIG and the mechanism in " +
    "KAFKA_OPTION_SASL_MECHANISM"
  val AuthorizationFailed: String = "Kafka refused access (%s): the broker's ACLs must give " +
    "this user READ and DESCRIBE on KAFKA_IN_TOPIC and WRITE and DESCRIBE on KAFKA_OUT_TOPIC"
  private val KafkaErrors = "org.apache.kafka.common.errors."

  /** Java classes in the cause chain, and what they mean; the first that matches wins. */
  private val Causes: Seq[(String, Set[String])] = Seq(
    // A TLS failure is also an AuthenticationException: it comes first.
    TlsFailed -> Set(KafkaErrors + "SslAuthenticationException",
      "javax.net.ssl.SSLHandshakeException"),
    AuthenticationFailed -> Set(KafkaErrors + "SaslAuthenticationException",
      KafkaErrors + "AuthenticationException"),
    AuthorizationFailed -> Set(KafkaErrors + "TopicAuthorizationException",
      KafkaErrors + "GroupAuthorizationException", KafkaErrors + "ClusterAuthorizationException"))

  /** The line for a failed query (without "ERROR: "). */
  def describe(error: Throwable): String =
    describe(causes(error), s"the query failed: ${App.firstLine(error)}")

  /** `causes`: class name and message of the failure and each of its causes, outermost first.
    * The detail is the innermost message, which names the actual problem.
    */
  def describe(causes: Seq[(String, String)], fallback: String): String =
    Causes.find { case (_, classes) => causes.exists(c => classes(c._1)) } match {
      case Some((text, _)) =>
        val detail = causes.map(_._2).filterNot(_.isBlank).lastOption.getOrElse("no details")
        text.format(ProgressLogger.firstLine(detail))
      case None => fallback
    }

  /** Class name and message of `error` and each of its causes, outermost first. */
  def causes(error: Throwable): Seq[(String, String)] =
    Iterator.iterate(error)(_.getCause).takeWhile(_ != null).take(50)
      .map(e => (e.getClass.getName, Option(e.getMessage).getOrElse(""))).toSeq
}
