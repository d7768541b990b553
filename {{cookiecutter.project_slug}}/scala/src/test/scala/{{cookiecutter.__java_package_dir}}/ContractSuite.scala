package {{ cookiecutter.java_package }}

import com.fasterxml.jackson.databind.JsonNode

/** The shared contract vectors: every variant's transform maps each input to its expected
  * output, and the validating example with the dead-letter routing sends each record where it
  * says.
  */
class ContractSuite extends SparkSuite {

  private lazy val spark = LocalSpark.spark
  private val cases = Records.loadVectors()

  for (vector <- cases) {
    test(s"transform meets contract vector: ${vector.get("name").asText}") {
      val input = Records.decode(vector.get("input"))

      val output = Transform(Records.sourceFrame(spark, Seq(input))).collect().toSeq

      assertEquals(Records.fromRows(output), Seq(Records.decode(vector.get("expected"))))
    }
  }

  test("all vectors in one batch keep order and count") {
    val inputs = cases.map(c => Records.decode(c.get("input")))

    val output = Transform(Records.sourceFrame(spark, inputs)).collect().toSeq

    assertEquals(Records.fromRows(output), cases.map(c => Records.decode(c.get("expected"))))
  }

  private val deadLetterCases = Records.loadVectors("validate_json")

  private def validatedAndRouted(inputs: Seq[JsonNode]): Seq[Records.Record] = {
    val source = Records.sourceFrame(spark, inputs.map(Records.decode), inputs.map(Records.readAt))
    Records.fromRows(
      Routing.kafkaRecords(Transform.validateJson(source), "out", Some("dlq")).collect().toSeq)
  }

  for (vector <- deadLetterCases) {
    test(s"validating example sends each record where its vector says: ${vector.get("name").asText}") {
      assertEquals(validatedAndRouted(Seq(vector.get("input"))),
        Seq(Records.decode(vector.get("expected"))))
    }
  }

  test("validating example routes all vectors in one batch") {
    assertEquals(validatedAndRouted(deadLetterCases.map(_.get("input"))),
      deadLetterCases.map(c => Records.decode(c.get("expected"))))
  }
}
