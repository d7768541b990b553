package {{ cookiecutter.java_package }};

import org.apache.spark.sql.SparkSession;

/** One small local SparkSession for all unit tests: no Kafka, no connector download, no UI. */
public final class LocalSpark {

    private static SparkSession session;

    private LocalSpark() {
    }

    public static synchronized SparkSession get() {
        if (session == null) {
            session = SparkSession.builder()
                    .master("local[1]")
                    .appName("unit-tests")
                    .config("spark.ui.enabled", "false")
                    .config("spark.sql.shuffle.partitions", "1")
                    .getOrCreate();
            session.sparkContext().setLogLevel("ERROR");
        }
        return session; // Spark's shutdown hook stops it when the test JVM exits
    }
}
