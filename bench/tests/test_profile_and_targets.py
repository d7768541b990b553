from bench import profile_app, targets

JFR_TEXT = """\
jdk.ExecutionSample {
  startTime = 10:00:01.500
  sampledThread = "Executor task launch worker for task 0.0 (TID 1)" (javaThreadId = 80)
  state = "STATE_RUNNABLE"
  stackTrace = [
    org.apache.kafka.common.record.DefaultRecord.writeTo(DataOutputStream, int) line: 1
    org.apache.kafka.clients.producer.KafkaProducer.doSend(ProducerRecord, Callback) line: 2
    org.apache.spark.sql.kafka010.KafkaRowWriter.sendRow(InternalRow, KafkaProducer) line: 3
    org.apache.spark.sql.kafka010.KafkaDataWriter.writeAll(Iterator) line: 4
    ...
  ]
}

jdk.ExecutionSample {
  startTime = 10:00:02.000
  sampledThread = "Executor task launch worker for task 1.0 (TID 2)" (javaThreadId = 81)
  state = "STATE_RUNNABLE"
  stackTrace = [
    org.apache.spark.sql.catalyst.expressions.UnsafeRow.getBinary(int) line: 5
    org.apache.spark.sql.kafka010.KafkaRowWriter.sendRow(InternalRow, KafkaProducer) line: 3
    org.apache.spark.sql.kafka010.KafkaDataWriter.writeAll(Iterator) line: 4
  ]
}
"""


def test_samples_are_read_with_time_thread_and_frames_leaf_first():
    samples = list(profile_app.samples_of(JFR_TEXT))
    assert [round(clock, 1) for clock, _, _ in samples] == [36001.5, 36002.0]
    assert samples[0][1].startswith("Executor task launch worker")
    assert samples[0][2][:2] == ["org.apache.kafka.common.record.DefaultRecord.writeTo",
                                 "org.apache.kafka.clients.producer.KafkaProducer.doSend"]


def test_a_producer_call_from_the_sink_counts_as_producer_and_a_projection_as_sink():
    (_, t1, f1), (_, t2, f2) = profile_app.samples_of(JFR_TEXT)
    assert profile_app.bucket_of(t1, f1).startswith("Kafka producer")
    assert profile_app.bucket_of(t2, f2).startswith("sink: row -> Kafka record")
    assert profile_app.bucket_of("kafka-producer-network-thread | producer-1",
                                 ["sun.nio.ch.EPoll.wait"]).startswith("Kafka producer")


def test_targets_are_ratios_within_the_run():
    def tp(rate):
        return {"records_per_s": rate}

    results = {"throughput": {"bytes100": {"python": tp(100), "jvmloop": tp(400),
                                           "confluent": tp(50), "collect": tp(40),
                                           "java": tp(100)}},
               "latency": {"python/micro-batch": {"rates": {"1000": {"p99_ms": 150}}},
                           "previous/micro-batch": {"rates": {"1000": {"p99_ms": 400}}}}}
    rows = {r["target"]: r for r in targets.targets(results)}
    jvm = next(r for name, r in rows.items() if "Java-client loop" in name)
    assert (jvm["met"], jvm["value"], jvm["detail"]) == (False, 0.25, "missed by 50%")
    assert next(r for n, r in rows.items() if "confluent" in n)["met"] is True
    assert next(r for n, r in rows.items() if "collect" in n)["met"] is False
    latency = next(r for n, r in rows.items() if "0.5x the previous" in n)
    assert latency["met"] is True and latency["value"] == 0.375
