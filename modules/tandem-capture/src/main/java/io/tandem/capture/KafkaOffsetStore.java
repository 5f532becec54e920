package io.tandem.capture;

import io.debezium.embedded.KafkaConnectUtil;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.connect.runtime.WorkerConfig;
import org.apache.kafka.connect.storage.KafkaOffsetBackingStore;
import org.apache.kafka.connect.util.SharedTopicAdmin;

/**
 * Kafka Connect's {@link KafkaOffsetBackingStore} that closes its admin client when stopped. The
 * capture engine runs it in place of {@code org.apache.kafka.connect.storage.KafkaOffsetBackingStore}:
 * Debezium 3.6's embedded factory for that class creates an admin client that nothing ever closes
 * (one leaked client thread per engine run). Same topic, same offset format. Public only because
 * Debezium instantiates it by class name; not meant for direct use.
 */
public final class KafkaOffsetStore extends KafkaOffsetBackingStore {
  private final AtomicReference<SharedTopicAdmin> admin;

  public KafkaOffsetStore() {
    this(new AtomicReference<>());
  }

  private KafkaOffsetStore(AtomicReference<SharedTopicAdmin> admin) {
    // Debezium's own offset converter, so offsets stay readable by a stock engine and vice versa.
    super(() -> admin.get().get(), () -> "tandem-capture-", KafkaConnectUtil.converterForOffsetStore());
    this.admin = admin;
  }

  @Override
  public void configure(WorkerConfig config) {
    Map<String, Object> adminConfig = new HashMap<>(config.originals());
    adminConfig.put(CommonClientConfigs.CLIENT_ID_CONFIG, "tandem-capture-offsets-admin");
    SharedTopicAdmin previous = admin.getAndSet(new SharedTopicAdmin(adminConfig));
    if (previous != null) {
      previous.close();
    }
    super.configure(config);
  }

  @Override
  public void stop() {
    try {
      super.stop();
    } finally {
      SharedTopicAdmin current = admin.getAndSet(null);
      if (current != null) {
        current.close();
      }
    }
  }
}
