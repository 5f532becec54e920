package io.tandem.transform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The join topology's state: every raw value type survives its binary form; child sets stay bounded. */
class JoinStateTest {
  @Test
  void rowsRoundTripWithEveryRawValueType() {
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("i", 42);
    row.put("l", -7L);
    row.put("f", 1.5f);
    row.put("d", Math.PI);
    row.put("b", true);
    row.put("t", "ü".repeat(40_000)); // beyond writeUTF's 64 KB
    row.put("bytes", ByteBuffer.wrap(new byte[] {1, 2, 3}));
    row.put("n", null);
    JoinState.RowVersion version = new JoinState.RowVersion(row, 99, 1234, "shop.public.t", true);
    byte[] bytes = JoinState.ROW_VERSION.serializer().serialize("t", version);
    JoinState.RowVersion back = JoinState.ROW_VERSION.deserializer().deserialize("t", bytes);
    assertThat(back.columns()).isEqualTo(row);
    assertThat(back.position()).isEqualTo(99);
    assertThat(back.commitTs()).isEqualTo(1234);
    assertThat(back.deleted()).isTrue();

    JoinState.ChildDelta leave = new JoinState.ChildDelta("7", null, 5, 6);
    assertThat(JoinState.CHILD_DELTA.deserializer().deserialize("t",
        JoinState.CHILD_DELTA.serializer().serialize("t", leave))).isEqualTo(leave);
  }

  @Test
  void aValueOfAnotherTypeIsRefusedByColumn() {
    JoinState.RowVersion version = new JoinState.RowVersion(Map.of("when", java.time.Instant.EPOCH), 1, 1, "s", false);
    assertThatThrownBy(() -> JoinState.ROW_VERSION.serializer().serialize("t", version))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("column 'when'");
    assertThatThrownBy(() -> JoinState.requireStorable(version.columns()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("column 'when'");
    JoinState.requireStorable(Map.of("t", "text", "n", 1L)); // storable values pass
  }

  @Test
  void childSetsKeepTheirLimitAndTheirPositionOnlyGrows() {
    JoinState.ChildSet set = JoinState.ChildSet.empty()
        .apply(new JoinState.ChildDelta("1", Map.of("c", 1), 10, 100), 2)
        .apply(new JoinState.ChildDelta("2", Map.of("c", 2), 20, 200), 2);
    assertThat(set.rows()).containsOnlyKeys("1", "2");
    JoinState.ChildSet full = set.apply(new JoinState.ChildDelta("3", Map.of("c", 3), 30, 300), 2);
    assertThat(full.overflow()).isTrue();
    assertThat(full.rows()).containsOnlyKeys("1", "2");
    JoinState.ChildSet left = set.apply(new JoinState.ChildDelta("1", null, 15, 150), 2);
    assertThat(left.rows()).containsOnlyKeys("2");
    assertThat(left.position()).as("a child leaving late keeps the highest position").isEqualTo(20);
    JoinState.ChildSet back = JoinState.CHILD_SET.deserializer().deserialize("t",
        JoinState.CHILD_SET.serializer().serialize("t", full));
    assertThat(back.rows()).isEqualTo(full.rows());
    assertThat(back.overflow()).isTrue();
  }
}
