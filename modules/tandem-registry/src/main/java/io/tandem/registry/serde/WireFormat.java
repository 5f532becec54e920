package io.tandem.registry.serde;

import org.apache.kafka.common.errors.SerializationException;

/** Confluent's framing: magic byte 0, 4-byte big-endian schema id, then the Avro binary body. */
public final class WireFormat {
  public static final byte MAGIC_BYTE = 0;
  public static final int HEADER_SIZE = 5;

  private WireFormat() {}

  /** The schema id of a framed payload; fails with a clear reason when the payload is not framed. */
  public static int schemaId(byte[] payload) {
    if (payload.length < HEADER_SIZE) {
      throw new SerializationException("Payload of " + payload.length
          + " bytes is too short for the Confluent wire format (magic byte + 4-byte schema id + Avro body)");
    }
    if (payload[0] != MAGIC_BYTE) {
      throw new SerializationException("Unknown magic byte " + payload[0]
          + ": payload is not in the Confluent wire format (expected magic byte 0)");
    }
    return ((payload[1] & 0xff) << 24) | ((payload[2] & 0xff) << 16) | ((payload[3] & 0xff) << 8) | (payload[4] & 0xff);
  }

  static void writeHeader(byte[] into, int schemaId) {
    into[0] = MAGIC_BYTE;
    into[1] = (byte) (schemaId >>> 24);
    into[2] = (byte) (schemaId >>> 16);
    into[3] = (byte) (schemaId >>> 8);
    into[4] = (byte) schemaId;
  }
}
