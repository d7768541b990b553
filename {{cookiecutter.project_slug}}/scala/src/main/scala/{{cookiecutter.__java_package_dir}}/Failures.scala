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
    "this user READ and DESCRIBE on KAFKA_IN_TOPIC and WRITE and DESCRIBE on KAFKA_OUT_TOPIC" +
    " and KAFKA_DLQ_TOPIC"
  private val KafkaErrors = "org.apache.kafka.common.errors."

  /** One throwable of a cause chain: its class names (the class, then its superclasses). */
  final case class Cause(classes: Seq[String], message: String)

  /** A Java class anywhere in the cause chain -> the line to print. The first match wins: a
    * TLS failure is also an AuthenticationException.
    */
  private val Hints: Seq[(String, Set[String])] = Seq(
    TlsFailed -> Set(KafkaErrors + "SslAuthenticationException", "javax.net.ssl.SSLException"),
    AuthenticationFailed -> Set(KafkaErrors + "AuthenticationException"),
    AuthorizationFailed -> Set(KafkaErrors + "AuthorizationException"))

  /** The line for a failed query (without "ERROR: "). */
  def describe(error: Throwable): String =
    describe(causes(error), s"the query failed: ${App.failureReason(error)}")

  /** `causes`: the failure and each of its causes, outermost first. The detail shown is the
    * innermost message, which names the actual problem.
    */
  def describe(causes: Seq[Cause], fallback: String): String =
    Hints.find { case (_, wanted) => causes.exists(_.classes.exists(wanted)) } match {
      case Some((text, _)) =>
        val detail = causes.map(_.message).filterNot(_.isBlank).lastOption.getOrElse("no details")
        text.format(ProgressLogger.firstLine(detail))
      case None => fallback
    }

  /** `error` and each of its causes, outermost first. */
  def causes(error: Throwable): Seq[Cause] =
    Iterator.iterate(error)(_.getCause).takeWhile(_ != null).take(50).map { e =>
      val classes = Iterator.iterate[Class[_]](e.getClass)(_.getSuperclass).takeWhile(_ != null)
      Cause(classes.map(_.getName).toSeq, Option(e.getMessage).getOrElse(""))
    }.toSeq
}
