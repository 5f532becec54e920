package io.tandem.capture;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.registry.Compatibility;
import io.tandem.registry.RegistryException;
import io.tandem.registry.client.SchemaRegistryClient;
import io.tandem.registry.server.EmbeddedSchemaRegistry;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A legacy rename against a real (embedded, HTTP) registry: refused under BACKWARD, then relaxed once. */
class RawSubjectsTest {
  private static final Schema BEFORE = SchemaBuilder.record("Row").fields().requiredLong("id")
      .requiredString("full_nm").endRecord();
  private static final Schema RENAMED = SchemaBuilder.record("Row").fields().requiredLong("id")
      .requiredString("customer_nm").endRecord();

  private EmbeddedSchemaRegistry registry;
  private SchemaRegistryClient client;

  @BeforeEach
  void start() throws Exception {
    registry = EmbeddedSchemaRegistry.builder().inMemoryStorageForTests().start();
    client = SchemaRegistryClient.builder(registry.url()).build();
  }

  @AfterEach
  void stop() throws Exception {
    registry.close();
  }

  @Test
  void aRefusedRawVersionRelaxesTheSubjectOnceThenRegisters() {
    client.register("legacy.shop.public.customers-value", BEFORE);
    RuntimeException refused = refusal("legacy.shop.public.customers-value");
    assertThat(new RawSubjects(client).relaxAfter("legacy.shop.public.customers-value", refused)).isTrue();
    assertThat(client.compatibility("legacy.shop.public.customers-value")).contains(Compatibility.NONE);
    assertThat(client.register("legacy.shop.public.customers-value", RENAMED)).isPositive();
  }

  @Test
  void aLevelAnOperatorSetOnTheSubjectIsKept() {
    client.register("legacy.shop.public.orders-value", BEFORE);
    client.setCompatibility("legacy.shop.public.orders-value", Compatibility.FULL);
    RuntimeException refused = refusal("legacy.shop.public.orders-value");
    assertThat(new RawSubjects(client).relaxAfter("legacy.shop.public.orders-value", refused)).isFalse();
    assertThat(client.compatibility("legacy.shop.public.orders-value")).contains(Compatibility.FULL);
  }

  @Test
  void otherFailuresAreNotRelaxed() {
    assertThat(new RawSubjects(client).relaxAfter("legacy.shop.public.x-value",
        new IllegalStateException("not a registry refusal"))).isFalse();
    assertThat(client.compatibility("legacy.shop.public.x-value")).isEmpty();
  }

  private RuntimeException refusal(String subject) {
    try {
      client.register(subject, RENAMED);
    } catch (RegistryException e) {
      assertThat(e.status()).isEqualTo(409);
      return new org.apache.kafka.common.errors.SerializationException("Cannot get a schema id", e);
    }
    throw new AssertionError("the rename must be refused under the default BACKWARD level");
  }
}
