package io.tandem.capture;

/** A change record that has no form in the raw-topic format; it goes to the dead-letter topic. */
final class ConversionException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  ConversionException(String message) {
    super(message);
  }
}
