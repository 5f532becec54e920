package io.tandem.kafka;

import io.tandem.core.config.Secrets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The settings of every Kafka client Tandem creates for one cluster, made in one place.
 *
 * <p>Precedence, lowest first:
 * <ol>
 *   <li>the component's <em>defaults</em> (tuning such as {@code linger.ms}, {@code compression.type});</li>
 *   <li>the deployment's {@code kafka.properties} (security, timeouts, and any tuning it overrides);</li>
 *   <li>the component's <em>fixed</em> settings, which its guarantees rest on (acks, idempotence,
 *       isolation, group, offsets, serializers), and {@code bootstrap.servers}.</li>
 * </ol>
 * So the deployment can tune and secure every client, and no setting can loosen a delivery guarantee.
 */
public final class KafkaClients {
  private final String bootstrapServers;
  private final Map<String, Object> properties;
  private final Optional<String> instanceId;

  private KafkaClients(String bootstrapServers, Map<String, ?> properties, Optional<String> instanceId) {
    if (bootstrapServers == null || bootstrapServers.isBlank()) {
      throw new IllegalArgumentException("bootstrap.servers must not be blank");
    }
    this.bootstrapServers = bootstrapServers;
    Map<String, Object> copy = new LinkedHashMap<>(properties);
    copy.remove(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG);
    this.properties = Map.copyOf(copy);
    this.instanceId = instanceId;
  }

  /** A cluster with no extra client settings. */
  public static KafkaClients of(String bootstrapServers) {
    return new KafkaClients(bootstrapServers, Map.of(), Optional.empty());
  }

  /** A cluster and the deployment's extra client settings ({@code kafka.properties}). */
  public static KafkaClients of(String bootstrapServers, Map<String, ?> properties) {
    return new KafkaClients(bootstrapServers, properties, Optional.empty());
  }

  /** From one client map that holds {@code bootstrap.servers} among the other settings. */
  public static KafkaClients fromConfig(Map<String, ?> config) {
    Object servers = config.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG);
    if (servers == null) {
      throw new IllegalArgumentException("a Kafka client configuration needs bootstrap.servers");
    }
    return new KafkaClients(servers.toString(), config, Optional.empty());
  }

  /** The same clients, whose group members use {@code instanceId} as their static identity (if present). */
  public KafkaClients withInstanceId(Optional<String> instanceId) {
    return new KafkaClients(bootstrapServers, properties, instanceId);
  }

  /**
   * This process's stable identity in consumer groups ({@code kafka.instanceId}): a consumer or Streams
   * member that sets it as {@code group.instance.id} is a static member, so a restart after a crash gets
   * its partitions back without waiting for the dead member's session to expire.
   */
  public Optional<String> instanceId() {
    return instanceId;
  }

  public String bootstrapServers() {
    return bootstrapServers;
  }

  /** The deployment's extra settings, without {@code bootstrap.servers}. */
  public Map<String, Object> properties() {
    return properties;
  }

  /** {@code bootstrap.servers} and the deployment's settings: a client with no defaults of its own. */
  public Map<String, Object> config() {
    return config(Map.of(), Map.of());
  }

  /** A client's settings: {@code defaults}, then the deployment's, then {@code fixed} (see the class comment). */
  public Map<String, Object> config(Map<String, ?> defaults, Map<String, ?> fixed) {
    Map<String, Object> config = new HashMap<>(defaults);
    config.putAll(properties);
    config.putAll(fixed);
    config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    return config;
  }

  /** An admin client; {@code clientId} names it in the broker's logs and quotas. */
  public Admin admin(String clientId) {
    return Admin.create(config(Map.of(), Map.of(AdminClientConfig.CLIENT_ID_CONFIG, clientId)));
  }

  /** A producer of raw bytes. */
  public KafkaProducer<byte[], byte[]> producer(Map<String, ?> defaults, Map<String, ?> fixed) {
    return new KafkaProducer<>(config(defaults, fixed), new ByteArraySerializer(), new ByteArraySerializer());
  }

  /** A consumer of raw bytes. */
  public KafkaConsumer<byte[], byte[]> consumer(Map<String, ?> defaults, Map<String, ?> fixed) {
    return new KafkaConsumer<>(config(defaults, fixed), new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof KafkaClients that && bootstrapServers.equals(that.bootstrapServers)
        && properties.equals(that.properties) && instanceId.equals(that.instanceId);
  }

  @Override
  public int hashCode() {
    return Objects.hash(bootstrapServers, properties, instanceId);
  }

  /** Secret settings masked: safe to log. */
  @Override
  public String toString() {
    Map<String, String> shown = new HashMap<>();
    properties.forEach((key, value) -> shown.put(key, String.valueOf(value)));
    return "KafkaClients[bootstrapServers=" + bootstrapServers + ", properties=" + Secrets.masked(shown)
        + instanceId.map(id -> ", instanceId=" + id).orElse("") + "]";
  }
}
