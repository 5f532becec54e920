package io.tandem.runtime;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.tandem.core.lifecycle.LifecycleComponent;
import io.tandem.core.lifecycle.State;
import io.tandem.kafka.KafkaClients;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
 * Records behind per consumer group (end offset − committed offset, summed over partitions), read with
 * the admin API every few seconds and exported as {@code tandem_consumer_lag_records}. NaN until the
 * first successful read; a failed read keeps the last value and is retried.
 */
public final class ConsumerLag extends LifecycleComponent {
  private static final Logger LOG = LoggerFactory.getLogger(ConsumerLag.class);

  private final KafkaClients kafka;
  private final List<String> groups;
  private final Duration interval;
  private final Map<String, Double> lag = new ConcurrentHashMap<>();
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread thread = new Thread(r, "tandem-consumer-lag");
    thread.setDaemon(true);
    return thread;
  });
  private volatile Admin admin;

  public ConsumerLag(KafkaClients kafka, List<String> groups, Duration interval) {
    super("consumer-lag");
    this.kafka = kafka;
    this.groups = List.copyOf(groups);
    this.interval = interval;
  }

  @Override
  public void bindTo(MeterRegistry meters) {
    for (String group : groups) {
      Gauge.builder("tandem.consumer.lag.records", lag, l -> l.getOrDefault(group, Double.NaN)).tags("group", group)
          .description("Records not yet processed by the consumer group").register(meters);
    }
  }

  @Override
  public void start() {
    lifecycle.beginStart();
    admin = kafka.admin("tandem-consumer-lag");
    scheduler.scheduleWithFixedDelay(this::refresh, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    lifecycle.markRunning();
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
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends =
            admin.listOffsets(latest).all().get(10, TimeUnit.SECONDS);
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

  /** The group's backlog at the last look, -1 before the first or when it cannot be read. */
  public long lag(String group) {
    Double behind = lag.get(group);
    return behind == null ? -1 : behind.longValue();
  }

  @Override
  public String status() {
    return state() + "  groups " + groups + ": " + lag;
  }

  @Override
  public void close() {
    lifecycle.requestStop();
    scheduler.shutdownNow();
    if (admin != null) {
      admin.close(Duration.ofSeconds(5));
    }
    lifecycle.finish(null);
  }
}
