package io.tandem.router.proxy;

import java.time.Instant;
import java.util.List;

/**
 * One shadow read whose legacy and new answers differed.
 *
 * @param request method, path and query as the caller sent them, e.g. {@code GET /api/customers/42}
 * @param differences the differing JSON paths ({@code $.name}, {@code $.orders[1].total}); {@code $} when
 *     the bodies are not both JSON and differ; empty when only the statuses differ
 * @param legacyBody the legacy body as UTF-8, cut to {@link #MAX_BODY_BYTES}
 * @param newBody the new body as UTF-8, cut to {@link #MAX_BODY_BYTES}
 */
public record ShadowMismatch(String entity, String cohort, String key, String request, long routingVersion,
    Instant time, int legacyStatus, int newStatus, List<String> differences, String legacyBody, String newBody) {

  /** Bodies are kept up to this many bytes each, so the sample's memory stays bounded. */
  public static final int MAX_BODY_BYTES = 16 * 1024;

  public ShadowMismatch {
    differences = List.copyOf(differences);
  }
}
