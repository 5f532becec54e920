package io.tandem.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class BinlogPositionTest {
  @Test
  void positionsFollowFileThenOffsetThenRow() {
    long snapshot = BinlogPosition.snapshot("mariadb-bin.000001", 951);
    long first = BinlogPosition.of("mariadb-bin.000001", 951, 0);
    long sameEventNextRow = BinlogPosition.of("mariadb-bin.000001", 951, 1);
    long lastRowOfAnEvent = BinlogPosition.of("mariadb-bin.000001", 1129, BinlogPosition.MAX_ROW);
    long nextEvent = BinlogPosition.of("mariadb-bin.000001", 1130, 0);
    long nextFile = BinlogPosition.of("mariadb-bin.000002", 4, 0);
    long endOfBigFile = BinlogPosition.of("mariadb-bin.000001", BinlogPosition.MAX_OFFSET, BinlogPosition.MAX_ROW);
    assertThat(new long[] {snapshot, first, sameEventNextRow, lastRowOfAnEvent, nextEvent, endOfBigFile, nextFile})
        .isSorted().doesNotHaveDuplicates();
    assertThat(BinlogPosition.of("mysql-bin." + BinlogPosition.MAX_SEQUENCE, BinlogPosition.MAX_OFFSET,
        BinlogPosition.MAX_ROW)).isPositive();
  }

  @Test
  void whatCannotBeOrderedIsRefusedNotWrapped() {
    assertThatThrownBy(() -> BinlogPosition.of("mariadb-bin.000001", 100, BinlogPosition.MAX_ROW + 1))
        .isInstanceOf(ConversionException.class).hasMessageContaining("rows per event");
    assertThatThrownBy(() -> BinlogPosition.of("mariadb-bin." + (BinlogPosition.MAX_SEQUENCE + 1), 4, 0))
        .isInstanceOf(ConversionException.class).hasMessageContaining("sequence");
    assertThatThrownBy(() -> BinlogPosition.of("binlog", 4, 0)).isInstanceOf(ConversionException.class)
        .hasMessageContaining("sequence number");
    assertThatThrownBy(() -> BinlogPosition.of(null, 4, 0)).isInstanceOf(ConversionException.class);
  }
}
