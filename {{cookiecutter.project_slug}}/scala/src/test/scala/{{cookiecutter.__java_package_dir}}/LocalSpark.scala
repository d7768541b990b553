package {{ cookiecutter.java_package }}

import scala.concurrent.duration._

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

/** A suite that runs Spark jobs: a first job compiles code and a busy machine is slow, so each
  * test gets minutes, not munit's default 30 seconds.
  */
abstract class SparkSuite extends munit.FunSuite {
  override val munitTimeout: Duration = 10.minutes
}
