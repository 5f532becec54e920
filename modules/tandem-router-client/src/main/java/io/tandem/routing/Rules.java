package io.tandem.routing;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelValidationResult;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerBuilder;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** Compiles cohort rules (CEL) against an entity's declared attributes, each a string, plus {@code key}. */
final class Rules {
  static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
  private static final CelRuntime RUNTIME = CelRuntimeFactory.standardCelRuntimeBuilder().build();

  private Rules() {}

  /** A compiled rule; evaluating it never throws: a missing attribute or an error means "not held". */
  interface CompiledRule {
    boolean holds(String key, Map<String, String> attributes);
  }

  /**
   * How many nodes the parsed expression has (its complexity: {@code region == "EU"} has 3), or -1 when it does
   * not parse (compiling it says why). Parsing is bounded by CEL's own limits (recursion depth, size).
   */
  static int nodeCount(String expression) {
    CelValidationResult parsed = PARSER.parse(expression);
    if (parsed.hasError()) {
      return -1;
    }
    try {
      return (int) Math.min(Integer.MAX_VALUE,
          dev.cel.common.navigation.CelNavigableAst.fromAst(parsed.getAst()).getRoot().allNodes().count());
    } catch (Exception e) {
      return -1;
    }
  }

  private static final CelCompiler PARSER = CelCompilerFactory.standardCelCompilerBuilder().build();

  static CompiledRule compile(String expression, List<String> attributes) throws ProposalRejectedException {
    CelCompilerBuilder builder = CelCompilerFactory.standardCelCompilerBuilder()
        .addVar("key", SimpleType.STRING)
        .setResultType(SimpleType.BOOL);
    for (String attribute : attributes) {
      builder.addVar(attribute, SimpleType.STRING);
    }
    CelCompiler compiler = builder.build();
    CelValidationResult result = compiler.compile(expression);
    if (result.hasError()) {
      throw new ProposalRejectedException(Rejection.INVALID, "rule does not compile (attributes: key, "
          + String.join(", ", attributes) + "): " + result.getErrorString());
    }
    CelRuntime.Program program;
    try {
      CelAbstractSyntaxTree ast = result.getAst();
      program = RUNTIME.createProgram(ast);
    } catch (Exception e) {
      throw new ProposalRejectedException(Rejection.INVALID, "rule does not compile: " + e.getMessage());
    }
    return (key, given) -> {
      java.util.HashMap<String, Object> variables = new java.util.HashMap<>(given.size() + 1);
      for (String attribute : attributes) {
        String value = given.get(attribute);
        if (value != null) {
          variables.put(attribute, value);
        }
      }
      variables.put("key", key);
      try {
        return Boolean.TRUE.equals(program.eval(variables));
      } catch (CelEvaluationException | RuntimeException e) {
        return false; // e.g. an attribute the request did not carry
      }
    };
  }
}
