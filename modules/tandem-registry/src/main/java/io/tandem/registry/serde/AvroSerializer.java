package io.tandem.registry.serde;

import io.tandem.registry.RegistryException;
import io.tandem.registry.client.SchemaRegistryClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.EncoderFactory;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes Avro values ({@code GenericRecord} or primitives) in the Confluent wire format. The
 * schema is registered (or looked up) once per subject and schema; after that serialization makes
 * no registry call. Thread-safe: Kafka Streams shares one instance across stream threads.
 */
public final class AvroSerializer implements Serializer<Object> {
  private AvroSerdeConfig config;
  private boolean isKey;
  private GenericData model;

  /** Per subject and schema object: the id to frame with and the writer for it. */
  private record Target(int id, DatumWriter<Object> writer) {}

  private record TargetKey(String topic, Schema schema) {
    @Override
    public boolean equals(Object o) {
      // Identity on the schema: hashing and comparing a schema deeply on every record costs more than the write.
      return o instanceof TargetKey k && k.schema == schema && k.topic.equals(topic);
    }

    @Override
    public int hashCode() {
      return 31 * topic.hashCode() + System.identityHashCode(schema);
    }
  }

  /** Per-thread scratch space, so a record costs one allocation: the returned array. */
  private static final class Buffer extends ByteArrayOutputStream {
    final byte[] header = new byte[WireFormat.HEADER_SIZE];
    BinaryEncoder encoder;

    Buffer() {
      super(256);
    }

    int capacity() {
      return buf.length;
    }
  }

  private final ThreadLocal<Buffer> buffers = ThreadLocal.withInitial(Buffer::new);

  private static final int MAX_TARGETS = 10_000;
  private static final int MAX_RETAINED_BUFFER = 1 << 20;
  private final Map<TargetKey, Target> targets = new ConcurrentHashMap<>();

  /** For Kafka's reflective construction; {@link #configure} must follow. */
  public AvroSerializer() {}

  public AvroSerializer(AvroSerdeConfig config, boolean isKey) {
    init(config, isKey);
  }

  @Override
  public void configure(Map<String, ?> configs, boolean isKey) {
    init(AvroSerdeConfig.from(isKey ? "Avro key serializer config" : "Avro value serializer config", configs), isKey);
  }

  private void init(AvroSerdeConfig config, boolean isKey) {
    this.config = config;
    this.isKey = isKey;
    this.model = AvroData.model(config.logicalTypes());
  }

  @Override
  public byte[] serialize(String topic, Object value) {
    if (value == null) {
      return null; // a tombstone stays a tombstone
    }
    if (config == null) {
      throw new IllegalStateException("AvroSerializer used before configure()");
    }
    Schema schema = AvroData.schemaOf(value);
    Target target = target(topic, schema);
    Buffer buffer = buffers.get();
    try {
      buffer.reset();
      WireFormat.writeHeader(buffer.header, target.id());
      buffer.write(buffer.header);
      buffer.encoder = EncoderFactory.get().directBinaryEncoder(buffer, buffer.encoder);
      target.writer().write(AvroData.normalise(value), buffer.encoder);
      buffer.encoder.flush();
      byte[] bytes = buffer.toByteArray();
      if (buffer.capacity() > MAX_RETAINED_BUFFER) {
        buffers.remove(); // one huge record must not pin its buffer for the thread's lifetime
      }
      return bytes;
    } catch (IOException | RuntimeException e) {
      throw new SerializationException("Cannot write Avro value for topic " + topic + " with schema id "
          + target.id() + ": " + e.getMessage(), e);
    }
  }

  private Target target(String topic, Schema schema) {
    TargetKey key = new TargetKey(topic, schema);
    Target target = targets.get(key);
    if (target != null) {
      return target;
    }
    if (targets.size() >= MAX_TARGETS) {
      targets.clear(); // schemas built per record would otherwise grow this without bound
    }
    target = new Target(schemaId(topic, schema), new GenericDatumWriter<>(schema, model));
    targets.put(key, target);
    return target;
  }

  private int schemaId(String topic, Schema schema) {
    String subject = config.strategy(isKey).subject(topic, isKey, schema);
    SchemaRegistryClient client = config.client();
    try {
      if (config.autoRegister()) {
        return client.register(subject, schema);
      }
      if (config.useLatestVersion()) {
        return client.latest(subject).id();
      }
      return client.idOf(subject, schema);
    } catch (RegistryException e) {
      throw new SerializationException("Cannot get a schema id for subject " + subject + ": " + e.getMessage(), e);
    }
  }
}
