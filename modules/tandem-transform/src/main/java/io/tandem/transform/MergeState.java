package io.tandem.transform;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/**
 * What the merge topology ({@link MergeTopology}) keeps in its stores and repartition topics, in the
 * binary form of {@link JoinState}: legacy rows as the raw topics carried them, each with the position
 * its own source read it at (positions of different sources are never compared with each other).
 */
final class MergeState {
  private MergeState() {}

  /** Where a member (a legacy row of one source) was last put: its match group and its new key. */
  record Placement(String group, String keyText, Map<String, Object> key) {}

  /** A member's row as of its source's {@code position}. */
  record MemberRow(Map<String, Object> columns, long position, long commitTs) {}

  /** A member joining a group ({@code row} non-null) or leaving it. */
  record MemberDelta(String memberId, MemberRow row) {}

  /** The members of one match group, by member id; {@code overflow}: more arrived than are kept. */
  record MemberSet(TreeMap<String, MemberRow> members, boolean overflow) {
    static MemberSet empty() {
      return new MemberSet(new TreeMap<>(), false);
    }

    MemberSet apply(MemberDelta delta, int limit) {
      TreeMap<String, MemberRow> next = new TreeMap<>(members);
      boolean over = overflow;
      if (delta.row() == null) {
        next.remove(delta.memberId());
      } else if (next.size() < limit || next.containsKey(delta.memberId())) {
        next.put(delta.memberId(), delta.row());
      } else {
        over = true;
      }
      return new MemberSet(next, over);
    }
  }

  enum Kind { UPSERT, ABSORBED, DELETED, REPORT, DEAD }

  /**
   * What becomes of one new key (or, for {@link Kind#REPORT}, of one duplicate report), on its way to the
   * emitter that owns the key.
   *
   * @param owner the member whose key it is
   * @param ownerPosition the owner's row position (in its own source): a lower one than the emitter last
   *     saw for the owner is stale
   * @param key the new key's fields
   * @param absorbedInto for {@link Kind#ABSORBED}: the survivor's key text
   * @param members for {@link Kind#UPSERT}: the group's members (the merged row is resolved from them);
   *     for {@link Kind#REPORT}: the members reported
   * @param reason for {@link Kind#REPORT} and {@link Kind#DEAD}; empty for a report that is resolved
   */
  record Change(Kind kind, String owner, long ownerPosition, long commitTs, Map<String, Object> key,
      String absorbedInto, TreeMap<String, MemberRow> members, String reason) {}

  static final Serde<Placement> PLACEMENT = Serdes.serdeFrom(
      (topic, p) -> p == null ? null : JoinState.write(out -> {
        out.writeUTF(p.group());
        out.writeUTF(p.keyText());
        JoinState.writeRow(out, p.key());
      }),
      (topic, bytes) -> bytes == null ? null : JoinState.read(bytes, in -> new Placement(in.readUTF(), in.readUTF(),
          JoinState.readRow(in))));

  static final Serde<MemberDelta> MEMBER_DELTA = Serdes.serdeFrom(
      (topic, d) -> d == null ? null : JoinState.write(out -> {
        out.writeUTF(d.memberId());
        out.writeBoolean(d.row() != null);
        if (d.row() != null) {
          writeMember(out, d.row());
        }
      }),
      (topic, bytes) -> bytes == null ? null : JoinState.read(bytes, in -> new MemberDelta(in.readUTF(),
          in.readBoolean() ? readMember(in) : null)));

  static final Serde<MemberSet> MEMBER_SET = Serdes.serdeFrom(
      (topic, set) -> set == null ? null : JoinState.write(out -> {
        writeMembers(out, set.members());
        out.writeBoolean(set.overflow());
      }),
      (topic, bytes) -> bytes == null ? null : JoinState.read(bytes, in -> new MemberSet(readMembers(in),
          in.readBoolean())));

  static final Serde<Change> CHANGE = Serdes.serdeFrom(
      (topic, c) -> c == null ? null : JoinState.write(out -> {
        out.writeByte(c.kind().ordinal());
        out.writeUTF(c.owner());
        out.writeLong(c.ownerPosition());
        out.writeLong(c.commitTs());
        JoinState.writeRow(out, c.key());
        out.writeUTF(c.absorbedInto() == null ? "" : c.absorbedInto());
        writeMembers(out, c.members());
        writeText(out, c.reason() == null ? "" : c.reason());
      }),
      (topic, bytes) -> bytes == null ? null : JoinState.read(bytes, in -> {
        Kind kind = Kind.values()[in.readByte()];
        String owner = in.readUTF();
        long position = in.readLong();
        long commitTs = in.readLong();
        Map<String, Object> key = JoinState.readRow(in);
        String absorbed = in.readUTF();
        TreeMap<String, MemberRow> members = readMembers(in);
        String reason = readText(in);
        return new Change(kind, owner, position, commitTs, key, absorbed.isEmpty() ? null : absorbed, members,
            reason);
      }));

  /** What the emitter last did with a key: who holds it, at which of the owner's positions, and the sink position. */
  record Emitted(String owner, long ownerPosition, long sinkPosition, boolean live) {}

  static final Serde<Emitted> EMITTED = Serdes.serdeFrom(
      (topic, e) -> e == null ? null : JoinState.write(out -> {
        out.writeUTF(e.owner());
        out.writeLong(e.ownerPosition());
        out.writeLong(e.sinkPosition());
        out.writeBoolean(e.live());
      }),
      (topic, bytes) -> bytes == null ? null : JoinState.read(bytes, in -> new Emitted(in.readUTF(), in.readLong(),
          in.readLong(), in.readBoolean())));

  private static void writeMember(DataOutputStream out, MemberRow row) throws IOException {
    JoinState.writeRow(out, row.columns());
    out.writeLong(row.position());
    out.writeLong(row.commitTs());
  }

  private static MemberRow readMember(DataInputStream in) throws IOException {
    return new MemberRow(JoinState.readRow(in), in.readLong(), in.readLong());
  }

  private static void writeMembers(DataOutputStream out, TreeMap<String, MemberRow> members) throws IOException {
    out.writeInt(members.size());
    for (Map.Entry<String, MemberRow> member : members.entrySet()) {
      out.writeUTF(member.getKey());
      writeMember(out, member.getValue());
    }
  }

  private static TreeMap<String, MemberRow> readMembers(DataInputStream in) throws IOException {
    int n = in.readInt();
    TreeMap<String, MemberRow> members = new TreeMap<>();
    for (int i = 0; i < n; i++) {
      members.put(in.readUTF(), readMember(in));
    }
    return members;
  }

  private static void writeText(DataOutputStream out, String text) throws IOException {
    byte[] utf8 = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    out.writeInt(utf8.length);
    out.write(utf8);
  }

  private static String readText(DataInputStream in) throws IOException {
    byte[] utf8 = new byte[in.readInt()];
    in.readFully(utf8);
    return new String(utf8, java.nio.charset.StandardCharsets.UTF_8);
  }

  /** Unused members list, for kinds that carry none. */
  static TreeMap<String, MemberRow> none() {
    return new TreeMap<>();
  }
}
