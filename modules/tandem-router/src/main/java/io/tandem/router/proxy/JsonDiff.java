package io.tandem.router.proxy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The paths at which two JSON documents differ, leaving out ignored fields. Ignored fields are dotted
 * paths from the root in which arrays are transparent: {@code orders.updatedAt} ignores
 * {@code $.orders[3].updatedAt}. Differences are reported as {@code $.orders[3].total}.
 */
final class JsonDiff {
  /** Enough to see what differs without keeping a whole document's worth of paths. */
  static final int MAX_DIFFERENCES = 50;

  private final Set<String> ignored;

  JsonDiff(List<String> ignoreFields) {
    this.ignored = Set.copyOf(ignoreFields);
  }

  List<String> differences(JsonNode legacy, JsonNode neu) {
    List<String> out = new ArrayList<>();
    compare(legacy, neu, "$", "", out);
    return out;
  }

  /**
   * @param shown the path as reported, with indexes
   * @param fields the path as ignore rules see it: field names only
   */
  private void compare(JsonNode a, JsonNode b, String shown, String fields, List<String> out) {
    if (out.size() >= MAX_DIFFERENCES) {
      return;
    }
    if (absent(a) && absent(b)) {
      return; // null and a missing field are the same answer; serializers differ on which they write
    }
    if (a != null && b != null && a.isObject() && b.isObject()) {
      Set<String> names = new LinkedHashSet<>();
      a.fieldNames().forEachRemaining(names::add);
      b.fieldNames().forEachRemaining(names::add);
      for (String name : names) {
        String field = fields.isEmpty() ? name : fields + "." + name;
        if (!ignored.contains(field)) {
          compare(a.get(name), b.get(name), shown + "." + name, field, out);
        }
      }
    } else if (a != null && b != null && a.isArray() && b.isArray()) {
      for (int i = 0; i < Math.max(a.size(), b.size()); i++) {
        compare(a.get(i), b.get(i), shown + "[" + i + "]", fields, out);
      }
    } else if (!sameValue(a, b)) {
      out.add(shown);
    }
  }

  private static boolean absent(JsonNode node) {
    return node == null || node.isNull() || node.isMissingNode();
  }

  private static boolean sameValue(JsonNode a, JsonNode b) {
    if (a == null || b == null) {
      return false;
    }
    if (a.isNumber() && b.isNumber()) {
      return a.decimalValue().compareTo(b.decimalValue()) == 0; // 1 and 1.0 are the same number
    }
    return a.equals(b);
  }
}
