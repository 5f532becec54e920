package io.tandem.core.mapping;

import io.tandem.core.config.ConfigException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The inverse of a {@link Mapping}: new row → legacy row, used by reverse sync while new owns a key.
 * Derived rule by rule; where a rule cannot be inverted the mapping file's {@code reverse:} section must
 * say what to do, or {@link #of} refuses, naming the file and the field.
 *
 * <p>The contract is {@code forward(reverse(newRow)) == newRow} for every field not declared ignored:
 * a row written on new, carried back to legacy and mapped forward again is the row new holds, so the
 * verifier can keep comparing through the forward mapping whichever side owns the key.
 *
 * <p>Legacy values are given in a neutral form that PostgreSQL casts to the legacy column's type: whole
 * numbers as Long, exact decimals as text ({@code "12.30"}), times as ISO-8601 text with the zone's
 * offset (a {@code timestamp} column takes the wall clock, a {@code timestamptz} column the instant),
 * dates as ISO text.
 */
public final class ReverseMapping {
  private static final DateTimeFormatter OFFSET_TIME = DateTimeFormatter.ISO_OFFSET_DATE_TIME;

  private final Mapping forward;
  private final List<Rule> rules;
  private final List<String> legacyKey;
  private final Map<String, Object> insertValues;
  private final Set<String> ignoredFields;
  private final boolean protectFiltered;

  /**
   * One legacy column and the new field it is made from.
   *
   * @param inverseCodes enum symbol → legacy code, for {@link Cast#ENUM}
   */
  public record Rule(String column, String field, Cast cast, Map<String, String> inverseCodes, FieldRule forward) {
    public Rule {
      inverseCodes = Map.copyOf(inverseCodes);
    }
  }

  private ReverseMapping(Mapping forward, List<Rule> rules, List<String> legacyKey, ReverseSpec spec) {
    this.forward = forward;
    this.rules = List.copyOf(rules);
    this.legacyKey = List.copyOf(legacyKey);
    this.insertValues = spec.insertValues();
    this.ignoredFields = spec.ignoredFields();
    this.protectFiltered = spec.protectFiltered();
  }

  /**
   * Derives the reverse of {@code mapping} with its {@code reverse:} section.
   *
   * @throws ConfigException naming the mapping file and the field that cannot be inverted and what the
   *     {@code reverse:} section must declare for it
   */
  public static ReverseMapping of(Mapping mapping) {
    ReverseSpec spec = mapping.reverseSpec();
    String file = mapping.name();
    for (String ignored : spec.ignoredFields()) {
      if (!mapping.fields().containsKey(ignored)) {
        throw new ConfigException(file, "reverse.fields." + ignored, "a field defined under 'fields'", ignored);
      }
      if (mapping.keyFields().contains(ignored)) {
        throw new ConfigException(file, "reverse.fields." + ignored, "a non-key field (a key field cannot be ignored)",
            "ignore");
      }
    }
    for (String field : spec.enumInverses().keySet()) {
      FieldRule rule = mapping.fields().get(field);
      if (rule == null || rule.cast() != Cast.ENUM) {
        throw new ConfigException(file, "reverse.fields." + field + ".values", "an enum field (cast: enum)", field);
      }
    }
    if (!mapping.filters().isEmpty() && !spec.protectFiltered()) {
      RowFilter first = mapping.filters().get(0);
      throw new ConfigException(file, "reverse.filter",
          "'protect' (the forward filter " + first.describe() + " keeps legacy rows out of the new model;"
              + " reverse sync must be told to leave those rows alone)", null);
    }
    if (!mapping.joins().isEmpty()) {
      throw new ConfigException(file, "join", "no join in a mapping with a 'reverse:' section (a joined entity"
          + " has no single legacy row to write back)", mapping.joins().get(0).name());
    }
    for (int i = 0; i < mapping.filters().size(); i++) {
      if (mapping.filters().get(i).when() != null) {
        throw new ConfigException(file, "filter[" + i + "].when", "column comparisons only in a mapping with a"
            + " 'reverse:' section (reverse sync guards legacy rows the filter keeps out in SQL, and a CEL"
            + " condition has no SQL form)", mapping.filters().get(i).when().text());
      }
    }
    List<Rule> rules = new ArrayList<>();
    Map<String, String> fieldByColumn = new HashMap<>();
    for (FieldRule rule : mapping.fields().values()) {
      String path = "fields." + rule.target();
      if (spec.ignoredFields().contains(rule.target())) {
        continue;
      }
      if (rule.protection() != Protection.NONE) {
        throw new ConfigException(file, path, "'reverse: { fields: { " + rule.target() + ": ignore } }' (a value"
            + " under 'protect' cannot be carried back)",
            "protect " + rule.protection().name().toLowerCase(java.util.Locale.ROOT));
      }
      if (rule.computed()) {
        throw new ConfigException(file, path, "'reverse: { fields: { " + rule.target() + ": ignore } }' (an"
            + " expression has no inverse: values written on new would stay on new)", rule.expression().text());
      }
      if (rule.from() == null) {
        throw new ConfigException(file, path, "a legacy column to carry it back to, or 'reverse: { fields: { "
            + rule.target() + ": ignore } }' (a constant default has no legacy column: values written on new"
            + " would stay on new)", "default " + rule.defaultValue());
      }
      String other = fieldByColumn.putIfAbsent(rule.from(), rule.target());
      if (other != null) {
        throw new ConfigException(file, path, "one new field per legacy column, or 'reverse: { fields: { "
            + rule.target() + ": ignore } }' (column '" + rule.from() + "' already comes back from field '"
            + other + "')", rule.from());
      }
      Map<String, String> inverse = Map.of();
      if (rule.cast() == Cast.ENUM) {
        inverse = enumInverse(file, rule, spec.enumInverses().get(rule.target()));
      }
      rules.add(new Rule(rule.from(), rule.target(), rule.cast(), inverse, rule));
    }
    for (String column : spec.insertValues().keySet()) {
      if (fieldByColumn.containsKey(column)) {
        throw new ConfigException(file, "reverse.columns." + column, "a legacy column no field is made from (field '"
            + fieldByColumn.get(column) + "' already sets it)", column);
      }
    }
    List<String> legacyKey = spec.legacyKey();
    if (legacyKey.isEmpty()) {
      legacyKey = mapping.keyFields().stream().map(f -> mapping.fields().get(f).from()).toList();
    } else {
      for (String column : legacyKey) {
        if (!fieldByColumn.containsKey(column)) {
          throw new ConfigException(file, "reverse.key", "legacy columns made from new fields (the legacy key of a"
              + " row written on new must come from the row)", column);
        }
      }
    }
    return new ReverseMapping(mapping, rules, legacyKey, spec);
  }

  // Symbol → code: the declared table, or the forward table turned around when that is one to one.
  private static Map<String, String> enumInverse(String file, FieldRule rule, Map<String, String> declared) {
    String path = "fields." + rule.target() + ".values";
    if (declared != null) {
      for (Map.Entry<String, String> entry : declared.entrySet()) {
        if (!entry.getKey().equals(rule.enumValues().get(entry.getValue()))) {
          throw new ConfigException(file, "reverse.fields." + rule.target() + ".values." + entry.getKey(),
              "a legacy code the forward table maps to " + entry.getKey() + " (forward table " + rule.enumValues()
                  + ")", entry.getValue());
        }
      }
      for (String symbol : new LinkedHashSet<>(rule.enumValues().values())) {
        if (!declared.containsKey(symbol)) {
          throw new ConfigException(file, "reverse.fields." + rule.target() + ".values", "a code for every symbol"
              + " (missing " + symbol + ")", declared.keySet());
        }
      }
      return declared;
    }
    Map<String, String> inverse = new LinkedHashMap<>();
    for (Map.Entry<String, String> entry : rule.enumValues().entrySet()) {
      String previous = inverse.putIfAbsent(entry.getValue(), entry.getKey());
      if (previous != null) {
        throw new ConfigException(file, path, "one legacy code per symbol, or 'reverse: { fields: { " + rule.target()
            + ": { values: { " + entry.getValue() + ": <code> } } } }' (" + entry.getValue() + " comes from both '"
            + previous + "' and '" + entry.getKey() + "')", rule.enumValues());
      }
    }
    return inverse;
  }

  public Mapping forward() {
    return forward;
  }

  /** Legacy {@code <schema>.<table>}. */
  public String legacyTable() {
    return forward.sourceTable();
  }

  /** The legacy primary-key columns, in order. */
  public List<String> legacyKey() {
    return legacyKey;
  }

  public List<Rule> rules() {
    return rules;
  }

  /** Legacy columns reverse sync writes, in rule order (insert-only columns not included). */
  public List<String> columns() {
    return rules.stream().map(Rule::column).toList();
  }

  /** Legacy columns set only when reverse sync inserts a row, with their values. */
  public Map<String, Object> insertValues() {
    return insertValues;
  }

  /** New fields not carried back. */
  public Set<String> ignoredFields() {
    return ignoredFields;
  }

  /** Whether legacy rows the forward filters leave out are protected from reverse writes. */
  public boolean protectFiltered() {
    return protectFiltered;
  }

  /**
   * The legacy row for a new row (columns of {@link #columns()}). Values may arrive in their mapped
   * form (Long, Instant, LocalDate, BigDecimal) or as change-capture delivers them (numbers as text,
   * timestamptz as ISO text, dates as epoch days).
   *
   * @throws MappingException naming the field whose value cannot be carried back
   */
  public Map<String, Object> apply(Map<String, ?> newRow) {
    Map<String, Object> legacy = new LinkedHashMap<>();
    for (Rule rule : rules) {
      legacy.put(rule.column(), invert(rule, newRow.get(rule.field())));
    }
    for (String column : legacyKey) {
      if (legacy.get(column) == null) {
        throw new MappingException(fieldOf(column), "legacy key column '" + column + "' would be null");
      }
    }
    return Collections.unmodifiableMap(legacy);
  }

  /** The legacy key of a new row (a delete's before image must hold the fields it comes from). */
  public Map<String, Object> key(Map<String, ?> newRow) {
    Map<String, Object> key = new LinkedHashMap<>();
    for (String column : legacyKey) {
      Rule rule = ruleFor(column);
      Object value = invert(rule, newRow.get(rule.field()));
      if (value == null) {
        throw new MappingException(rule.field(), "legacy key column '" + column + "' would be null (is field '"
            + rule.field() + "' in the row? deletes need REPLICA IDENTITY FULL on the new table)");
      }
      key.put(column, value);
    }
    return key;
  }

  /** Why the forward filters would leave this legacy row out, or empty when they keep it. */
  public Optional<String> filteredBy(Map<String, ?> legacyRow) {
    return forward.filteredBy(legacyRow);
  }

  private Rule ruleFor(String column) {
    for (Rule rule : rules) {
      if (rule.column().equals(column)) {
        return rule;
      }
    }
    throw new IllegalStateException("no rule for legacy column " + column);
  }

  private String fieldOf(String column) {
    return ruleFor(column).field();
  }

  private static Object invert(Rule rule, Object value) {
    if (value == null) {
      return null;
    }
    if (value instanceof CharSequence chars && !(value instanceof String)) {
      value = chars.toString();
    }
    FieldRule forward = rule.forward();
    try {
      return switch (rule.cast()) {
        case NONE -> value;
        case STRING -> value.toString();
        case INT, LONG -> Cast.integral(value);
        case DOUBLE -> value instanceof Number n ? n.doubleValue() : Double.parseDouble(value.toString());
        case BOOLEAN -> value instanceof Boolean b ? b : Boolean.parseBoolean(value.toString().trim());
        case CENTS -> BigDecimal.valueOf(Cast.integral(value)).movePointLeft(2).setScale(2, RoundingMode.UNNECESSARY)
            .toPlainString();
        case DECIMAL -> Cast.decimal(value).setScale(forward.scale(), RoundingMode.UNNECESSARY).toPlainString();
        case ENUM -> {
          String code = rule.inverseCodes().get(value.toString());
          if (code == null) {
            throw new MappingException(rule.field(), "symbol '" + value + "' has no legacy code; known symbols: "
                + rule.inverseCodes().keySet());
          }
          yield code;
        }
        case UTC_INSTANT -> ZonedDateTime.ofInstant(instant(value), forward.zone()).format(OFFSET_TIME);
        case DATE -> date(value).toString();
      };
    } catch (ArithmeticException e) {
      throw new MappingException(rule.field(), "cannot carry '" + value + "' back to column '" + rule.column()
          + "' without losing precision");
    } catch (NumberFormatException | DateTimeParseException e) {
      throw new MappingException(rule.field(), "cannot carry '" + value + "' (" + value.getClass().getSimpleName()
          + ") back to column '" + rule.column() + "'");
    }
  }

  private static Instant instant(Object value) {
    if (value instanceof Instant i) {
      return i;
    }
    if (value instanceof OffsetDateTime o) {
      return o.toInstant();
    }
    if (value instanceof ZonedDateTime z) {
      return z.toInstant();
    }
    if (value instanceof Long micros) {
      // timestamp-micros (or a timestamp column on new, taken as UTC)
      return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000);
    }
    String text = value.toString().trim();
    Instant utc = Cast.parseUtcIso(text);
    if (utc != null) {
      return utc;
    }
    try {
      return OffsetDateTime.parse(text.replace(' ', 'T')).toInstant();
    } catch (DateTimeParseException e) {
      return LocalDateTime.parse(text.replace(' ', 'T')).toInstant(ZoneOffset.UTC);
    }
  }

  private static LocalDate date(Object value) {
    if (value instanceof LocalDate d) {
      return d;
    }
    if (value instanceof Integer days) {
      return LocalDate.ofEpochDay(days);
    }
    if (value instanceof Instant i) {
      return LocalDate.ofInstant(i, ZoneOffset.UTC);
    }
    return LocalDate.parse(value.toString().trim());
  }
}
