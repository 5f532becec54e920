package io.tandem.app.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records behind per consumer group (end offset − committed offset, summed over partitions),
 * read with the admin API every few seconds and exported as {@code tandem_consumer_lag_records}.
 * NaN until the first successful read.
 */
public final class ConsumerLag implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ConsumerLag.class);

  private final Admin admin;
  private final List<String> groups;
  private final Map<String, Double> lag = new ConcurrentHashMap<>();
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread thread = new Thread(r, "tandem-consumer-lag");
    thread.setDaemon(true);
    return thread;
  });

  /** {@code clientConfig}: extra admin-client settings (security); bootstrap servers are set from the first argument. */
  public ConsumerLag(String bootstrapServers, Map<String, Object> clientConfig, List<String> groups, MeterRegistry meters,
      Duration interval) {
    this.admin = io.tandem.kafka.KafkaClients.of(bootstrapServers, clientConfig).admin("tandem-consumer-lag");
    this.groups = List.copyOf(groups);
    for (String group : groups) {
      Gauge.builder("tandem.consumer.lag.records", lag, l -> l.getOrDefault(group, Double.NaN)).tags("group", group)
          .description("Records not yet processed by the consumer group").register(meters);
    }
    scheduler.scheduleWithFixedDelay(this::refresh, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void refresh() {
    for (String group : groups) {
      try {
        Map<TopicPartition, OffsetAndMetadata> committed =
            admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
        if (committed.isEmpty()) {
          continue;
        }
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        committed.keySet().forEach(tp -> latest.put(tp, OffsetSpec.latest()));
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS);
        long behind = 0;
        for (Map.Entry<TopicPartition, OffsetAndMetadata> entry : committed.entrySet()) {
          if (entry.getValue() != null && ends.containsKey(entry.getKey())) {
            behind += Math.max(0, ends.get(entry.getKey()).offset() - entry.getValue().offset());
          }
        }
        lag.put(group, (double) behind);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (Exception e) {
        LOG.debug("Cannot read the lag of consumer group {}: {}", group, e.getMessage());
      }
    }
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
    admin.close(Duration.ofSeconds(5));
  }
}
