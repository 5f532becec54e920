package io.tandem.registry.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tandem.core.config.ConfigException;
import io.tandem.registry.InMemoryRegistry;
import io.tandem.registry.client.SchemaRegistryClient;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Serde round trips, wire format, evolution and failure modes against a registry over real HTTP. */
class AvroSerdeTest {
  static final Schema V1 = new Schema.Parser().parse("""
      {"type":"record","name":"Customer","namespace":"migrated","fields":[
        {"name":"id","type":"long"},
        {"name":"name","type":"string"},
        {"name":"legacyCode","type":"string"}]}""");
  static final Schema V2 = new Schema.Parser().parse("""
      {"type":"record","name":"Customer","namespace":"migrated","fields":[
        {"name":"id","type":"long"},
        {"name":"name","type":"string"},
        {"name":"status","type":{"type":"enum","name":"Status","symbols":["ACTIVE","CLOSED"]},"default":"ACTIVE"}]}""");

  @RegisterExtension
  final InMemoryRegistry registry = new InMemoryRegistry();
  private SchemaRegistryClient client;

  @BeforeEach
  void useSharedClient() {
    client = registry.client();
  }

  private static GenericRecord customerV1(long id) {
    return new GenericRecordBuilder(V1).set("id", id).set("name", "Ada " + id).set("legacyCode", "C" + id).build();
  }

  @Test
  void roundTripsARecordInConfluentFraming() {
    AvroSerializer serializer = new AvroSerializer(AvroSerdeConfig.withClient(client), false);
    AvroDeserializer deserializer = new AvroDeserializer(AvroSerdeConfig.withClient(newClient()));

    byte[] bytes = serializer.serialize("customers", customerV1(7));

    int id = client.latest("customers-value").id();
    assertThat(bytes[0]).isEqualTo((byte) 0);
    assertThat(ByteBuffer.wrap(bytes, 1, 4).getInt()).isEqualTo(id);
    assertThat(WireFormat.schemaId(bytes)).isEqualTo(id);
    GenericRecord back = (GenericRecord) deserializer.deserialize("customers", bytes);
    assertThat(back).isEqualTo(customerV1(7));
  }

  @Test
  void keysUseTheKeySubjectAndPrimitivesWork() {
    AvroSerializer keys = new AvroSerializer(AvroSerdeConfig.withClient(client), true);
    AvroDeserializer reader = new AvroDeserializer(AvroSerdeConfig.withClient(client));

    assertThat(reader.deserialize("t", keys.serialize("t", "customer-42"))).isEqualTo("customer-42");
    assertThat(reader.deserialize("u", keys.serialize("u", 42L))).isEqualTo(42L);
    assertThat(reader.deserialize("v", keys.serialize("v", 7))).isEqualTo(7);
    assertThat(client.subjects()).containsExactlyInAnyOrder("t-key", "u-key", "v-key");
    assertThat(keys.serialize("t", null)).isNull();
    assertThat(reader.deserialize("t", null)).isNull();
  }

  @Test
  void readerSchemaResolvesOldDataForward_andNewDataBackward() {
    client.setCompatibility("customers-value", io.tandem.registry.Compatibility.NONE);
    AvroSerializer serializer = new AvroSerializer(AvroSerdeConfig.withClient(client), false);
    byte[] writtenWithV1 = serializer.serialize("customers", customerV1(1));
    GenericRecord v2Record = new GenericRecordBuilder(V2).set("id", 2L).set("name", "Grace")
        .set("status", new GenericData.EnumSymbol(V2.getField("status").schema(), "CLOSED")).build();
    byte[] writtenWithV2 = serializer.serialize("customers", v2Record);

    AvroDeserializer readsAsV2 = new AvroDeserializer(AvroSerdeConfig.withClient(newClient()).withReaderSchema(V2));
    GenericRecord upgraded = (GenericRecord) readsAsV2.deserialize("customers", writtenWithV1);
    assertThat(upgraded.getSchema()).isEqualTo(V2);
    assertThat(upgraded.get("status")).hasToString("ACTIVE"); // the default fills the added field
    assertThat(upgraded.hasField("legacyCode")).isFalse(); // the removed field is skipped

    Schema v1WithDefaultForStatusless = new Schema.Parser().parse(V1.toString().replace(
        "{\"name\":\"legacyCode\",\"type\":\"string\"}", "{\"name\":\"legacyCode\",\"type\":\"string\",\"default\":\"?\"}"));
    AvroDeserializer readsAsV1 = new AvroDeserializer(AvroSerdeConfig.withClient(newClient())
        .withReaderSchema(v1WithDefaultForStatusless));
    GenericRecord downgraded = (GenericRecord) readsAsV1.deserialize("customers", writtenWithV2);
    assertThat(downgraded.get("name")).hasToString("Grace");
    assertThat(downgraded.get("legacyCode")).hasToString("?");
  }

  @Test
  void aReaderSchemaThatCannotReadTheDataFailsWithTheReason() {
    AvroSerializer serializer = new AvroSerializer(AvroSerdeConfig.withClient(client), false);
    byte[] bytes = serializer.serialize("customers", customerV1(1));
    Schema needsUnknownField = new Schema.Parser().parse("""
        {"type":"record","name":"Customer","namespace":"migrated","fields":[
          {"name":"id","type":"long"},{"name":"tier","type":"string"}]}""");

    AvroDeserializer deserializer = new AvroDeserializer(AvroSerdeConfig.withClient(client).withReaderSchema(needsUnknownField));

    assertThatThrownBy(() -> deserializer.deserialize("customers", bytes))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("cannot be read with reader schema")
        .hasMessageContaining("tier");
  }

