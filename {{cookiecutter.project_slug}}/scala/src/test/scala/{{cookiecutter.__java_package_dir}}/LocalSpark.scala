package {{ cookiecutter.java_package }}

import scala.concurrent.duration.Duration

import org.apache.spark.sql.SparkSession

/** One small local SparkSession for all unit tests: no Kafka, no connector download, no UI. */
object LocalSpark {

  // Spark's shutdown hook stops it when the test JVM exits.
  lazy val spark: SparkSession = {
    val session = SparkSession.builder()
      .master("local[1]")
      .appName("unit-tests")
      .config("spark.ui.enabled", "false")
      .config("spark.sql.shuffle.partitions", "1")
      .getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    session
  }
}

/** The base of every suite. MUnit fails a test after 30 s by default; the first test of a run
  * starts the SparkSession, which takes longer than that on a busy machine. */
abstract class SparkSuite extends munit.FunSuite {
  override val munitTimeout: Duration = Duration(10, "min")
}
