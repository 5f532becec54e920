package io.tandem.routing;

import java.time.Instant;
import java.util.List;
import java.util.Set;

/** Builds proposals for tests. */
final class Proposals {
  private static int sequence;

  private Proposals() {}

  static Proposal at(long expectedVersion, Command command) {
    return new Proposal("p" + (++sequence), expectedVersion, "alice", "test", Instant.parse("2026-11-21T10:00:00Z"),
        false, command);
  }

  static Proposal rollback(long expectedVersion, Command command) {
    return new Proposal("p" + (++sequence), expectedVersion, "alice", "test", Instant.parse("2026-11-21T10:00:00Z"),
        true, command);
  }

  static Command.DefineEntity entity(String name, String... attributes) {
    return new Command.DefineEntity(name, List.of(attributes));
  }

  static Command.CreateCohort percent(String cohort, double percent, Phase phase) {
    return new Command.CreateCohort("customer", cohort,
        new Selector.Percent((int) Math.round(percent * 100), "customer/" + cohort), phase, -1);
  }

  static Command.CreateCohort keys(String cohort, Phase phase, String... keys) {
    return new Command.CreateCohort("customer", cohort, new Selector.Keys(Set.of(keys)), phase, -1);
  }

  static Command.UpdateSelector setPercent(String cohort, double percent) {
    return new Command.UpdateSelector("customer", cohort,
        new Selector.Percent((int) Math.round(percent * 100), "customer/" + cohort));
  }
}
