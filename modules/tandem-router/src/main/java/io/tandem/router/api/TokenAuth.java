package io.tandem.router.api;

import io.tandem.router.RouterSettings.Token;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/**
 * Bearer tokens, configured only as SHA-256 hashes (a leaked config file leaks no token), each with a
 * name (the audit's actor) and a role.
 */
public final class TokenAuth {
  private static final String ACTOR = "tandem.actor";
  private static final String ROLE = "tandem.role";
  private final Map<String, Token> byHash;
  // Tokens already verified, so a hot caller does not pay a SHA-256 per request; only valid tokens
  // enter, so its size is bounded by the tokens in use.
  private final Map<String, Token> verified = new java.util.concurrent.ConcurrentHashMap<>();

  public TokenAuth(Map<String, Token> byHash) {
    this.byHash = Map.copyOf(byHash);
  }

  /** The hash to configure for {@code token}. */
  public static String hash(String token) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Fails the request with 401 (no or unknown token) or 403 (role too low); else records the actor. */
  public void require(RoutingContext ctx, Role role) {
    String header = ctx.request().getHeader("Authorization");
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      throw new Problem(401, "unauthenticated", "Authentication required",
          "send 'Authorization: Bearer <token>'");
    }
    String presented = header.substring(7).trim();
    Token token = verified.get(presented);
    if (token == null) {
      token = byHash.get(hash(presented));
      if (token != null) {
        verified.put(presented, token);
      }
    }
    if (token == null) {
      throw new Problem(401, "unauthenticated", "Authentication required", "unknown token");
    }
    if (!token.role().allows(role)) {
      throw new Problem(403, "forbidden", "Not allowed", "token '" + token.name() + "' has role "
          + token.role().name().toLowerCase(java.util.Locale.ROOT) + "; this needs "
          + role.name().toLowerCase(java.util.Locale.ROOT));
    }
    ctx.put(ACTOR, token.name());
    ctx.put(ROLE, token.role());
  }

  /** Whether the header carries a token already verified (any role may read decisions). */
  boolean knownToken(String authorization) {
    return authorization != null && authorization.length() > 7 && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
        && verified.containsKey(authorization.substring(7).trim());
  }

  public static String actor(RoutingContext ctx) {
    return ctx.get(ACTOR);
  }

  /** The role of the caller {@link #require} let in. */
  public static Role role(RoutingContext ctx) {
    return ctx.get(ROLE);
  }
}
