package io.tandem.sink;

import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;

/** Sorts database failures into "this row is bad", "try again" and "stop". */
final class SqlErrors {
  private SqlErrors() {}

  /**
   * The data cannot go in as it is (class 22 data exception, class 23 integrity constraint
   * violation): retrying cannot help, so the row is dead-lettered and the stream goes on.
   */
  static boolean isDataError(Throwable e) {
    String state = sqlState(e);
    return state != null && (state.startsWith("22") || state.startsWith("23"));
  }

  /**
   * The database or the way to it failed, not the data: connection errors (class 08), shutdowns
   * and timeouts, serialization failures and deadlocks. The whole batch is retried; nothing of it
   * goes to the DLQ.
   */
  static boolean isRetriable(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLTransientException || t instanceof SQLRecoverableException) {
        return true;
      }
      if (t instanceof java.net.SocketException || t instanceof java.net.SocketTimeoutException) {
        return true;
      }
    }
    String state = sqlState(e);
    if (state == null) {
      return false;
    }
    return state.startsWith("08")   // connection exception
        || state.startsWith("53")   // insufficient resources (too many connections, disk full)
        || state.equals("57P01")    // admin shutdown
        || state.equals("57P02")    // crash shutdown
        || state.equals("57P03")    // cannot connect now (starting up)
        || state.equals("57014")    // query canceled (statement timeout)
        || state.equals("40001")    // serialization failure
        || state.equals("40P01")    // deadlock detected
        || state.equals("55P03");   // lock not available
  }

  /** The first SQLState found along the cause and next-exception chains (batch errors nest it). */
  static String sqlState(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql) {
        for (SQLException s = sql; s != null; s = s.getNextException()) {
          if (s.getSQLState() != null) {
            return s.getSQLState();
          }
        }
      }
    }
    return null;
  }

  /** "SQLState 23514: new row for relation ... violates check constraint ..." */
  static String describe(Throwable e) {
    String state = sqlState(e);
    String message = e.getMessage();
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException sql && sql.getNextException() != null) {
        message = sql.getNextException().getMessage();
      }
    }
    return "SQLState " + (state == null ? "unknown" : state) + ": " + message;
  }
}
