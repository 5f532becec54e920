package io.tandem.app.cohort;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** Left-aligned columns two spaces apart, the last one unpadded (it holds the free text). */
final class Table {
  private final List<String[]> rows = new ArrayList<>();
  private final int columns;

  private Table(int columns) {
    this.columns = columns;
  }

  /** A table whose first line names the columns. */
  static Table withHeader(String... headers) {
    Table table = new Table(headers.length);
    table.rows.add(headers.clone());
    return table;
  }

  /** Name-value lines, aligned like a table. */
  static Table nameValue() {
    return new Table(2);
  }

  Table row(Object... cells) {
    if (cells.length != columns) {
      throw new IllegalArgumentException("expected " + columns + " cells, got " + cells.length);
    }
    String[] row = new String[columns];
    for (int i = 0; i < columns; i++) {
      row[i] = cells[i] == null ? Text.NONE : Text.clean(String.valueOf(cells[i]));
    }
    rows.add(row);
    return this;
  }

  void print(PrintWriter out) {
    int[] widths = new int[columns];
    for (String[] row : rows) {
      for (int i = 0; i < columns; i++) {
        widths[i] = Math.max(widths[i], row[i].codePointCount(0, row[i].length()));
      }
    }
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < columns; i++) {
        line.append(row[i]);
        if (i < columns - 1) {
          line.append(" ".repeat(widths[i] - row[i].codePointCount(0, row[i].length()) + 2));
        }
      }
      out.println(line.toString().stripTrailing());
    }
  }
}
