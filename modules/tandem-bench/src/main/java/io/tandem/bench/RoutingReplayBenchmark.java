package io.tandem.bench;

import io.tandem.embedded.EmbeddedKafkaBroker;
import io.tandem.routing.Command;
import io.tandem.routing.Phase;
import io.tandem.routing.Proposal;
import io.tandem.routing.ProposalCodec;
import io.tandem.routing.RoutingLog;
import io.tandem.routing.RoutingStateMachine;
import io.tandem.routing.Selector;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * What a routing log of many changes costs a router replica: the time to replay it on start, the heap it keeps
 * afterwards with the default bounds and with every version and audit entry kept (as before the bounds), and the
 * time to recall the first version and the first audit page from the log. The log: one entity, a key-list cohort
 * of {@code bench.keys} keys replaced with a new list every {@code bench.keyListEvery}-th change, the other changes
 * moving a percentage cohort (each change is a routing version).
 *
 * <pre>java -Xmx2g -Dbench.records=20000 -cp modules/tandem-bench/target/classes:modules/tandem-demo/target/tandem-demo.jar io.tandem.bench.RoutingReplayBenchmark</pre>
 */
public final class RoutingReplayBenchmark {
  private RoutingReplayBenchmark() {}

  public static void main(String[] args) throws Exception {
    int records = Integer.getInteger("bench.records", 20_000);
    int keys = Integer.getInteger("bench.keys", 1_000);
    int keyListEvery = Integer.getInteger("bench.keyListEvery", 10);
    try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.start()) {
      String topic = "tandem.routing.bench";
      io.tandem.router.RoutingLogWriter.ensureTopic(Map.of("bootstrap.servers", kafka.bootstrapServers()), topic, (short) 1);
      long written = System.nanoTime();
      write(kafka.bootstrapServers(), topic, records, keys, keyListEvery);
      System.out.printf("wrote %,d records in %.1f s%n", records, (System.nanoTime() - written) / 1e9);
      Map<String, Object> client = Map.of("bootstrap.servers", kafka.bootstrapServers());

      for (boolean bounded : new boolean[] {false, true}) {
        heapUsed(); // settle before measuring
        long heapBefore = heapUsed();
        long started = System.nanoTime();
        RoutingLog log = bounded
            ? RoutingLog.follow(client, topic, RoutingStateMachine.DEFAULT_MATERIALISED_VERSIONS)
            : RoutingLog.follow(client, topic, RoutingStateMachine.DEFAULT_MATERIALISED_VERSIONS, 1_000_000, 1_000_000);
        try (log) {
          log.awaitCaughtUp(Duration.ofMinutes(10));
          double replay = (System.nanoTime() - started) / 1e9;
          long retained = heapUsed() - heapBefore;
          System.out.printf("%s: replay %.2f s (%,.0f records/s), version %d, heap retained %.1f MiB, "
                  + "versions in memory %d, audit entries in memory %d%n",
              bounded ? "bounded (defaults: 1000 versions, 10000 audit entries)" : "everything kept",
              replay, records / replay, log.state().version(), retained / 1048576.0,
              log.machine().keptVersions(), log.machine().audit().size());
          if (bounded) {
            // The first version is the cheapest to recall, the newest one no longer kept the dearest.
            for (long version : new long[] {2, log.state().version() - 1_001}) {
              long recall = System.nanoTime();
              log.machine().recall(version);
              System.out.printf("recall of version %d from the log: %.2f s%n", version,
                  (System.nanoTime() - recall) / 1e9);
            }
            for (long before : new long[] {100, log.nextOffset() - 10_000}) {
              long page = System.nanoTime();
              int entries = log.auditBefore(before, 100, e -> true, Duration.ofMinutes(5)).size();
              System.out.printf("audit page of %d entries below offset %d, from the log: %.2f s%n", entries, before,
                  (System.nanoTime() - page) / 1e9);
            }
          }
        }
      }
    }
  }

  private static void write(String bootstrap, String topic, int records, int keys, int keyListEvery) {
    Map<String, Object> settings = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ProducerConfig.LINGER_MS_CONFIG, 20, ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 8 << 20);
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(settings, new ByteArraySerializer(),
        new ByteArraySerializer())) {
      long version = 0;
      Instant time = Instant.parse("2026-12-06T00:00:00Z");
      send(producer, topic, version++, time, new Command.DefineEntity("customer", List.of()));
      send(producer, topic, version++, time, new Command.CreateCohort("customer", "vip",
          new Selector.Keys(keyList(0, keys)), Phase.LEGACY, -1));
      send(producer, topic, version++, time, new Command.CreateCohort("customer", "wave",
          new Selector.Percent(100, "customer/wave"), Phase.SHADOW, -1));
      for (int i = 3; i < records; i++) {
        Command change = i % keyListEvery == 0
            ? new Command.UpdateSelector("customer", "vip", new Selector.Keys(keyList(i, keys)))
            : new Command.UpdateSelector("customer", "wave", new Selector.Percent(100 + i % 5000, "customer/wave"));
        send(producer, topic, version++, time, change);
      }
      producer.flush();
    }
  }

  private static void send(KafkaProducer<byte[], byte[]> producer, String topic, long expected, Instant time,
      Command command) {
    Proposal proposal = new Proposal("bench-" + expected, expected, "bench", "replay benchmark", time, true, command);
    producer.send(new ProducerRecord<>(topic, 0, null, ProposalCodec.encode(proposal)));
  }

  private static Set<String> keyList(int seed, int keys) {
    Set<String> list = new HashSet<>();
    for (int k = 0; k < keys; k++) {
      list.add(Integer.toString(seed * 7919 + k));
    }
    return list;
  }

  private static long heapUsed() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    Runtime runtime = Runtime.getRuntime();
    return runtime.totalMemory() - runtime.freeMemory();
  }
}
