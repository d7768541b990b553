import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Baseline (c), the broker's ceiling for a consume-then-produce pipeline on this machine: the
 * Java Kafka clients in one thread, no Spark. Re-produces each record (key, value, headers),
 * then flushes and commits each polled batch (at-least-once, like the app). Stops after EXPECTED.
 *
 * <pre>java -cp &lt;kafka classpath&gt; JvmLoop.java BOOTSTRAP IN_TOPIC OUT_TOPIC EXPECTED</pre>
 */
public final class JvmLoop {

    private JvmLoop() {
    }

    public static void main(String[] args) {
        String bootstrap = args[0];
        String inTopic = args[1];
        String outTopic = args[2];
        long expected = Long.parseLong(args[3]);

        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "jvm-loop-" + UUID.randomUUID());
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "10000");
        c.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(4 << 20));
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.LINGER_MS_CONFIG, "10");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(256 << 10));

        try (KafkaConsumer<byte[], byte[]> consumer =
                     new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
             KafkaProducer<byte[], byte[]> producer =
                     new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            consumer.subscribe(List.of(inTopic));
            event("started", 0);
            long done = 0;
            while (done < expected) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofSeconds(1));
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    producer.send(new ProducerRecord<>(outTopic, null, r.key(), r.value(), r.headers()));
                    done++;
                }
                if (!records.isEmpty()) {
                    producer.flush();
                    consumer.commitAsync();
                }
            }
            event("stopped", done);
        }
    }

    private static void event(String name, long records) {
        System.out.printf(Locale.ROOT, "{\"ts\": %.3f, \"event\": \"%s\", \"app\": \"jvm-loop\", \"records\": %d}%n",
                System.currentTimeMillis() / 1000.0, name, records);
        System.out.flush();
    }
}
