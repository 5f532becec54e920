package io.tandem.core.mapping;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * What a field rule does to a personal value before it reaches the new model. Every protection makes
 * the field sensitive: its legacy value is never shown in logs, dead-letter reasons or verifier output.
 */
public enum Protection {
  /** Carried over as it is. */
  NONE,
  /** All but the last 4 characters become {@code *} (values of 8 characters or fewer are masked whole). */
  MASK,
  /** Keyed HMAC-SHA256 of the value's text, as 64 lower-case hex digits: equal values stay joinable. */
  HASH,
  /** Never carried over: the field is always null. */
  DROP;

  static final int MASK_KEEP = 4;
  static final int MASK_WHOLE_UP_TO = 8;

  public static Optional<Protection> parse(String text) {
    try {
      return Optional.of(valueOf(text.trim().toUpperCase(Locale.ROOT)));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  Object apply(Object value, HashKey key) {
    return switch (this) {
      case NONE -> value;
      case DROP -> null;
      case MASK -> value == null ? null : mask(value.toString());
      case HASH -> value == null ? null : key.hmacHex(value.toString());
    };
  }

  static String mask(String text) {
    int keep = text.length() <= MASK_WHOLE_UP_TO ? 0 : MASK_KEEP;
    return "*".repeat(text.length() - keep) + text.substring(text.length() - keep);
  }

  /**
   * The secret HMAC key of {@link #HASH}, read from an environment variable when the mapping is loaded.
   * Its {@link #toString} never shows it.
   */
  public static final class HashKey {
    /** Shortest key accepted: a short key can be guessed by hashing candidates. */
    public static final int MIN_LENGTH = 16;
    private final SecretKeySpec key;
    private final String variable;
    private final ThreadLocal<Mac> macs;

    HashKey(String variable, String secret) {
      this.variable = variable;
      this.key = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
      this.macs = ThreadLocal.withInitial(this::newMac);
    }

    private Mac newMac() {
      try {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(key);
        return mac;
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
      }
    }

    String hmacHex(String text) {
      return HexFormat.of().formatHex(macs.get().doFinal(text.getBytes(StandardCharsets.UTF_8)));
    }

    @Override
    public String toString() {
      return "HMAC-SHA256 key from $" + variable;
    }
  }
}
