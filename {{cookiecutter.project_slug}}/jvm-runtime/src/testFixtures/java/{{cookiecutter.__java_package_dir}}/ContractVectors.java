package {{ cookiecutter.java_package }};

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The contract vectors (contract/vectors.json) and the check that the Java and Scala contract
 * tests run with them. Every expected record comes from the Python transform: `make vectors`
 * writes them. So a variant whose transform does not do what the Python one does fails here,
 * with the case's name and both sides in the file's encoding.
 */
public final class ContractVectors {

    static final String HOW_TO_FIX = "The expected records come from the Python transform "
            + "(`make vectors` writes them): change this variant's transform the same way, or "
            + "run `make vectors` after changing the Python one.";

    /**
     * One case of a section: its input record and the records it must give (maybe none). A class,
     * not a record: Scala 2.12 reads this source and cannot parse records.
     */
    public static final class Case {
        private final String section;
        private final String name;
        private final JsonNode input;
        private final List<JsonNode> expected;

        Case(String section, String name, JsonNode input, List<JsonNode> expected) {
            this.section = section;
            this.name = name;
            this.input = input;
            this.expected = expected;
        }

        public String name() {
            return name;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private ContractVectors() {
    }

    /** The cases of a section: "cases" (the default transform's) or "validate_json". */
    public static List<Case> load(String section) {
        JsonNode vectors = ContractFiles.read("vectors.json");
        List<Case> cases = new ArrayList<>();
        for (JsonNode vector : (section.equals("cases") ? vectors : vectors.get(section))
                .get("cases")) {
            List<JsonNode> expected = new ArrayList<>();
            vector.get("expected").forEach(expected::add);
            cases.add(new Case(section, vector.get("name").asText(), vector.get("input"),
                    expected));
        }
        return cases;
    }

    /**
     * Runs {@code pipeline} on the inputs of {@code cases} in one batch and checks that it gives
     * each case's expected records, in order (the last case also owns any extra records).
     *
     * @throws AssertionError naming the first case whose records differ
     */
    public static void check(SparkSession spark, List<Case> cases,
            UnaryOperator<Dataset<Row>> pipeline) {
        List<JsonNode> inputs =
                cases.stream().map(vector -> vector.input).collect(Collectors.toList());
        List<JsonNode> actual = pipeline.apply(Records.fromVectors(spark, inputs))
                .collectAsList().stream().map(Records::encode).collect(Collectors.toList());
        int next = 0;
        for (int i = 0; i < cases.size(); i++) {
            Case vector = cases.get(i);
            int end = i == cases.size() - 1 ? actual.size()
                    : Math.min(actual.size(), next + vector.expected.size());
            List<JsonNode> given = actual.subList(Math.min(next, end), end);
            if (!given.equals(vector.expected)) {
                throw new AssertionError("contract case \"" + vector.name + "\" ("
                        + vector.section + " in contract/vectors.json): this variant gives\n"
                        + lines(given) + "but the case expects\n" + lines(vector.expected)
                        + HOW_TO_FIX);
            }
            next = end;
        }
    }

    private static String lines(List<JsonNode> records) {
        return records.isEmpty() ? "    no records\n" : records.stream()
                .map(record -> "    " + record + "\n").collect(Collectors.joining());
    }
}
