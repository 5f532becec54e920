package io.tandem.transform;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * What the join topology keeps in its state stores and repartition topics ({@link JoinTopology}), and
 * its binary form: a row's columns as the raw topic carried them (null, int, long, float, double,
 * boolean, text, bytes), each version with the legacy position it was read at, so the joined record's
 * position is the latest change behind it.
 */
final class JoinState {
  private JoinState() {}

  /** One legacy row as of {@code position}; a delete keeps the last image with {@code deleted}. */
  record RowVersion(Map<String, Object> columns, long position, long commitTs, String source, boolean deleted) {}

  /** A child row joining the parent key's set ({@code row} non-null) or leaving it, at {@code position}. */
  record ChildDelta(String childKey, Map<String, Object> row, long position, long commitTs) {}

  /**
   * The children of one parent key, by the child's key text; {@code position} only grows (a child leaving
   * moves it too). More than {@link io.tandem.core.mapping.Join#MAX_CHILDREN} are not kept: {@code overflow}.
   */
  record ChildSet(TreeMap<String, Map<String, Object>> rows, long position, long commitTs, boolean overflow) {
    static ChildSet empty() {
      return new ChildSet(new TreeMap<>(), -1, 0, false);
    }

    ChildSet apply(ChildDelta delta, int limit) {
      TreeMap<String, Map<String, Object>> next = new TreeMap<>(rows);
      boolean over = overflow;
      if (delta.row() == null) {
        next.remove(delta.childKey());
      } else if (next.size() < limit || next.containsKey(delta.childKey())) {
        next.put(delta.childKey(), delta.row());
      } else {
        over = true;
      }
      return new ChildSet(next, Math.max(position, delta.position()), Math.max(commitTs, delta.commitTs()), over);
    }
  }

  static final Serde<RowVersion> ROW_VERSION = Serdes.serdeFrom(
      (topic, row) -> row == null ? null : write(out -> {
        writeRow(out, row.columns());
        out.writeLong(row.position());
        out.writeLong(row.commitTs());
        out.writeUTF(row.source() == null ? "" : row.source());
        out.writeBoolean(row.deleted());
      }),
      (topic, bytes) -> bytes == null ? null : read(bytes, in -> new RowVersion(readRow(in), in.readLong(),
          in.readLong(), in.readUTF(), in.readBoolean())));

  static final Serde<ChildDelta> CHILD_DELTA = Serdes.serdeFrom(
      (topic, delta) -> delta == null ? null : write(out -> {
        out.writeUTF(delta.childKey());
        out.writeBoolean(delta.row() != null);
        if (delta.row() != null) {
          writeRow(out, delta.row());
        }
        out.writeLong(delta.position());
        out.writeLong(delta.commitTs());
      }),
      (topic, bytes) -> bytes == null ? null : read(bytes, in -> new ChildDelta(in.readUTF(),
          in.readBoolean() ? readRow(in) : null, in.readLong(), in.readLong())));

  static final Serde<ChildSet> CHILD_SET = Serdes.serdeFrom(
      (topic, set) -> set == null ? null : write(out -> {
        out.writeInt(set.rows().size());
        for (Map.Entry<String, Map<String, Object>> row : set.rows().entrySet()) {
          out.writeUTF(row.getKey());
          writeRow(out, row.getValue());
        }
        out.writeLong(set.position());
        out.writeLong(set.commitTs());
        out.writeBoolean(set.overflow());
      }),
      (topic, bytes) -> bytes == null ? null : read(bytes, in -> {
        int n = in.readInt();
        TreeMap<String, Map<String, Object>> rows = new TreeMap<>();
        for (int i = 0; i < n; i++) {
          rows.put(in.readUTF(), readRow(in));
        }
        return new ChildSet(rows, in.readLong(), in.readLong(), in.readBoolean());
      }));

  interface Writer {
    void write(DataOutputStream out) throws IOException;
  }

  interface Reader<T> {
    T read(DataInputStream in) throws IOException;
  }

