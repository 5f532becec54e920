package io.tandem.routing.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.tandem.routing.api.ProblemDocument;

/**
 * The router answered with an error status: 4xx refused (nothing changed), anything else failed. The
 * title falls back to the status's reason phrase, and the detail to the start of a body that was not a
 * problem document (a proxy's HTML page, say).
 */
public final class RouterProblemException extends RouterException {
  private final int status;
  private final String title;
  private final String detail;
  private final ProblemDocument problem;
  private final JsonNode json;

  RouterProblemException(int status, String title, String detail, ProblemDocument problem, JsonNode json) {
    super("HTTP " + status + " " + title);
    this.status = status;
    this.title = title;
    this.detail = detail;
    this.problem = problem;
    this.json = json;
  }

  /** The HTTP status. */
  public int status() {
    return status;
  }

  public String title() {
    return title;
  }

  /** Null when the router said no more than the title. */
  public String detail() {
    return detail;
  }

  /** The routing version the router is at, when the refusal depends on it (a version conflict); else null. */
  public Long currentVersion() {
    return problem == null ? null : problem.currentVersion();
  }

  /** The problem document, or null when the body was not a JSON object. */
  public ProblemDocument problem() {
    return problem;
  }

  /** The problem document as sent, or null when the body was not a JSON object. */
  public JsonNode json() {
    return json;
  }

  /** Whether the router refused the request (4xx), so a change was not applied. */
  public boolean refused() {
    return status >= 400 && status < 500;
  }
}
