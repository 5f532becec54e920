package io.tandem.registry.serde;

import java.util.Map;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/** Kafka Streams serde for Avro {@link GenericRecord}s in the Confluent wire format. */
public final class GenericAvroSerde implements Serde<GenericRecord> {
  private final AvroSerializer serializer;
  private final AvroDeserializer deserializer;

  /** For Kafka's reflective construction ({@code default.value.serde}); {@link #configure} must follow. */
  public GenericAvroSerde() {
    this.serializer = new AvroSerializer();
    this.deserializer = new AvroDeserializer();
  }

  public GenericAvroSerde(AvroSerdeConfig config, boolean isKey) {
    this.serializer = new AvroSerializer(config, isKey);
    this.deserializer = new AvroDeserializer(config);
  }

  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {
    serializer.configure(configs, isKey);
    deserializer.configure(configs, isKey);
  }

  @Override
  public Serializer<GenericRecord> serializer() {
    return serializer::serialize;
  }

  @Override
  public Deserializer<GenericRecord> deserializer() {
    return (topic, bytes) -> {
      Object value = deserializer.deserialize(topic, bytes);
      if (value == null || value instanceof GenericRecord) {
        return (GenericRecord) value;
      }
      throw new SerializationException("Topic " + topic + " holds a " + value.getClass().getSimpleName()
          + ", not an Avro record");
    };
  }
}
