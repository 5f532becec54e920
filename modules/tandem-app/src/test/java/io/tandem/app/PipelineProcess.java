package io.tandem.app;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tandem.registry.client.SchemaRegistryClient;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * The pipeline alone in a JVM of its own, so that a test can kill it without any graceful close
 * ({@code Process.destroyForcibly}: SIGKILL). Arguments: bootstrap, registry URL, legacy host,
 * legacy port, legacy database, slot name, new-DB JDBC URL, schemas folder, connector file.
 */
public final class PipelineProcess {
  public static void main(String[] args) throws Exception {
    Map<String, String> env = new HashMap<>(System.getenv());
    env.put("KAFKA_BOOTSTRAP_SERVERS", args[0]);
    env.put("LEGACY_DB_HOST", args[2]);
    env.put("LEGACY_DB_PORT", args[3]);
    env.put("LEGACY_DB_NAME", args[4]);
    env.put("LEGACY_SLOT_NAME", args[5]);
    env.put("LEGACY_PUBLICATION_NAME", args[5]);
    env.put("LEGACY_DB_USER", "postgres");
    env.put("LEGACY_DB_PASSWORD", "");
    env.put("LEGACY_TABLES", "public.customers,public.addresses,public.orders");
    env.put("TANDEM_OFFSET_REPLICATION_FACTOR", "1");
    SchemaRegistryClient registry = SchemaRegistryClient.builder(URI.create(args[1])).build();
    Pipeline.Settings settings = new Pipeline.Settings(Path.of(args[8]), env, Path.of(args[7]), args[0], registry,
        args[6], "postgres", "", Files.createTempDirectory("tandem-streams-proc"), 2);
    Pipeline pipeline = Pipeline.start(settings, new SimpleMeterRegistry());
    System.out.println("PIPELINE STARTED");
    System.out.flush();
    new CountDownLatch(1).await(); // until killed
    pipeline.close();
  }
}
