package io.tandem.embedded;

import org.apache.kafka.common.utils.Exit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stops Kafka's server code from ending the JVM while an embedded broker runs.
 *
 * <p>On a fatal fault (a port it cannot bind, a failed log dir, a metadata error) a Kafka server calls
 * {@link Exit#halt} or {@link Exit#exit}, which would kill the whole test JVM and every test in it. While
 * at least one {@link EmbeddedKafkaBroker} is open, those calls throw a {@link KafkaExitAttempt} in the
 * calling thread instead; the broker fails, the JVM lives on. The procedures are global to the JVM, so
 * they are counted and put back to the defaults when the last broker closes.
 */
final class ExitGuard {

  private static final Logger LOG = LoggerFactory.getLogger(ExitGuard.class);

  private static int holders;

  private ExitGuard() {
  }

  static synchronized void acquire() {
    if (holders++ == 0) {
      Exit.setHaltProcedure((status, message) -> refuse("halt", status, message));
      Exit.setExitProcedure((status, message) -> refuse("exit", status, message));
    }
  }

  static synchronized void release() {
    if (holders > 0 && --holders == 0) {
      Exit.resetHaltProcedure();
      Exit.resetExitProcedure();
    }
  }

  private static void refuse(String kind, int status, String message) {
    KafkaExitAttempt attempt = new KafkaExitAttempt(kind, status, message);
    LOG.error("Embedded Kafka tried to end the JVM; refused", attempt);
    throw attempt;
  }

  /** Thrown where Kafka would have halted or exited the JVM. */
  static final class KafkaExitAttempt extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    KafkaExitAttempt(String kind, int status, String message) {
      super("Kafka called Exit." + kind + "(" + status + ")" + (message == null ? "" : ": " + message));
    }
  }
}
