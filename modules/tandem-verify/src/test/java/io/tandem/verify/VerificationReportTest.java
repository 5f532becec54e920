package io.tandem.verify;

import static org.assertj.core.api.Assertions.assertThat;

import io.tandem.routing.status.StatusRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VerificationReportTest {
  @Test
  void statusRecordsNameWhereTheDifferencesAreButNeverAValue() {
    Instant at = Instant.parse("2026-12-07T03:00:00Z");
    List<Difference> differences = new ArrayList<>();
    differences.add(new Difference("customer", "42", "beta", Difference.Kind.DIFFERENT, List.of("email"),
        Map.of("email", "ann@example.com"), Map.of("email", "bob@example.com"), null, false));
    differences.add(new Difference("customer", "43", null, Difference.Kind.MISSING, null, null, null, null, true));
    for (int i = 0; i < 30; i++) {
      differences.add(new Difference("customer", "9" + i, "beta", Difference.Kind.EXTRA, null, null, null, null,
          false));
    }
    Map<String, EntityResult.CohortTally> byCohort = new LinkedHashMap<>();
    byCohort.put("beta", new EntityResult.CohortTally(500, 31, 0));
    byCohort.put(null, new EntityResult.CohortTally(500, 1, 1));
    EntityResult result = new EntityResult("customer", null, 7, at, at, 1000, 1000, 1000, 1000, 10, 3, differences,
        40, 8, List.of("77"), byCohort);

    List<StatusRecord.Verification> records = new VerificationReport(List.of(result)).statusRecords();

    StatusRecord.Verification entityWide = records.get(0);
    assertThat(entityWide.cohort()).isEqualTo("*");
    assertThat(entityWide.differences()).isEqualTo(33);
    assertThat(entityWide.samples()).hasSize(StatusRecord.Verification.MAX_SAMPLES);
    assertThat(entityWide.samples().get(0)).isEqualTo(new StatusRecord.Verification.Sample("42", "different",
        List.of("email"), false));
    assertThat(entityWide.samples().get(1).deadLettered()).isTrue();
    StatusRecord.Verification beta = records.get(1);
    assertThat(beta.cohort()).isEqualTo("beta");
    assertThat(beta.samples()).extracting(StatusRecord.Verification.Sample::key).doesNotContain("43")
        .startsWith("42", "90");
    assertThat(records.toString()).doesNotContain("ann@example.com").doesNotContain("bob@example.com");

    EntityResult unsettledOnly = new EntityResult("customer", null, 7, at, at, 10, 10, 10, 10, 1, 1, List.of(), 1, 0,
        List.of("77"), Map.of());
    assertThat(new VerificationReport(List.of(unsettledOnly)).statusRecords().get(0).samples())
        .containsExactly(new StatusRecord.Verification.Sample("77", "unsettled", List.of(), false));
  }
}
