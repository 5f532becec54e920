package io.tandem.routing;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Whether a routing change can move any key's writes from one side to the other. A key writes to new iff the
 * first cohort holding it is in {@link Phase#NEW}; so if, per entity, the cohorts up to the last one in
 * {@code NEW} are the same before and after (names, selectors, whether they write to new), no key's write
 * target changes. Anything else may move writes, and must go through a fenced switch.
 */
final class WriteMoves {
  private WriteMoves() {}

  /** The entities whose keys' writes may move between {@code before} and {@code after}. */
  static Set<String> entities(Map<String, EntityRouting> before, Map<String, EntityRouting> after) {
    Set<String> names = new HashSet<>(before.keySet());
    names.addAll(after.keySet());
    Set<String> moved = new HashSet<>();
    for (String name : names) {
      if (!writeShape(before.get(name)).equals(writeShape(after.get(name)))) {
        moved.add(name);
      }
    }
    return moved;
  }

  /**
   * The sides that may lose writes of some keys: when only cohorts' phases change (same cohorts, order and
   * selectors), the old write target of each cohort whose write target changes; otherwise both sides.
   */
  static Set<Target> losingSides(Map<String, EntityRouting> before, Map<String, EntityRouting> after,
      Set<String> moved) {
    Set<Target> losing = java.util.EnumSet.noneOf(Target.class);
    for (String name : moved) {
      EntityRouting was = before.get(name);
      EntityRouting is = after.get(name);
      if (was == null || is == null || was.cohorts().size() != is.cohorts().size()) {
        return java.util.EnumSet.allOf(Target.class);
      }
      for (int i = 0; i < was.cohorts().size(); i++) {
        Cohort a = was.cohorts().get(i);
        Cohort b = is.cohorts().get(i);
        if (!a.name().equals(b.name()) || !a.selector().equals(b.selector())) {
          return java.util.EnumSet.allOf(Target.class);
        }
        if (a.phase().write() != b.phase().write()) {
          losing.add(a.phase().write());
        }
      }
    }
    return losing.isEmpty() ? java.util.EnumSet.allOf(Target.class) : losing;
  }

  private record Shape(String cohort, Selector selector, Target write) {}

  private static List<Shape> writeShape(EntityRouting entity) {
    List<Shape> shape = new ArrayList<>();
    if (entity == null) {
      return shape;
    }
    int last = -1;
    for (int i = 0; i < entity.cohorts().size(); i++) {
      if (entity.cohorts().get(i).phase().write() == Target.NEW) {
        last = i;
      }
    }
    for (int i = 0; i <= last; i++) {
      Cohort cohort = entity.cohorts().get(i);
      shape.add(new Shape(cohort.name(), cohort.selector(), cohort.phase().write()));
    }
    return shape;
  }
}
