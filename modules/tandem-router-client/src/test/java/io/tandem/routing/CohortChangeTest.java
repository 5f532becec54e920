package io.tandem.routing;

import static io.tandem.routing.Proposals.at;
import static io.tandem.routing.Proposals.entity;
import static io.tandem.routing.Proposals.keys;
import static io.tandem.routing.Proposals.percent;
import static io.tandem.routing.Proposals.rollback;
import static io.tandem.routing.Proposals.setPercent;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class CohortChangeTest {
  private final RoutingStateMachine machine = new RoutingStateMachine();

  /** Applies the command; the changes it made. */
  private List<CohortChange> apply(Command command, boolean rollback) {
    RoutingState before = machine.state();
    Proposal proposal = rollback ? rollback(before.version(), command) : at(before.version(), command);
    AuditEntry entry = machine.apply(machine.audit().size(), proposal);
    assertThat(entry.applied()).as("%s: %s", entry.rejection(), entry.message()).isTrue();
    return CohortChange.between(before, machine.state());
  }

  @Test
  void eachKindOfChangeIsNamedWithTheCohortBeforeAndAfter() {
    assertThat(apply(entity("customer"), false)).isEmpty();
    List<CohortChange> created = apply(keys("pilot", Phase.SHADOW, "1", "2"), false);
    assertThat(created).singleElement().satisfies(c -> {
      assertThat(c.type()).isEqualTo(CohortChange.Type.CREATED);
      assertThat(c.from()).isEmpty();
      assertThat(c.to().orElseThrow().phase()).isEqualTo(Phase.SHADOW);
    });
    long afterPilot = machine.state().version();
    apply(percent("wave", 1, Phase.LEGACY), false);
    List<CohortChange> promoted = apply(new Command.SetPhase("customer", "pilot", Phase.NEW_READS), false);
    assertThat(promoted).singleElement().satisfies(c -> {
      assertThat(c.type()).isEqualTo(CohortChange.Type.PHASE_CHANGED);
      assertThat(c.from().orElseThrow().phase()).isEqualTo(Phase.SHADOW);
      assertThat(c.to().orElseThrow().phase()).isEqualTo(Phase.NEW_READS);
    });
    assertThat(apply(setPercent("wave", 5), false)).singleElement()
        .satisfies(c -> assertThat(c.type()).isEqualTo(CohortChange.Type.SELECTOR_CHANGED));
    // A rollback to the version before "wave" existed: pilot back to SHADOW and wave gone, in one change.
    List<CohortChange> undone = apply(new Command.RollbackTo(afterPilot), true);
    assertThat(undone).extracting(CohortChange::cohort, CohortChange::type).containsExactly(
        org.assertj.core.groups.Tuple.tuple("pilot", CohortChange.Type.PHASE_CHANGED),
        org.assertj.core.groups.Tuple.tuple("wave", CohortChange.Type.DELETED));
  }
}
