package io.tandem.core.mapping;

/** A legacy row that a mapping cannot turn into a new row; the reason goes to the dead-letter topic. */
public final class MappingException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String field;

  public MappingException(String field, String reason) {
    super(field == null ? reason : "field '" + field + "': " + reason);
    this.field = field;
  }

  /** Target field that failed, or null when the row as a whole failed. */
  public String field() {
    return field;
  }
}
