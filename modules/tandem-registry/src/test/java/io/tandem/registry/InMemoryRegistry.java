package io.tandem.registry;

import io.tandem.core.retry.RetryPolicy;
import io.tandem.registry.client.SchemaRegistryClient;
import io.tandem.registry.server.EmbeddedSchemaRegistry;
import java.net.URI;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A fresh in-memory embedded registry per test, served over real HTTP, with a client that does
 * not retry (so a test sees the first answer). Use with {@code @RegisterExtension}.
 */
public final class InMemoryRegistry implements BeforeEachCallback, AfterEachCallback {
  private EmbeddedSchemaRegistry registry;
  private SchemaRegistryClient client;

  @Override
  public void beforeEach(ExtensionContext context) {
    registry = EmbeddedSchemaRegistry.builder().inMemoryStorageForTests().start();
    client = newClient();
  }

  @Override
  public void afterEach(ExtensionContext context) {
    registry.close();
  }

  public URI url() {
    return registry.url();
  }

  /** The test's shared client. */
  public SchemaRegistryClient client() {
    return client;
  }

  /** A client with empty caches, to prove an answer came from the registry and not a cache. */
  public SchemaRegistryClient newClient() {
    return SchemaRegistryClient.builder(registry.url()).retry(RetryPolicy.none()).build();
  }
}
