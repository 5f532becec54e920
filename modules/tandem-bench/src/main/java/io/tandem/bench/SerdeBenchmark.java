package io.tandem.bench;

import io.tandem.registry.client.SchemaRegistryClient;
import io.tandem.registry.serde.AvroDeserializer;
import io.tandem.registry.serde.AvroSerdeConfig;
import io.tandem.registry.serde.AvroSerializer;
import io.tandem.registry.server.EmbeddedSchemaRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Confluent-framed Avro serialize + deserialize of a 10-field record with a warm registry cache,
 * one thread: the cost the registry adds at steady state should be nil.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = {"-Xmx512m"})
@Threads(1)
public class SerdeBenchmark {
  static final Schema CUSTOMER = new Schema.Parser().parse("""
      {"type":"record","name":"Customer","namespace":"migrated","fields":[
        {"name":"id","type":"long"},
        {"name":"name","type":"string"},
        {"name":"email","type":["null","string"],"default":null},
        {"name":"balanceCents","type":"long"},
        {"name":"status","type":{"type":"enum","name":"Status","symbols":["ACTIVE","SUSPENDED","CLOSED"]}},
        {"name":"createdAt","type":{"type":"long","logicalType":"timestamp-millis"}},
        {"name":"updatedAt","type":{"type":"long","logicalType":"timestamp-millis"}},
        {"name":"country","type":"string"},
        {"name":"vip","type":"boolean"},
        {"name":"score","type":"double"}]}""");

  private EmbeddedSchemaRegistry registry;
  private AvroSerializer serializer;
  private AvroDeserializer deserializer;
  private GenericRecord record;
  private byte[] payload;
  private final GenericDatumWriter<Object> plainWriter = new GenericDatumWriter<>(CUSTOMER);
  private final GenericDatumReader<Object> plainReader = new GenericDatumReader<>(CUSTOMER);

  @Setup(Level.Trial)
  public void setUp() {
    registry = EmbeddedSchemaRegistry.builder().inMemoryStorageForTests().start();
    SchemaRegistryClient client = SchemaRegistryClient.builder(registry.url()).build();
    serializer = new AvroSerializer(AvroSerdeConfig.withClient(client), false);
    deserializer = new AvroDeserializer(AvroSerdeConfig.withClient(client));
    record = new GenericRecordBuilder(CUSTOMER)
        .set("id", 123_456_789L)
        .set("name", "Ada Lovelace")
        .set("email", "ada@example.com")
        .set("balanceCents", 1_234_567L)
        .set("status", new GenericData.EnumSymbol(CUSTOMER.getField("status").schema(), "ACTIVE"))
        .set("createdAt", 1_700_000_000_000L)
        .set("updatedAt", 1_763_700_000_000L)
        .set("country", "NL")
        .set("vip", true)
        .set("score", 0.875)
        .build();
    payload = serializer.serialize("migrated.customer", record); // registers: the cache is warm from here on
    deserializer.deserialize("migrated.customer", payload);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    registry.close();
  }

  @Benchmark
  public byte[] serialize() {
    return serializer.serialize("migrated.customer", record);
  }

  @Benchmark
  public Object deserialize() {
    return deserializer.deserialize("migrated.customer", payload);
  }

  /** Baseline: the same record through plain Avro, no framing, no registry. */
  @Benchmark
  public Object plainAvroRoundTrip() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
    plainWriter.write(record, encoder);
    encoder.flush();
    byte[] bytes = out.toByteArray();
    return plainReader.read(null, DecoderFactory.get().binaryDecoder(bytes, null));
  }

  @Benchmark
  public Object roundTrip() {
    return deserializer.deserialize("migrated.customer", serializer.serialize("migrated.customer", record));
  }
}
