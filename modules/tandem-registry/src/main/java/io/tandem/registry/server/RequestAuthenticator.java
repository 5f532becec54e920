package io.tandem.registry.server;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;

/** Checks the Authorization header: open, HTTP basic with one user, or one bearer token. */
final class RequestAuthenticator {
  private final byte[] expectedHeader;
  private final String challenge;

  private RequestAuthenticator(String expectedHeader, String challenge) {
    this.expectedHeader = expectedHeader == null ? null : expectedHeader.getBytes(StandardCharsets.UTF_8);
    this.challenge = challenge;
  }

  static RequestAuthenticator open() {
    return new RequestAuthenticator(null, "");
  }

  static RequestAuthenticator basic(String user, String password) {
    String token = Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    return new RequestAuthenticator("Basic " + token, "Basic realm=\"tandem-registry\"");
  }

  static RequestAuthenticator bearer(String token) {
    return new RequestAuthenticator("Bearer " + token, "Bearer realm=\"tandem-registry\"");
  }

  boolean accepts(String authorizationHeader) {
    if (expectedHeader == null) {
      return true;
    }
    if (authorizationHeader == null) {
      return false;
    }
    // Constant time, so response timing does not leak how much of a guess was right.
    return MessageDigest.isEqual(expectedHeader, authorizationHeader.trim().getBytes(StandardCharsets.UTF_8));
  }

  String challenge() {
    return challenge;
  }
}
