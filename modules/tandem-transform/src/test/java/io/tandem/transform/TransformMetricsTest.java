package io.tandem.transform;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TransformMetricsTest {
  @Test
  void unmappedColumnsAreCountedOnceAndBounded() {
    TransformMetrics metrics = new TransformMetrics();
    metrics.unmappedColumn("public.customers", "loyalty_pts");
    metrics.unmappedColumn("public.customers", "loyalty_pts");
    assertThat(metrics.unmappedColumns("public.customers")).containsExactly("loyalty_pts");
    for (int i = 0; i < TransformMetrics.MAX_UNMAPPED + 50; i++) {
      metrics.unmappedColumn("public.wide", "c" + i);
    }
    assertThat(metrics.unmappedColumns("public.wide")).hasSize(TransformMetrics.MAX_UNMAPPED - 1);
    assertThat(metrics.unmappedColumns("public.none")).isEmpty();
  }
}
