package io.tandem.routing.http;

/** A call to the router that gave no answer to use: it refused or failed, or could not be asked. */
public abstract sealed class RouterException extends Exception
    permits RouterProblemException, RouterUnavailableException {

  RouterException(String message) {
    // No stack trace: these are outcomes to report, not bugs to locate.
    super(message, null, false, false);
  }
}
