package {{ cookiecutter.java_package }};

import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The shared contract vectors: this variant's transform maps each input to the records the
 * Python transform gives (contract/vectors.json), and the validating example with the
 * dead-letter routing sends each record where it says.
 */
class ContractTest {

    private final SparkSession spark = LocalSpark.get();

    static List<ContractVectors.Case> cases() {
        return ContractVectors.load("cases");
    }

    static List<ContractVectors.Case> deadLetterCases() {
        return ContractVectors.load("validate_json");
    }

    private static Dataset<Row> validatedAndRouted(Dataset<Row> records) {
        return Routing.kafkaRecords(Transform.validateJson(records), "out", "dlq");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void transformMeetsContractVector(ContractVectors.Case vector) {
        ContractVectors.check(spark, List.of(vector), Transform::apply);
    }

    @Test
    void allVectorsInOneBatchKeepOrderAndCount() {
        ContractVectors.check(spark, cases(), Transform::apply);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("deadLetterCases")
    void validatingExampleSendsEachRecordWhereItsVectorSays(ContractVectors.Case vector) {
        ContractVectors.check(spark, List.of(vector), ContractTest::validatedAndRouted);
    }

    @Test
    void validatingExampleRoutesAllVectorsInOneBatch() {
        ContractVectors.check(spark, deadLetterCases(), ContractTest::validatedAndRouted);
    }
}
