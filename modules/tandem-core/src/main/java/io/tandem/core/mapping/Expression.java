package io.tandem.core.mapping;

import com.google.protobuf.ByteString;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelValidationResult;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.navigation.CelNavigableAst;
import dev.cel.common.navigation.CelNavigableExpr;
import dev.cel.common.types.CelType;
import dev.cel.common.types.SimpleType;
import dev.cel.common.values.NullValue;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerBuilder;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.extensions.CelExtensions;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A CEL expression over the columns of one legacy row ({@code first_nm + ' ' + last_nm}), compiled once when
 * the mapping is loaded. Columns are typed as they arrive on the raw topic ({@link ColumnType}); until the
 * legacy catalog is known they are checked as {@code dyn}, and {@link #typeCheck} checks them against the
 * real column types when it is (the verifier and {@code tandem inventory} do).
 */
public final class Expression {
  /** Longest expression text accepted; CEL bounds its own parse depth. */
  public static final int MAX_LENGTH = 2_000;

  private static final CelRuntime RUNTIME = CelRuntimeFactory.standardCelRuntimeBuilder()
      .addLibraries(CelExtensions.strings(), CelExtensions.math()).build();
  private static final CelCompiler PARSER = compilerBuilder().build();

  /** How a legacy column's raw-topic value looks to an expression. */
  public enum ColumnType {
    /** Integers, and dates (days), local timestamps and times (microseconds). */
    INT(SimpleType.INT),
    DOUBLE(SimpleType.DOUBLE),
    BOOL(SimpleType.BOOL),
    /** Text, and exact decimals and offset timestamps (their exact text). */
    STRING(SimpleType.STRING),
    BYTES(SimpleType.BYTES),
    /** A joined child table's rows ({@link Join}): a list of column → value maps. */
    ROWS(dev.cel.common.types.ListType.create(dev.cel.common.types.MapType.create(SimpleType.STRING,
        SimpleType.DYN)));

    private final CelType celType;

    ColumnType(CelType celType) {
      this.celType = celType;
    }

    /** The type of a column of a raw change record's row schema (its non-null branch). */
    public static ColumnType ofAvro(org.apache.avro.Schema column) {
      org.apache.avro.Schema type = column;
      if (type.getType() == org.apache.avro.Schema.Type.UNION) {
        type = type.getTypes().stream().filter(t -> t.getType() != org.apache.avro.Schema.Type.NULL).findFirst()
            .orElse(type);
      }
      return switch (type.getType()) {
        case INT, LONG -> INT;
        case FLOAT, DOUBLE -> DOUBLE;
        case BOOLEAN -> BOOL;
        case BYTES, FIXED -> BYTES;
        default -> STRING;
      };
    }
  }

  private final String text;
  private final Set<String> columns;
  private final CelType resultType;
  private final CelRuntime.Program program;

  private Expression(String text, Set<String> columns, CelType resultType, CelRuntime.Program program) {
    this.text = text;
    this.columns = columns;
    this.resultType = resultType;
    this.program = program;
  }

  /**
   * Compiles {@code text}; {@code boolean} asks for a condition ({@code when:}), otherwise any scalar.
   *
   * @throws IllegalArgumentException with CEL's reason when it does not parse or check
   */
  public static Expression compile(String text, boolean condition) {
    if (text.length() > MAX_LENGTH) {
      throw new IllegalArgumentException("an expression of at most " + MAX_LENGTH + " characters, not "
          + text.length());
    }
    CelValidationResult parsed = PARSER.parse(text);
    if (parsed.hasError()) {
      throw new IllegalArgumentException(parsed.getErrorString());
    }
    Set<String> columns;
    try {
      columns = freeIdentifiers(parsed.getAst());
    } catch (Exception e) {
      throw new IllegalArgumentException(e.getMessage());
    }
    CelType resultType = condition ? SimpleType.BOOL : SimpleType.DYN;
    Map<String, CelType> dynamic = new HashMap<>();
    columns.forEach(column -> dynamic.put(column, SimpleType.DYN));
    CelAbstractSyntaxTree checked = check(text, dynamic, resultType);
    try {
      return new Expression(text, Set.copyOf(columns), resultType, RUNTIME.createProgram(checked));
    } catch (Exception e) {
      throw new IllegalArgumentException(e.getMessage());
    }
  }

  /** The expression's text, as written. */
  public String text() {
    return text;
  }

  /** The legacy columns it reads. */
  public Set<String> columns() {
    return columns;
  }

  /**
   * Checks the expression against the legacy columns' real types; empty when it holds, else why not
   * (a column the table lacks, or an operator that does not apply to a column's type).
   */
  public Optional<String> typeCheck(Map<String, ColumnType> legacyColumns) {
    Map<String, CelType> types = new HashMap<>();
    for (String column : columns) {
      ColumnType type = legacyColumns.get(column);
      if (type == null) {
        return Optional.of("column '" + column + "' is not in the legacy table (it has "
            + new java.util.TreeSet<>(legacyColumns.keySet()) + ")");
      }
      types.put(column, type.celType);
    }
    try {
      check(text, types, resultType);
      return Optional.empty();
    } catch (IllegalArgumentException e) {
      return Optional.of(e.getMessage());
    }
  }

  /**
   * The value for this legacy row: null, a Long, Double, Boolean, String, byte[] or Instant.
   *
   * @throws MappingException naming {@code field} when evaluating fails (a type the expression cannot take,
   *     a division by zero); the reason never holds a column value
   */
  Object evaluate(String field, Map<String, ?> row) {
    Object result;
    try {
      // Resolved on demand, straight from the row: no map of variables per evaluation.
      result = program.eval((dev.cel.runtime.CelVariableResolver) name -> columns.contains(name)
          ? Optional.of(toCel(row.get(name))) : Optional.empty());
    } catch (CelEvaluationException | RuntimeException e) {
      throw new MappingException(field, "expression '" + text + "' failed: " + firstLine(e.getMessage()));
    }
    return fromCel(field, result);
  }

  private Object fromCel(String field, Object value) {
    if (value == null || value instanceof NullValue || value instanceof com.google.protobuf.NullValue) {
      return null;
    }
    if (value instanceof Long || value instanceof Double || value instanceof Boolean || value instanceof String) {
      return value;
    }
    if (value instanceof ByteString bytes) {
      return bytes.toByteArray();
    }
    if (value instanceof com.google.common.primitives.UnsignedLong unsigned) {
      return unsigned.longValue();
    }
    if (value instanceof com.google.protobuf.Timestamp timestamp) {
      return Instant.ofEpochSecond(timestamp.getSeconds(), timestamp.getNanos());
    }
    throw new MappingException(field, "expression '" + text + "' gave a " + value.getClass().getSimpleName()
        + ", not a single value (int, double, bool, string, bytes or timestamp)");
  }

  private static Object toCel(Object value) {
    if (value == null) {
      return NullValue.NULL_VALUE;
    }
    if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
      return ((Number) value).longValue();
    }
    if (value instanceof Float f) {
      return f.doubleValue();
    }
    if (value instanceof BigDecimal decimal) {
      return decimal.toPlainString();
    }
    if (value instanceof CharSequence chars) {
      return chars.toString(); // Avro's Utf8
    }
    if (value instanceof byte[] bytes) {
      return ByteString.copyFrom(bytes);
    }
    if (value instanceof ByteBuffer buffer) {
      return ByteString.copyFrom(buffer.duplicate());
    }
    if (value instanceof java.util.List<?> rows) { // a join's child rows
      java.util.List<Object> list = new java.util.ArrayList<>(rows.size());
      rows.forEach(row -> list.add(toCel(row)));
      return list;
    }
    if (value instanceof Map<?, ?> row) {
      Map<Object, Object> map = new java.util.LinkedHashMap<>();
      row.forEach((column, v) -> map.put(column.toString(), toCel(v)));
      return map;
    }
    return value;
  }

  private static CelAbstractSyntaxTree check(String text, Map<String, CelType> variables,
      CelType resultType) {
    CelCompilerBuilder builder = compilerBuilder().setResultType(resultType);
    variables.forEach(builder::addVar);
    CelValidationResult result = builder.build().compile(text);
    if (result.hasError()) {
      throw new IllegalArgumentException(result.getErrorString());
    }
    try {
      return result.getAst();
    } catch (Exception e) {
      throw new IllegalArgumentException(e.getMessage());
    }
  }

  /** Standard macros ({@code exists}, {@code has}, ...) and the string and math extensions. */
  private static CelCompilerBuilder compilerBuilder() {
    return CelCompilerFactory.standardCelCompilerBuilder()
        .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
        .addLibraries(CelExtensions.strings(), CelExtensions.math());
  }

  /** Identifiers that are not bound by a comprehension ({@code exists(x, ...)}): the columns read. */
  private static Set<String> freeIdentifiers(CelAbstractSyntaxTree ast) {
    Set<String> bound = new java.util.HashSet<>();
    Set<String> names = new LinkedHashSet<>();
    List<CelNavigableExpr> nodes = CelNavigableAst.fromAst(ast).getRoot().allNodes().toList();
    for (CelNavigableExpr node : nodes) {
      CelExpr expr = node.expr();
      if (expr.getKind() == CelExpr.ExprKind.Kind.COMPREHENSION) {
        bound.add(expr.comprehension().iterVar());
        bound.add(expr.comprehension().accuVar());
      }
    }
    for (CelNavigableExpr node : nodes) {
      CelExpr expr = node.expr();
      if (expr.getKind() == CelExpr.ExprKind.Kind.IDENT && !bound.contains(expr.ident().name())) {
        names.add(expr.ident().name());
      }
    }
    return names;
  }

  private static String firstLine(String message) {
    return message == null ? "error" : message.lines().findFirst().orElse("error");
  }

  @Override
  public String toString() {
    return text;
  }
}
