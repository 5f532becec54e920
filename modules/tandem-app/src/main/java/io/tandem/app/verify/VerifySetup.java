package io.tandem.app.verify;

import io.tandem.app.config.TandemConfig;
import io.tandem.capture.ConnectorConfig;
import io.tandem.core.config.ConfigException;
import io.tandem.core.mapping.Mapping;
import io.tandem.core.mapping.MappingLoader;
import io.tandem.transform.EntitySchema;
import io.tandem.verify.Connector;
import io.tandem.verify.VerifyOptions;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a verification needs, read from {@code tandem.yaml} and the connector file before any
 * connection is opened: the mapped entities, both databases, Kafka and the registry.
 */
public record VerifySetup(TandemConfig config, List<Mapping> mappings, Map<String, EntitySchema> schemas,
    Connector legacy, String legacyDescription, Connector legacyPrimary, java.util.Optional<String> signalTable,
    Connector fresh, Map<String, Object> kafka, URI registry) {

  /** @throws ConfigException naming the file and key when something the verifier needs is missing */
  public static VerifySetup of(TandemConfig config, Map<String, String> env) {
    String source = config.file().toString();
    TandemConfig.Target target = config.target().orElseThrow(() -> new ConfigException(source, "target",
        "a section with jdbcUrl, user and password (the verifier reads the new database)", null));
    config.checkFor(java.util.Set.of(io.tandem.app.Component.SINK, io.tandem.app.Component.TRANSFORM));
    ConnectorConfig connector = ConnectorConfig.load(config.legacy().connector(), config.legacyEnvironment(env));
    List<Mapping> mappings = MappingLoader.loadAll(config.schemas().mappings());
    Map<String, EntitySchema> schemas = new LinkedHashMap<>();
    for (Mapping mapping : mappings) {
      schemas.put(mapping.entity(), EntitySchema.load(config.schemas().avro(), mapping));
    }
    String legacyUrl = config.verify().legacyReplicaUrl().orElse(connector.jdbcUrl());
    Map<String, Object> kafka = new LinkedHashMap<>(config.kafka().properties());
    kafka.put("bootstrap.servers", config.kafka().bootstrapServers());
    URI registry = config.registry().embedded()
        .map(e -> URI.create("http://" + (e.host().equals("0.0.0.0") ? "127.0.0.1" : e.host()) + ":" + e.port()))
        .orElseGet(() -> config.registry().urls().get(0));
    return new VerifySetup(config, mappings, schemas,
        Connector.jdbc(legacyUrl, connector.user(), connector.password()),
        withoutCredentials(legacyUrl) + (config.verify().legacyReplicaUrl().isPresent() ? " (replica)" : ""),
        Connector.jdbc(connector.jdbcUrl(), connector.user(), connector.password()), connector.signalTable(),
        Connector.jdbc(target.jdbcUrl(), target.user(), target.password()), kafka, registry);
  }

  /** The entities to verify: all, or those named (an unknown name is a usage error naming the known ones). */
  public List<Mapping> select(List<String> entities) {
    if (entities == null || entities.isEmpty()) {
      return mappings;
    }
    List<Mapping> selected = new ArrayList<>();
    for (String entity : entities) {
      selected.add(mappings.stream().filter(m -> m.entity().equals(entity)).findFirst()
          .orElseThrow(() -> new IllegalArgumentException("unknown entity '" + entity + "'; mapped entities: "
              + mappings.stream().map(Mapping::entity).toList())));
    }
    return selected;
  }

  public VerifyOptions options(boolean showValues, String cohort) {
    TandemConfig.Verify verify = config.verify();
    return new VerifyOptions(verify.chunkSize(), verify.legacyRowsPerSecond(), verify.recheckDelay(),
        verify.recheckRounds(), showValues, cohort);
  }

  private static String withoutCredentials(String url) {
    int query = url.indexOf('?');
    return query < 0 ? url : url.substring(0, query);
  }
}
