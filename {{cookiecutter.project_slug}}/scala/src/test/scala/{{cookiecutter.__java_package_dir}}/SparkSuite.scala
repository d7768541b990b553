package {{ cookiecutter.java_package }}

import scala.concurrent.duration.Duration

import org.apache.spark.sql.SparkSession

/** The base of every suite, on the one local SparkSession of all unit tests (LocalSpark, shared
  * with the runtime's tests). MUnit fails a test after 30 s by default; the first test of a run
  * starts the SparkSession, which takes longer than that on a busy machine.
  */
abstract class SparkSuite extends munit.FunSuite {
  override val munitTimeout: Duration = Duration(10, "min")

  protected lazy val spark: SparkSession = LocalSpark.get()
}
