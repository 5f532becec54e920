package io.tandem.sink;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.BatchUpdateException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.junit.jupiter.api.Test;

class SqlErrorsTest {
  @Test
  void dataErrorsAreClasses22And23() {
    assertThat(SqlErrors.isDataError(new SQLException("dup", "23505"))).isTrue();
    assertThat(SqlErrors.isDataError(new SQLException("too long", "22001"))).isTrue();
    assertThat(SqlErrors.isDataError(new SQLException("no table", "42P01"))).isFalse();
    BatchUpdateException batch = new BatchUpdateException("batch failed", null, 0, new int[0], null);
    batch.setNextException(new SQLException("check", "23514"));
    assertThat(SqlErrors.isDataError(batch)).isTrue();
    assertThat(SqlErrors.describe(batch)).isEqualTo("SQLState 23514: check");
    assertThat(SqlErrors.isDataError(new RuntimeException(new SQLException("x", "22P02")))).isTrue();
  }

  @Test
  void connectionTroubleAndTimeoutsAreRetriableButDataAndSchemaErrorsAreNot() {
    assertThat(SqlErrors.isRetriable(new SQLException("gone", "08006"))).isTrue();
    assertThat(SqlErrors.isRetriable(new SQLException("timeout", "57014"))).isTrue();
    assertThat(SqlErrors.isRetriable(new SQLException("shutdown", "57P01"))).isTrue();
    assertThat(SqlErrors.isRetriable(new SQLTransientConnectionException("pool timeout"))).isTrue();
    assertThat(SqlErrors.isRetriable(new SQLException("dup", "23505"))).isFalse();
    assertThat(SqlErrors.isRetriable(new SQLException("no table", "42P01"))).isFalse();
    assertThat(SqlErrors.isRetriable(new IllegalStateException("bug"))).isFalse();
  }
}
