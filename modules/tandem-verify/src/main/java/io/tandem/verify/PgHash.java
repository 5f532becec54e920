package io.tandem.verify;

/**
 * PostgreSQL's {@code hashtextextended(text, 0)}: Bob Jenkins' lookup3 over the text's bytes (as on
 * little-endian machines, i.e. x86-64 and ARM64), 64-bit result {@code b << 32 | c}. Implemented here
 * so a chunk's fingerprint can be computed in the new database with a built-in function and in Java
 * for the mapped legacy rows, and agree (checked against PostgreSQL in PgHashIT).
 */
final class PgHash {
  // lookup3's mix and final steps are written out in each function on purpose: this runs a dozen times
  // per verified row, and a small state object with mix()/finish() methods (tried) made the first
  // passes of VerifyBenchmark 10-20 % slower until escape analysis caught up.

  private PgHash() {}

  static long hashExtended(byte[] k, int length) {
    return hashExtended(k, length, 0);
  }

  /** {@code hashtextextended(text, seed)}: a non-zero seed perturbs the initial state. */
  static long hashExtended(byte[] k, int length, long seed) {
    int a = 0x9e3779b9 + length + 3923095;
    int b = a;
    int c = a;
    if (seed != 0) {
      a += (int) (seed >>> 32);
      b += (int) seed;
      a -= c; a ^= Integer.rotateLeft(c, 4); c += b;
      b -= a; b ^= Integer.rotateLeft(a, 6); a += c;
      c -= b; c ^= Integer.rotateLeft(b, 8); b += a;
      a -= c; a ^= Integer.rotateLeft(c, 16); c += b;
      b -= a; b ^= Integer.rotateLeft(a, 19); a += c;
      c -= b; c ^= Integer.rotateLeft(b, 4); b += a;
    }
    int i = 0;
    int len = length;
    while (len >= 12) {
      a += word(k, i);
      b += word(k, i + 4);
      c += word(k, i + 8);
      // mix
      a -= c; a ^= Integer.rotateLeft(c, 4); c += b;
      b -= a; b ^= Integer.rotateLeft(a, 6); a += c;
      c -= b; c ^= Integer.rotateLeft(b, 8); b += a;
      a -= c; a ^= Integer.rotateLeft(c, 16); c += b;
      b -= a; b ^= Integer.rotateLeft(a, 19); a += c;
      c -= b; c ^= Integer.rotateLeft(b, 4); b += a;
      i += 12;
      len -= 12;
    }
    // The last 0..11 bytes; the lowest byte of c is left for the length.
    switch (len) {
      case 11:
        c += (k[i + 10] & 0xff) << 24;
        // fall through
      case 10:
        c += (k[i + 9] & 0xff) << 16;
        // fall through
      case 9:
        c += (k[i + 8] & 0xff) << 8;
        // fall through
      case 8:
        b += (k[i + 7] & 0xff) << 24;
        // fall through
      case 7:
        b += (k[i + 6] & 0xff) << 16;
        // fall through
      case 6:
        b += (k[i + 5] & 0xff) << 8;
        // fall through
      case 5:
        b += k[i + 4] & 0xff;
        // fall through
      case 4:
        a += (k[i + 3] & 0xff) << 24;
        // fall through
      case 3:
        a += (k[i + 2] & 0xff) << 16;
        // fall through
      case 2:
        a += (k[i + 1] & 0xff) << 8;
        // fall through
      case 1:
        a += k[i] & 0xff;
        // fall through
      default:
        break;
    }
    // final
    c ^= b; c -= Integer.rotateLeft(b, 14);
    a ^= c; a -= Integer.rotateLeft(c, 11);
    b ^= a; b -= Integer.rotateLeft(a, 25);
    c ^= b; c -= Integer.rotateLeft(b, 16);
    a ^= c; a -= Integer.rotateLeft(c, 4);
    b ^= a; b -= Integer.rotateLeft(a, 14);
    c ^= b; c -= Integer.rotateLeft(b, 24);
    return ((long) b << 32) | (c & 0xffffffffL);
  }

  /** PostgreSQL's {@code hashint8extended(value, seed)} (also what int2/int4 values hash to as bigint). */
  static long hashInt8Extended(long value, long seed) {
    int lohalf = (int) value;
    int hihalf = (int) (value >>> 32);
    lohalf ^= value >= 0 ? hihalf : ~hihalf;
    int a = 0x9e3779b9 + Integer.BYTES + 3923095;
    int b = a;
    int c = a;
    if (seed != 0) {
      a += (int) (seed >>> 32);
      b += (int) seed;
      a -= c; a ^= Integer.rotateLeft(c, 4); c += b;
      b -= a; b ^= Integer.rotateLeft(a, 6); a += c;
      c -= b; c ^= Integer.rotateLeft(b, 8); b += a;
      a -= c; a ^= Integer.rotateLeft(c, 16); c += b;
      b -= a; b ^= Integer.rotateLeft(a, 19); a += c;
      c -= b; c ^= Integer.rotateLeft(b, 4); b += a;
    }
    a += lohalf;
    c ^= b; c -= Integer.rotateLeft(b, 14);
    a ^= c; a -= Integer.rotateLeft(c, 11);
    b ^= a; b -= Integer.rotateLeft(a, 25);
    c ^= b; c -= Integer.rotateLeft(b, 16);
    a ^= c; a -= Integer.rotateLeft(c, 4);
    b ^= a; b -= Integer.rotateLeft(a, 14);
    c ^= b; c -= Integer.rotateLeft(b, 24);
    return ((long) b << 32) | (c & 0xffffffffL);
  }

  private static int word(byte[] k, int i) {
    return (k[i] & 0xff) | (k[i + 1] & 0xff) << 8 | (k[i + 2] & 0xff) << 16 | (k[i + 3] & 0xff) << 24;
  }
}