  static byte[] write(Writer writer) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      writer.write(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  static <T> T read(byte[] bytes, Reader<T> reader) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      return reader.read(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static final byte NULL = 0;
  private static final byte INT = 1;
  private static final byte LONG = 2;
  private static final byte FLOAT = 3;
  private static final byte DOUBLE = 4;
  private static final byte BOOLEAN = 5;
  private static final byte TEXT = 6;
  private static final byte BYTES = 7;

  /**
   * Checks that every value of a row can be kept (before it reaches a store, where a failure would stop
   * the stream thread instead of dead-lettering the change).
   *
   * @throws IllegalArgumentException naming the column whose value cannot be kept
   */
  static void requireStorable(Map<String, Object> row) {
    for (Map.Entry<String, Object> column : row.entrySet()) {
      Object value = column.getValue();
      if (value != null && !(value instanceof Integer || value instanceof Long || value instanceof Float
          || value instanceof Double || value instanceof Boolean || value instanceof CharSequence
          || value instanceof ByteBuffer || value instanceof byte[])) {
        throw new IllegalArgumentException("column '" + column.getKey() + "': a " + value.getClass().getSimpleName()
            + " cannot be kept for a join");
      }
    }
  }

  static void writeRow(DataOutputStream out, Map<String, Object> row) throws IOException {
    out.writeInt(row.size());
    for (Map.Entry<String, Object> column : row.entrySet()) {
      out.writeUTF(column.getKey());
      Object value = column.getValue();
      if (value == null) {
        out.writeByte(NULL);
      } else if (value instanceof Integer i) {
        out.writeByte(INT);
        out.writeInt(i);
      } else if (value instanceof Long l) {
        out.writeByte(LONG);
        out.writeLong(l);
      } else if (value instanceof Float f) {
        out.writeByte(FLOAT);
        out.writeFloat(f);
      } else if (value instanceof Double d) {
        out.writeByte(DOUBLE);
        out.writeDouble(d);
      } else if (value instanceof Boolean b) {
        out.writeByte(BOOLEAN);
        out.writeBoolean(b);
      } else if (value instanceof CharSequence text) {
        // writeUTF is limited to 64 KB: long texts as length-prefixed UTF-8
        byte[] utf8 = text.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        out.writeByte(TEXT);
        out.writeInt(utf8.length);
        out.write(utf8);
      } else if (value instanceof ByteBuffer || value instanceof byte[]) {
        byte[] data = value instanceof byte[] bytes ? bytes : bytesOf((ByteBuffer) value);
        out.writeByte(BYTES);
        out.writeInt(data.length);
        out.write(data);
      } else {
        throw new IllegalArgumentException("column '" + column.getKey() + "': a " + value.getClass().getSimpleName()
            + " cannot be kept for a join");
      }
    }
  }

  private static byte[] bytesOf(ByteBuffer buffer) {
    ByteBuffer copy = buffer.duplicate();
    byte[] data = new byte[copy.remaining()];
    copy.get(data);
    return data;
  }

  static Map<String, Object> readRow(DataInputStream in) throws IOException {
    int n = in.readInt();
    Map<String, Object> row = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      String column = in.readUTF();
      byte tag = in.readByte();
      row.put(column, switch (tag) {
        case NULL -> null;
        case INT -> in.readInt();
        case LONG -> in.readLong();
        case FLOAT -> in.readFloat();
        case DOUBLE -> in.readDouble();
        case BOOLEAN -> in.readBoolean();
        case TEXT -> {
          byte[] utf8 = new byte[in.readInt()];
          in.readFully(utf8);
          yield new String(utf8, java.nio.charset.StandardCharsets.UTF_8);
        }
        case BYTES -> {
          byte[] data = new byte[in.readInt()];
          in.readFully(data);
          yield ByteBuffer.wrap(data);
        }
        default -> throw new IOException("unknown value tag " + tag);
      });
    }
    return Collections.unmodifiableMap(row);
  }
}