  @Test
  void steadyStateMakesNoRegistryCalls() {
    AvroSerializer serializer = new AvroSerializer(AvroSerdeConfig.withClient(client), false);
    AvroDeserializer deserializer = new AvroDeserializer(AvroSerdeConfig.withClient(client));
    deserializer.deserialize("customers", serializer.serialize("customers", customerV1(0)));
    long callsAfterWarmUp = client.requestCount();

    for (int i = 1; i <= 10_000; i++) {
      GenericRecord record = customerV1(i);
      assertThat(deserializer.deserialize("customers", serializer.serialize("customers", record))).isEqualTo(record);
    }

    assertThat(callsAfterWarmUp).isPositive();
    assertThat(client.requestCount()).isEqualTo(callsAfterWarmUp);
  }

  @Test
  void withoutAutoRegisterAnUnregisteredSchemaIsAnError_aRegisteredOneIsFound() {
    AvroSerializer strict = new AvroSerializer(AvroSerdeConfig.withClient(client).withAutoRegister(false), false);

    assertThatThrownBy(() -> strict.serialize("customers", customerV1(1)))
        .isInstanceOf(SerializationException.class)
        .hasMessageContaining("customers-value")
        .hasMessageContaining("40401");

    int id = client.register("customers-value", V1);
    assertThat(WireFormat.schemaId(strict.serialize("customers", customerV1(1)))).isEqualTo(id);
    assertThat(client.versions("customers-value")).containsExactly(1);
  }

  @Test
  void payloadsNotInTheWireFormatOrWithUnknownIdsFailClearly() {
    AvroDeserializer deserializer = new AvroDeserializer(AvroSerdeConfig.withClient(client));

    assertThatThrownBy(() -> deserializer.deserialize("t", new byte[] {1, 0, 0, 0, 1, 2}))
        .isInstanceOf(SerializationException.class).hasMessageContaining("magic byte 1");
    assertThatThrownBy(() -> deserializer.deserialize("t", new byte[] {0, 0}))
        .isInstanceOf(SerializationException.class).hasMessageContaining("too short");
    assertThatThrownBy(() -> deserializer.deserialize("t", new byte[] {0, 0, 0, 0x7f, 0x7f, 2}))
        .isInstanceOf(SerializationException.class).hasMessageContaining("32639").hasMessageContaining("40403");
  }

  @Test
  void logicalTypesMapToJavaTypesWhenEnabled() {
    Schema schema = new Schema.Parser().parse("""
        {"type":"record","name":"Balance","fields":[
          {"name":"amount","type":{"type":"bytes","logicalType":"decimal","precision":12,"scale":2}},
          {"name":"at","type":{"type":"long","logicalType":"timestamp-millis"}}]}""");
    AvroSerdeConfig config = AvroSerdeConfig.withClient(client).withLogicalTypes(true);
    GenericRecord record = new GenericData.Record(schema);
    record.put("amount", new BigDecimal("1234.50"));
    record.put("at", Instant.parse("2026-11-21T10:15:30.123Z"));

    GenericRecord back = (GenericRecord) new AvroDeserializer(config)
        .deserialize("balances", new AvroSerializer(config, false).serialize("balances", record));

    assertThat(back.get("amount")).isEqualTo(new BigDecimal("1234.50"));
    assertThat(back.get("at")).isEqualTo(Instant.parse("2026-11-21T10:15:30.123Z"));
  }

  @Test
  void configuresFromKafkaPropertiesWithConfluentKeys() {
    AvroSerializer serializer = new AvroSerializer();
    serializer.configure(Map.of(AvroSerdeConfig.URL, registry.url().toString(),
        AvroSerdeConfig.VALUE_STRATEGY, "io.confluent.kafka.serializers.subject.RecordNameStrategy"), false);
    AvroDeserializer deserializer = new AvroDeserializer();
    deserializer.configure(Map.of(AvroSerdeConfig.URL, registry.url().toString()), false);

    byte[] bytes = serializer.serialize("customers", customerV1(3));

    assertThat(client.subjects()).containsExactly("migrated.Customer");
    assertThat(deserializer.deserialize("customers", bytes)).isEqualTo(customerV1(3));
  }

  @Test
  void badSerdeConfigNamesTheKeyAndTheExpectation() {
    AvroSerializer serializer = new AvroSerializer();

    assertThatThrownBy(() -> serializer.configure(Map.of(), false))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("Avro value serializer config")
        .hasMessageContaining("'schema.registry.url'")
        .hasMessageContaining("http(s) URLs");
    assertThatThrownBy(() -> serializer.configure(Map.of(AvroSerdeConfig.URL, "ftp://x"), true))
        .isInstanceOf(ConfigException.class).hasMessageContaining("Avro key serializer config");
    assertThatThrownBy(() -> serializer.configure(Map.of(AvroSerdeConfig.URL, "http://x", AvroSerdeConfig.AUTO_REGISTER, "yes"), false))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'auto.register.schemas'").hasMessageContaining("true or false");
    assertThatThrownBy(() -> serializer.configure(Map.of(AvroSerdeConfig.URL, "http://x",
            AvroSerdeConfig.USER_INFO, "no-separator-secret"), false))
        .isInstanceOf(ConfigException.class).hasMessageContaining("basic.auth.user.info")
        .hasMessageNotContaining("no-separator-secret");
    assertThatThrownBy(() -> serializer.configure(Map.of(AvroSerdeConfig.URL, "http://x",
            AvroSerdeConfig.VALUE_STRATEGY, "Sideways"), false))
        .isInstanceOf(ConfigException.class).hasMessageContaining("value.subject.name.strategy");
  }

  private SchemaRegistryClient newClient() {
    return registry.newClient();
  }
}
