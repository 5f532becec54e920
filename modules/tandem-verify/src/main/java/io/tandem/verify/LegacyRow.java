package io.tandem.verify;

import java.util.AbstractMap;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * A legacy row as the mapping reads it ({@code row.get(column)}), backed by an array and a column
 * index shared by every row of a result: no map is built per row.
 */
final class LegacyRow extends AbstractMap<String, Object> {
  /** The columns of one result set. */
  static final class Columns {
    final String[] names;
    final LegacyValues.Wire[] wires;
    private final Map<String, Integer> index = new HashMap<>();

    Columns(String[] names, LegacyValues.Wire[] wires) {
      this.names = names;
      this.wires = wires;
      for (int i = 0; i < names.length; i++) {
        index.put(names[i], i);
      }
    }

    int indexOf(Object name) {
      Integer i = index.get(name);
      return i == null ? -1 : i;
    }
  }

  private final Columns columns;
  private final Object[] values;
  private final Object[] boundKey;

  /**
   * @param boundKey the primary-key values as the legacy driver returned them, to bind in a later
   *     statement (a UUID, a date or a text key compares right only in its own type)
   */
  LegacyRow(Columns columns, Object[] values, Object[] boundKey) {
    this.columns = columns;
    this.values = values;
    this.boundKey = boundKey;
  }

  Object[] boundKey() {
    return boundKey;
  }

  /** Adds a joined child table's rows under the join's name (as the topology gives them to the mapping). */
  @Override
  public Object put(String name, Object rows) {
    if (columns.indexOf(name) >= 0) {
      throw new UnsupportedOperationException("column '" + name + "' of a legacy row is read-only");
    }
    if (joined == null) {
      joined = new HashMap<>(4);
    }
    return joined.put(name, rows);
  }

  private Map<String, Object> joined;

  @Override
  public Object get(Object key) {
    int i = columns.indexOf(key);
    if (i >= 0) {
      return values[i];
    }
    return joined == null ? null : joined.get(key);
  }

  @Override
  public boolean containsKey(Object key) {
    return columns.indexOf(key) >= 0 || (joined != null && joined.containsKey(key));
  }

  @Override
  public Set<Entry<String, Object>> entrySet() {
    Set<Entry<String, Object>> entries = new LinkedHashSet<>();
    for (int i = 0; i < values.length; i++) {
      entries.add(new SimpleImmutableEntry<>(columns.names[i], values[i]));
    }
    if (joined != null) {
      joined.forEach((name, rows) -> entries.add(new SimpleImmutableEntry<>(name, rows)));
    }
    return entries;
  }
}
