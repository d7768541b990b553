package {{ cookiecutter.java_package }};

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The shared contract vectors: every variant's transform maps each input to its expected one, and
 * the validating example with the dead-letter routing sends each record where it says.
 */
class ContractTest {

    private final SparkSession spark = LocalSpark.get();

    static Stream<Arguments> cases() throws IOException {
        return Records.loadVectors().stream().map(c -> Arguments.of(c.get("name").asText(), c));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void transformMeetsContractVector(String name, JsonNode vector) {
        Row input = Records.decode(vector.get("input"));

        List<Row> output =
                Transform.apply(Records.sourceFrame(spark, List.of(input))).collectAsList();

        assertEquals(List.of(Records.showDecoded(Records.decode(vector.get("expected")))),
                output.stream().map(Records::show).collect(Collectors.toList()));
    }

    @Test
    void allVectorsInOneBatchKeepOrderAndCount() throws IOException {
        List<JsonNode> vectors = Records.loadVectors();
        List<Row> inputs = vectors.stream().map(c -> Records.decode(c.get("input")))
                .collect(Collectors.toList());

        List<Row> output = Transform.apply(Records.sourceFrame(spark, inputs)).collectAsList();

        assertEquals(
                vectors.stream().map(c -> Records.showDecoded(Records.decode(c.get("expected"))))
                        .collect(Collectors.toList()),
                output.stream().map(Records::show).collect(Collectors.toList()));
    }

    static Stream<Arguments> deadLetterCases() throws IOException {
        return Records.loadVectors("validate_json").stream()
                .map(c -> Arguments.of(c.get("name").asText(), c));
    }

    private List<String> validatedAndRouted(List<JsonNode> inputs) {
        Dataset<Row> rows = Transform.validateJson(Records.sourceFrameAsRead(spark, inputs));
        return Routing.kafkaRecords(rows, "out", "dlq").collectAsList().stream()
                .map(Records::showRouted).collect(Collectors.toList());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("deadLetterCases")
    void validatingExampleSendsEachRecordWhereItsVectorSays(String name, JsonNode vector) {
        List<String> output = validatedAndRouted(List.of(vector.get("input")));

        assertEquals(List.of(Records.showRoutedDecoded(vector.get("expected"))), output);
    }

    @Test
    void validatingExampleRoutesAllVectorsInOneBatch() throws IOException {
        List<JsonNode> vectors = Records.loadVectors("validate_json");

        List<String> output = validatedAndRouted(
                vectors.stream().map(c -> c.get("input")).collect(Collectors.toList()));

        assertEquals(vectors.stream().map(c -> Records.showRoutedDecoded(c.get("expected")))
                .collect(Collectors.toList()), output);
    }
}
