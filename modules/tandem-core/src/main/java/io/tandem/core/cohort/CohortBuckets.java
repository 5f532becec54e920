package io.tandem.core.cohort;

import java.nio.charset.StandardCharsets;

/**
 * The bucket of a key in a cohort's bucket space: {@code murmur3_32(salt ":" key) mod 10000}, on the
 * UTF-8 bytes, seed 0, the hash read as unsigned. Stable across JVMs, versions and languages (any
 * MurmurHash3 x86 32-bit implementation gives the same bucket), so the router, its client library
 * and the verifier agree on who is in a cohort, and a key below a percentage stays below a larger one.
 */
public final class CohortBuckets {
  /** Buckets per cohort space: a percentage is a whole number of basis points. */
  public static final int BUCKETS = 10_000;

  private CohortBuckets() {}

  public static int bucket(String salt, String key) {
    return bucket(saltPrefix(salt), key);
  }

  /** The salt's bytes plus the separator, to compute once per cohort rather than per key. */
  public static byte[] saltPrefix(String salt) {
    return (salt + ":").getBytes(StandardCharsets.UTF_8);
  }

  public static int bucket(byte[] saltPrefix, String key) {
    return bucket(saltPrefix, key.getBytes(StandardCharsets.UTF_8));
  }

  /** The bucket of a key given as UTF-8 bytes, for callers that test one key against several cohorts. */
  public static int bucket(byte[] saltPrefix, byte[] keyUtf8) {
    return (int) (Integer.toUnsignedLong(murmur3(saltPrefix, keyUtf8)) % BUCKETS);
  }

  /** MurmurHash3 x86 32-bit, seed 0, of {@code a} followed by {@code b}, without concatenating them. */
  static int murmur3(byte[] a, byte[] b) {
    int length = a.length + b.length;
    int h = 0;
    int blocks = length & ~3;
    for (int i = 0; i < blocks; i += 4) {
      int k = (byteAt(a, b, i) & 0xff)
          | (byteAt(a, b, i + 1) & 0xff) << 8
          | (byteAt(a, b, i + 2) & 0xff) << 16
          | (byteAt(a, b, i + 3) & 0xff) << 24;
      h ^= mixK(k);
      h = Integer.rotateLeft(h, 13) * 5 + 0xe6546b64;
    }
    int k = 0;
    switch (length & 3) {
      case 3:
        k ^= (byteAt(a, b, blocks + 2) & 0xff) << 16;
        // fall through
      case 2:
        k ^= (byteAt(a, b, blocks + 1) & 0xff) << 8;
        // fall through
      case 1:
        k ^= byteAt(a, b, blocks) & 0xff;
        h ^= mixK(k);
        break;
      default:
        break;
    }
    h ^= length;
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    h *= 0xc2b2ae35;
    h ^= h >>> 16;
    return h;
  }

  private static int mixK(int k) {
    k *= 0xcc9e2d51;
    k = Integer.rotateLeft(k, 15);
    return k * 0x1b873593;
  }

  private static byte byteAt(byte[] a, byte[] b, int i) {
    return i < a.length ? a[i] : b[i - a.length];
  }
}
