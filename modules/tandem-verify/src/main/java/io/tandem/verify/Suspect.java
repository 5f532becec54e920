package io.tandem.verify;

/**
 * A row to re-check: by its legacy key (null: legacy has no row with its new key), and for an unaligned
 * entity by the canonical texts of its new key fields (null: the mapping gives it no new key).
 */
record Suspect(Difference difference, Object[] legacyKey, String[] newKey, String cohort,
    boolean stableBefore) {
  Suspect(Difference difference, Object[] legacyKey, String[] newKey, String cohort) {
    this(difference, legacyKey, newKey, cohort, false);
  }

  String key() {
    return difference.key();
  }

  Suspect stable() {
    return new Suspect(difference, legacyKey, newKey, cohort, true);
  }
}
