package io.tandem.routing;

import static io.tandem.routing.Proposals.at;
import static io.tandem.routing.Proposals.entity;
import static io.tandem.routing.Proposals.percent;
import static io.tandem.routing.Proposals.rollback;
import static io.tandem.routing.Proposals.setPercent;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** What a replica keeps in memory is bounded; what it drops comes back from the log, the same on every replica. */
class BoundedRoutingMemoryTest {
  /** The log: what every replica replays. */
  private final List<Proposal> log = new ArrayList<>();
  private final AtomicInteger recalls = new AtomicInteger();

  /** An archive as the routing log gives it: a fresh machine replaying the log's prefix up to the version. */
  private final VersionArchive archive = new VersionArchive() {
    @Override
    public RoutingState recall(long version) {
      recalls.incrementAndGet();
      RoutingStateMachine scratch = new RoutingStateMachine(1, 3, 1, this);
      for (int offset = 0; offset < log.size() && scratch.state().version() < version; offset++) {
        scratch.apply(offset, log.get(offset));
      }
      return scratch.state().definitions();
    }
  };

  private final RoutingStateMachine bounded = new RoutingStateMachine(2, 3, 5, archive);
  private final RoutingStateMachine unbounded = new RoutingStateMachine();

  private AuditEntry append(Proposal proposal) {
    log.add(proposal);
    AuditEntry reference = unbounded.apply(log.size() - 1, proposal);
    AuditEntry entry = bounded.apply(log.size() - 1, proposal);
    assertThat(entry).as("both replicas decide the same").isEqualTo(reference);
    return entry;
  }

  private void applied(Command command) {
    AuditEntry entry = append(at(bounded.state().version(), command));
    assertThat(entry.applied()).as("%s: %s", entry.rejection(), entry.message()).isTrue();
  }

  @Test
  void aRollbackToAVersionNoLongerKeptRecallsItFromTheLogAndMatchesAReplicaThatKeptEverything() {
    applied(entity("customer"));
    applied(percent("wave", 1, Phase.NEW_READS)); // version 2
    for (int percent = 2; percent <= 10; percent++) {
      applied(setPercent("wave", percent)); // versions 3..11
    }
    assertThat(bounded.keptVersions()).as("the latest 3 and version 0").isEqualTo(4);
    assertThat(bounded.stateAt(2)).as("not in memory any more").isEmpty();
    assertThat(bounded.holds(2)).isFalse();

    AuditEntry back = append(rollback(bounded.state().version(), new Command.RollbackTo(2)));

    assertThat(back.applied()).as("%s", back.message()).isTrue();
    assertThat(recalls).hasValue(1);
    assertThat(bounded.state().entities()).isEqualTo(unbounded.state().entities());
    for (int key = 0; key < 2_000; key++) {
      assertThat(bounded.state().decide("customer", Integer.toString(key)))
          .isEqualTo(unbounded.state().decide("customer", Integer.toString(key)));
    }
    assertThat(bounded.keptVersions()).isEqualTo(4);
  }

  @Test
  void aRollbackToAVersionThatNeverExistedIsRefusedWithoutReadingTheLog() {
    applied(entity("customer"));
    AuditEntry entry = append(rollback(1, new Command.RollbackTo(9)));
    assertThat(entry.rejection()).isEqualTo(Rejection.UNKNOWN_VERSION);
    assertThat(recalls).hasValue(0);
  }

  @Test
  void theAuditKeepsTheLatestEntriesInLogOrderAndFindsThemByOffset() {
    applied(entity("customer"));
    applied(percent("wave", 1, Phase.LEGACY));
    for (int percent = 2; percent <= 9; percent++) {
      applied(setPercent("wave", percent));
    }
    append(at(0, setPercent("wave", 50))); // rejected: stale version, audited all the same

    AuditTrail trail = bounded.auditTrail();
    assertThat(trail.size()).isEqualTo(5);
    assertThat(trail.truncated()).isTrue();
    assertThat(trail.oldestOffset()).isEqualTo(6);
    assertThat(bounded.audit()).extracting(AuditEntry::offset).containsExactly(6L, 7L, 8L, 9L, 10L);
    assertThat(trail.at(10)).get().extracting(AuditEntry::rejection).isEqualTo(Rejection.VERSION_CONFLICT);
    assertThat(trail.at(3)).as("dropped from memory").isEmpty();
    assertThat(trail.before(9, 2, e -> true)).extracting(AuditEntry::offset).containsExactly(7L, 8L);
    assertThat(trail.latest(3, AuditEntry::applied)).extracting(AuditEntry::offset).containsExactly(7L, 8L, 9L);
    assertThat(unbounded.audit()).hasSize(11);
  }

  @Test
  void aPendingSwitchRemembersTheOffsetOfItsBeginRecord() {
    applied(entity("customer"));
    applied(percent("pilot", 5, Phase.NEW_READS));
    AuditEntry began = append(at(bounded.state().version(),
        new Command.BeginSwitch("s1", new Command.SetPhase("customer", "pilot", Phase.NEW))));
    assertThat(began.applied()).isTrue();
    assertThat(bounded.state().pendingSwitch()).get().extracting(RoutingState.PendingSwitch::beginOffset)
        .isEqualTo(2L);
    // It survives the audit dropping that record.
    for (int i = 0; i < 6; i++) {
      append(at(0, setPercent("pilot", 9)));
    }
    assertThat(bounded.auditTrail().at(2)).isEmpty();
    assertThat(bounded.state().pendingSwitch().orElseThrow().beginOffset()).isEqualTo(2L);
  }

  @Test
  void anAuditTrailKeepsOnlyWhatItsFilterAccepts() {
    AuditTrail trail = new AuditTrail(2, e -> e.offset() % 2 == 0);
    for (long offset = 0; offset < 10; offset++) {
      trail.add(new AuditEntry(offset, null, false, 0, Rejection.MALFORMED, "x"));
    }
    assertThat(trail.all()).extracting(AuditEntry::offset).containsExactly(6L, 8L);
    assertThat(trail.capacity()).isEqualTo(2);
  }
}
