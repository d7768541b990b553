package {{ cookiecutter.java_package }};

import java.util.HashMap;
import java.util.Map;

/**
 * Kafka client defaults that differ from the clients' own, each measured by {@code make bench
 * LEVERS=1} (docs/benchmarks.md); a KAFKA_OPTION_&lt;NAME&gt; setting wins over any of them
 * ({@link Settings#sourceOptions()}, {@link Settings#sinkOptions()}).
 */
final class ClientDefaults {

    /**
     * Fewer, larger polls: Spark's source asks the broker for the partition's offset range after
     * every poll, two round trips that cost more than 500 records (the default).
     */
    static final Map<String, String> SOURCE = Map.of(
            "kafka.max.poll.records", "10000",
            "kafka.max.partition.fetch.bytes", String.valueOf(8 << 20));
    /**
     * Fuller producer batches. Spark flushes the producer when a micro-batch's task ends, so a
     * micro-batch never waits for linger.ms; real-time mode would, so it keeps 0 there.
     */
    static final Map<String, String> SINK = Map.of(
            "kafka.batch.size", String.valueOf(256 << 10),
            "kafka.linger.ms", "10");
    static final Map<String, String> REAL_TIME_SINK = with(SINK, "kafka.linger.ms", "0");

    private ClientDefaults() {
    }

    private static Map<String, String> with(Map<String, String> base, String name, String value) {
        Map<String, String> options = new HashMap<>(base);
        options.put(name, value);
        return Map.copyOf(options);
    }
}
