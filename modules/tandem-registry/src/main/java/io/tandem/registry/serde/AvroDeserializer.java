package io.tandem.registry.serde;

import io.tandem.registry.RegistryException;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.util.Utf8;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads Confluent-framed Avro. The writer schema comes from the registry by id (once per id);
 * when a reader schema is configured, values are resolved from the writer's schema to it
 * (Avro schema evolution: added fields take their defaults, removed fields are skipped).
 * Thread-safe.
 */
public final class AvroDeserializer implements Deserializer<Object> {
  private AvroSerdeConfig config;
  private GenericData model;
  private final Map<Integer, DatumReader<Object>> readers = new ConcurrentHashMap<>();

  /** For Kafka's reflective construction; {@link #configure} must follow. */
  public AvroDeserializer() {}

  public AvroDeserializer(AvroSerdeConfig config) {
    init(config);
  }

  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {
    init(AvroSerdeConfig.from(isKey ? "Avro key deserializer config" : "Avro value deserializer config", configs));
  }

  private void init(AvroSerdeConfig config) {
    this.config = config;
    this.model = AvroData.model(config.logicalTypes());
  }

  @Override
  public Object deserialize(String topic, byte[] payload) {
    if (payload == null) {
      return null;
    }
    if (config == null) {
      throw new IllegalStateException("AvroDeserializer used before configure()");
    }
    int id = WireFormat.schemaId(payload);
    DatumReader<Object> reader = readers.computeIfAbsent(id, this::readerFor);
    BinaryDecoder decoder = DecoderFactory.get()
        .binaryDecoder(payload, WireFormat.HEADER_SIZE, payload.length - WireFormat.HEADER_SIZE, null);
    try {
      Object value = reader.read(null, decoder);
      return value instanceof Utf8 ? value.toString() : value;
    } catch (IOException | RuntimeException e) {
      throw new SerializationException("Cannot read Avro value from topic " + topic + " written with schema id "
          + id + ": " + e.getMessage(), e);
    }
  }

  private DatumReader<Object> readerFor(int id) {
    Schema writer;
    try {
      writer = config.client().schemaById(id);
    } catch (RegistryException e) {
      throw new SerializationException("Cannot fetch writer schema id " + id + ": " + e.getMessage(), e);
    }
    Schema reader = config.readerSchema() == null ? writer : config.readerSchema();
    if (reader != writer) {
      SchemaCompatibility.SchemaPairCompatibility compatibility =
          SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
      if (compatibility.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
        throw new SerializationException("Data written with schema id " + id + " cannot be read with reader schema "
            + reader.getFullName() + ": " + compatibility.getDescription());
      }
    }
    return new GenericDatumReader<>(writer, reader, model);
  }
}
