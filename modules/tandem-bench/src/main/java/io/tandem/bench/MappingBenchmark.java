package io.tandem.bench;

import io.tandem.core.mapping.Mapping;
import io.tandem.core.mapping.MappingLoader;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One legacy row through a mapping, one thread: the shipped customer mapping (renames and casts) against the
 * same mapping with mappings v2's rules added (two CEL expressions, a CEL filter, a masked and a hashed
 * field), so the CPU an expression or a protection costs per change is known.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgs = {"-Xmx512m"})
@Threads(1)
public class MappingBenchmark {
  static final String CASTS = """
      entity: customer
      source: public.customers
      key: [id]
      fields:
        id: { from: cust_id, cast: long }
        name: full_nm
        email: { from: email_addr, sensitive: true }
        balance_cents: { from: balance, cast: cents }
        status: { from: status_cd, cast: enum, values: { A: ACTIVE, S: SUSPENDED, C: CLOSED } }
        created_at: { from: created_local, cast: utc_instant, zone: Europe/Amsterdam }
        updated_at: { from: updated_at, cast: utc_instant, zone: UTC }
        country: { default: NL }
      filter:
        - { column: status_cd, op: not_equals, values: [X] }
      """;
  static final String V2 = CASTS
      .replace("name: full_nm", "name: { expr: \"full_nm + ' (' + status_cd + ')'\" }\n"
          + "  email_key: { expr: \"email_addr.lowerAscii().trim()\", protect: hash }\n"
          + "  phone: { from: phone, protect: mask }\n"
          + "  band: { expr: \"balance.size() > 6 ? 'large' : 'small'\" }")
      .replace("- { column: status_cd, op: not_equals, values: [X] }",
          "- { when: \"status_cd != 'X' && !email_addr.endsWith('@test.invalid')\" }");

  private Mapping casts;
  private Mapping v2;
  private Map<String, Object> row;

  @Setup
  public void setUp() {
    casts = MappingLoader.parse("casts.yaml", CASTS);
    v2 = MappingLoader.parse("v2.yaml", V2, Map.of(MappingLoader.DEFAULT_HASH_KEY_ENV, "benchmark-key-0123456789")::get);
    row = new HashMap<>();
    row.put("cust_id", 42L);
    row.put("full_nm", "Ada Lovelace");
    row.put("email_addr", " Ada@Example.com");
    row.put("balance", "1234.50");
    row.put("status_cd", "A");
    row.put("created_local", LocalDateTime.of(2026, 1, 15, 9, 30).toEpochSecond(ZoneOffset.UTC) * 1_000_000L);
    row.put("updated_at", "2026-11-21T10:00:00.123456Z");
    row.put("phone", "+31 6 1234 5678");
  }

  @Benchmark
  public Optional<Map<String, Object>> castsOnly() {
    return casts.apply(row);
  }

  @Benchmark
  public Optional<Map<String, Object>> withExpressionsAndProtection() {
    return v2.apply(row);
  }
}
