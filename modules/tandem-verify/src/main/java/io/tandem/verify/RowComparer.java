package io.tandem.verify;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** One row, legacy through the mapping against new, field by field, as a pass reports it. */
final class RowComparer {
  private final EntityPlan plan;
  private final VerifyOptions options;
  private final CohortResolver cohorts;

  RowComparer(EntityPlan plan, VerifyOptions options, CohortResolver cohorts) {
    this.plan = plan;
    this.options = options;
    this.cohorts = cohorts;
  }

  /** The fields that differ between what legacy says ({@code expected}) and new holds, or null when none. */
  Difference diff(String key, String cohort, String[] expected, String[] actual) {
    List<String> fields = new ArrayList<>();
    Map<String, String> expectedValues = new LinkedHashMap<>();
    Map<String, String> actualValues = new LinkedHashMap<>();
    // New is the truth for keys it owns: what the reverse mapping does not carry back cannot match legacy.
    java.util.Set<String> notCarriedBack = cohorts.newOwns(plan.entity(), key)
        ? plan.mapping.reverseSpec().ignoredFields() : java.util.Set.of();
    for (int i = 0; i < actual.length; i++) {
      if (!Objects.equals(expected[i], actual[i]) && !notCarriedBack.contains(plan.fields.get(i).name())) {
        String name = plan.fields.get(i).name();
        fields.add(name);
        if (options.showValues()) {
          boolean hidden = !options.revealSensitive() && plan.mapping.sensitiveFields().contains(name);
          expectedValues.put(name, hidden ? VerifyOptions.SENSITIVE : expected[i]);
          actualValues.put(name, hidden ? VerifyOptions.SENSITIVE : actual[i]);
        }
      }
    }
    return fields.isEmpty() ? null : new Difference(plan.entity(), key, cohort, Difference.Kind.DIFFERENT,
        fields, expectedValues, actualValues, null, false);
  }
}
