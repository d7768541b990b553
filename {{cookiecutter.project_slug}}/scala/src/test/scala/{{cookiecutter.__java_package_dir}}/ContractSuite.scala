package {{ cookiecutter.java_package }}

/** The shared contract vectors: every variant's transform maps each input to its expected
  * output.
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
}
