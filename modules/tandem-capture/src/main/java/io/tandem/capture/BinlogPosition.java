package io.tandem.capture;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The position of a MariaDB change, one number that orders changes as the sink must apply them: binlog file
 * sequence, byte offset of the row event in that file, and the row's index within the event, packed as
 * {@code sequence << 44 | offset << 12 | row} (19, 32 and 12 bits). The binlog is written at commit, so this
 * order is commit order, and two changes of one row in one transaction are two events at two offsets.
 * Snapshot rows take the binlog coordinates read when the snapshot began, minus one: below every change
 * streamed after it (docs/capture.md, "MariaDB").
 */
final class BinlogPosition {
  static final int MAX_SEQUENCE = (1 << 19) - 1;
  static final long MAX_OFFSET = (1L << 32) - 1;
  static final int MAX_ROW = (1 << 12) - 1;
  private static final Pattern FILE = Pattern.compile(".*\\.(\\d+)");

  private BinlogPosition() {}

  /** A streamed change's position. */
  static long of(String file, long offset, int row) {
    if (row < 0 || row > MAX_ROW) {
      throw new ConversionException("row " + row + " of the binlog event at " + file + ":" + offset
          + " is beyond the " + (MAX_ROW + 1) + " rows per event a position can order");
    }
    return base(file, offset) | row;
  }

  /** The position of the rows of a snapshot that began at these binlog coordinates. */
  static long snapshot(String file, long offset) {
    return base(file, offset) - 1;
  }

  private static long base(String file, long offset) {
    if (file == null) {
      throw new ConversionException("source has no binlog file: cannot give the change a position");
    }
    Matcher matcher = FILE.matcher(file);
    if (!matcher.matches() || matcher.group(1).length() > 7) {
      throw new ConversionException("binlog file name '" + file + "' does not end in a sequence number");
    }
    long sequence = Long.parseLong(matcher.group(1));
    if (sequence > MAX_SEQUENCE) {
      throw new ConversionException("binlog file sequence " + sequence + " is beyond " + MAX_SEQUENCE);
    }
    if (offset < 0 || offset > MAX_OFFSET) {
      throw new ConversionException("binlog offset " + offset + " is beyond " + MAX_OFFSET);
    }
    return sequence << 44 | offset << 12;
  }
}
