package {{ cookiecutter.java_package }};

import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The shared contract vectors: this variant's transform maps each input to the records the
 * Python transform gives (contract/vectors.json), and the validating example with the
 * dead-letter routing sends each record where it says.
 */
class ContractTest {

    private final SparkSession spark = LocalSpark.get();

    /** What a section of the vectors runs: the transform, or the validating example routed. */
    private static UnaryOperator<Dataset<Row>> pipeline(String section) {
        return section.equals("cases") ? Transform::apply
                : records -> Routing.kafkaRecords(Transform.validateJson(records), "out", "dlq");
    }

    static Stream<Arguments> cases() {
        return Stream.of("cases", "validate_json").flatMap(section -> ContractVectors
                .load(section).stream().map(vector -> Arguments.of(section, vector)));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("cases")
    void eachCaseGivesTheRecordsItsVectorSays(String section, ContractVectors.Case vector) {
        ContractVectors.check(spark, List.of(vector), pipeline(section));
    }

    @ParameterizedTest
    @ValueSource(strings = {"cases", "validate_json"})
    void allCasesOfASectionInOneBatchKeepOrderAndCount(String section) {
        ContractVectors.check(spark, ContractVectors.load(section), pipeline(section));
    }
}
