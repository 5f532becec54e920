package io.tandem.routing;

/**
 * Where a cohort stands in its move from legacy to new. Reads and writes move separately: reads first
 * (after a shadow phase that compares both sides), writes last.
 */
public enum Phase {
  /** Reads and writes on legacy. */
  LEGACY(Target.LEGACY, Target.LEGACY, 0),
  /** Reads served from legacy; the same read is sent to new in the background and compared. */
  SHADOW(Target.LEGACY, Target.LEGACY, 0),
  /** Reads from new; writes still on legacy (and copied to new by change data capture). */
  NEW_READS(Target.NEW, Target.LEGACY, 1),
  /** Reads and writes on new. */
  NEW(Target.NEW, Target.NEW, 2);

  private final Target read;
  private final Target write;
  private final int newness;

  Phase(Target read, Target write, int newness) {
    this.read = read;
    this.write = write;
    this.newness = newness;
  }

  public Target read() {
    return read;
  }

  public Target write() {
    return write;
  }

  /** Whether reads are also sent to new in the background and compared. */
  public boolean shadowReads() {
    return this == SHADOW;
  }

  /**
   * How much of a key's traffic new serves (0 none, 1 reads, 2 reads and writes). A change that can
   * lower it for any key moves traffic back to legacy: a rollback, which must be asked for explicitly.
   */
  public int newness() {
    return newness;
  }

  /** The next phase forward, or empty at {@link #NEW}. */
  public java.util.Optional<Phase> next() {
    return ordinal() + 1 < values().length ? java.util.Optional.of(values()[ordinal() + 1]) : java.util.Optional.empty();
  }

  /** The previous phase, or empty at {@link #LEGACY}. */
  public java.util.Optional<Phase> previous() {
    return ordinal() > 0 ? java.util.Optional.of(values()[ordinal() - 1]) : java.util.Optional.empty();
  }
}
