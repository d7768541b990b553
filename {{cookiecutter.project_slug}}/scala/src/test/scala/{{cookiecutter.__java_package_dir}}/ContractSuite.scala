package {{ cookiecutter.java_package }}

import java.util.Collections.singletonList

import org.apache.spark.sql.DataFrame

/** The shared contract vectors: this variant's transform maps each input to the records the
  * Python transform gives (contract/vectors.json), and the validating example with the
  * dead-letter routing sends each record where it says. ContractVectors.check fails naming the
  * case.
  */
class ContractSuite extends SparkSuite {

  private val cases = ContractVectors.load("cases")
  private val deadLetterCases = ContractVectors.load("validate_json")

  private def validatedAndRouted(records: DataFrame): DataFrame =
    Routing.kafkaRecords(Transform.validateJson(records), "out", "dlq")

  cases.forEach { (vector: ContractVectors.Case) =>
    test(s"transform meets contract vector: ${vector.name}") {
      ContractVectors.check(spark, singletonList(vector), records => Transform(records))
    }
  }

  test("all vectors in one batch keep order and count") {
    ContractVectors.check(spark, cases, records => Transform(records))
  }

  deadLetterCases.forEach { (vector: ContractVectors.Case) =>
    test(s"validating example sends each record where its vector says: ${vector.name}") {
      ContractVectors.check(spark, singletonList(vector), records => validatedAndRouted(records))
    }
  }

  test("validating example routes all vectors in one batch") {
    ContractVectors.check(spark, deadLetterCases, records => validatedAndRouted(records))
  }
}
