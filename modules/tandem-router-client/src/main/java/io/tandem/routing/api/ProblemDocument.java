package io.tandem.routing.api;

import java.util.List;

/**
 * An RFC 9457 problem answer ({@code application/problem+json}) as the router writes it. Read
 * tolerantly (a proxy in between may answer with a problem of its own): a member that is missing is
 * null, or an empty list.
 *
 * @param currentVersion the routing version, when the refusal depends on it (a version conflict)
 * @param gatedMoves a promotion gate's refusal: the moves it judged, e.g. "customer/beta SHADOW -> NEW_READS"
 * @param failedConditions a promotion gate's refusal: each condition that failed, one sentence each
 */
public record ProblemDocument(String type, String title, Integer status, String detail, String instance,
    Long currentVersion, List<String> gatedMoves, List<String> failedConditions) {
  /** Problem types are this plus a slug, e.g. {@code https://tandem.dev/problems/version-conflict}. */
  public static final String TYPE_BASE = "https://tandem.dev/problems/";

  public ProblemDocument {
    gatedMoves = gatedMoves == null ? List.of() : List.copyOf(gatedMoves);
    failedConditions = failedConditions == null ? List.of() : List.copyOf(failedConditions);
  }

  /** A problem without a gate's refusal. */
  public ProblemDocument(String type, String title, int status, String detail, String instance, Long currentVersion) {
    this(type, title, status, detail, instance, currentVersion, List.of(), List.of());
  }

  /** Whether a promotion gate refused the change (an admin may force it). */
  public boolean gateRefused() {
    return !failedConditions.isEmpty();
  }
}
