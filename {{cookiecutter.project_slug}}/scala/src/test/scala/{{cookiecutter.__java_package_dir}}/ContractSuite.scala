package {{ cookiecutter.java_package }}

import java.util.Collections.singletonList

import org.apache.spark.sql.DataFrame

/** The shared contract vectors: this variant's transform maps each input to the records the
  * Python transform gives (contract/vectors.json), and the validating example with the
  * dead-letter routing sends each record where it says. ContractVectors.check fails naming the
  * case.
  */
class ContractSuite extends SparkSuite {

  /** Each section of the vectors and what it runs: the transform, or the validating example
    * routed.
    */
  private val sections: Seq[(String, DataFrame => DataFrame)] = Seq(
    "cases" -> ((records: DataFrame) => Transform(records)),
    "validate_json" -> ((records: DataFrame) =>
      Routing.kafkaRecords(Transform.validateJson(records), "out", "dlq")))

  for ((section, pipeline) <- sections) {
    val cases = ContractVectors.load(section)
    cases.forEach { (vector: ContractVectors.Case) =>
      test(s"$section: ${vector.name}") {
        ContractVectors.check(spark, singletonList(vector), records => pipeline(records))
      }
    }

    test(s"$section: all cases in one batch keep order and count") {
      ContractVectors.check(spark, cases, records => pipeline(records))
    }
  }
}
