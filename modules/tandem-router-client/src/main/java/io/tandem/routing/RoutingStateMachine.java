package io.tandem.routing;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Applies routing-log proposals in log order, deterministically: the same log gives every replica the
 * same state, version and audit. A proposal applies only if it expects the current version (the first
 * proposal for a version wins) and its command is valid; an applied proposal creates the next version.
 * Not thread-safe: one thread (the log follower) applies; readers use {@link #state()}.
 */
public final class RoutingStateMachine {
  private static final java.util.regex.Pattern NAME = java.util.regex.Pattern.compile("[a-z][a-z0-9_-]{0,62}");

  /** How many of the latest versions keep their compiled tests by default. */
  public static final int DEFAULT_MATERIALISED_VERSIONS = 16;
  /** How many of the latest versions are kept in memory by default (older ones are recalled from the log). */
  public static final int DEFAULT_KEPT_VERSIONS = 1000;
  /** How many of the latest audit entries are kept in memory by default (older ones are read from the log). */
  public static final int DEFAULT_AUDIT_ENTRIES = 10_000;
  private static final int RECALLED = 4;

  private volatile RoutingState state = RoutingState.empty();
  // The latest `kept` versions' definitions (entities, cohorts, selectors: the selectors shared with the commands
  // of the audit and between versions, so a version costs its cohort records, not its key lists), and version 0.
  // Only the latest `materialised` also keep their compiled tests; an older one compiles again when asked to
  // decide. Versions older than `kept` are recalled from the archive (the log) when a rollback names one.
  private final Map<Long, RoutingState> history = new ConcurrentHashMap<>();
  private final Map<Long, RoutingState> recalled = java.util.Collections.synchronizedMap(
      new LinkedHashMap<>(RECALLED, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, RoutingState> eldest) {
          return size() > RECALLED;
        }
      });
  private final AuditTrail audit;
  private final int materialised;
  private final long kept;
  private final VersionArchive archive;

  /** Keeps every version and the default number of audit entries (no archive to recall versions from). */
  public RoutingStateMachine() {
    this(DEFAULT_MATERIALISED_VERSIONS);
  }

  /** @param materialisedVersions how many of the latest versions keep their compiled tests (at least 1) */
  public RoutingStateMachine(int materialisedVersions) {
    this(materialisedVersions, Integer.MAX_VALUE, DEFAULT_AUDIT_ENTRIES, null);
  }

  /**
   * @param materialisedVersions how many of the latest versions keep their compiled tests (at least 1)
   * @param keptVersions how many of the latest versions are kept in memory (at least {@code materialisedVersions});
   *     older ones are recalled from {@code archive} when a rollback names them
   * @param auditEntries how many of the latest audit entries are kept in memory
   * @param archive where older versions come from; null keeps every version
   */
  public RoutingStateMachine(int materialisedVersions, int keptVersions, int auditEntries, VersionArchive archive) {
    if (materialisedVersions < 1) {
      throw new IllegalArgumentException("at least the current version is materialised, was " + materialisedVersions);
    }
    if (keptVersions < materialisedVersions) {
      throw new IllegalArgumentException("kept versions (" + keptVersions + ") must be at least the materialised ones ("
          + materialisedVersions + ")");
    }
    this.materialised = materialisedVersions;
    this.kept = archive == null ? Long.MAX_VALUE : keptVersions;
    this.archive = archive;
    this.audit = new AuditTrail(auditEntries);
    history.put(0L, state);
  }

  public RoutingState state() {
    return state;
  }

  /** The latest records applied, applied or rejected, in log order (at most the configured number). */
  public List<AuditEntry> audit() {
    return audit.all();
  }

  /** The bounded audit of the latest records (older ones: {@link RoutingLog#auditBefore}). */
  public AuditTrail auditTrail() {
    return audit;
  }

  /**
   * The state as it was at {@code version}, if this replica keeps that version in memory (the latest ones,
   * version 0, and a few recalled lately): never blocks. One older than the latest few is given as a fresh
   * copy that compiles its rules and key sets only if asked to decide.
   */
  public Optional<RoutingState> stateAt(long version) {
    RoutingState found = history.get(version);
    if (found == null) {
      found = recalled.get(version);
    }
    return Optional.ofNullable(found == null || found.materialised() ? found : found.definitions());
  }

  /**
   * The state as it was at {@code version}, if that version exists, recalled from the archive when it is no
   * longer kept: may block on the log (call it off event loops; then {@link #stateAt} finds it for a while).
   */
  public Optional<RoutingState> recall(long version) {
    Optional<RoutingState> known = stateAt(version);
    if (known.isPresent() || version < 0 || version > state.version() || archive == null) {
      return known;
    }
    RoutingState found = archive.recall(version);
    if (found.version() != version) {
      throw new IllegalStateException("the archive recalled version " + found.version() + " for " + version);
    }
    recalled.put(version, found.definitions());
    return Optional.of(found.definitions());
  }

  /** Whether {@code version} is in memory now (kept or recalled lately). */
  public boolean holds(long version) {
    return history.containsKey(version) || recalled.containsKey(version);
  }

  /** How many versions are kept in memory now (not counting recalled ones). */
  public int keptVersions() {
    return history.size();
  }

  /** How many versions of the history hold compiled tests now (at most the configured number). */
  public long materialisedVersions() {
    return history.values().stream().filter(RoutingState::materialised).count();
  }

  /** Applies one decoded record. */
  public AuditEntry apply(long offset, Proposal proposal) {
    RoutingState current = state;
    AuditEntry entry;
    if (proposal.command() instanceof Command.RecordAction action) {
      // Recorded, not applied to the routing: no version, no compare-and-set (docs/router.md, "Operator actions").
      String problem = invalidAction(action);
      entry = problem == null ? new AuditEntry(offset, proposal, true, current.version(), null, null)
          : new AuditEntry(offset, proposal, false, current.version(), Rejection.INVALID, problem);
    } else if (proposal.expectedVersion() != current.version()) {
      entry = new AuditEntry(offset, proposal, false, current.version(), Rejection.VERSION_CONFLICT,
          "expected version " + proposal.expectedVersion() + " but the current version is " + current.version());
    } else {
      try {
        RoutingState next = check(current, proposal).withVersion(current.version() + 1);
        if (proposal.command() instanceof Command.BeginSwitch) {
          // The coordinator's drain markers name the begin record's offset.
          next = next.withPending(next.pendingSwitch().orElseThrow().at(offset));
        }
        state = next;
        history.put(next.version(), next);
        history.computeIfPresent(next.version() - materialised, (v, old) -> old.definitions());
        if (next.version() - kept > 0) {
          history.remove(next.version() - kept);
        }
        entry = new AuditEntry(offset, proposal, true, next.version(), null, null);
      } catch (ProposalRejectedException e) {
        entry = new AuditEntry(offset, proposal, false, current.version(), e.rejection(), e.getMessage());
      }
    }
    audit.add(entry);
    return entry;
  }

  /** Records a log record that could not be decoded: every replica skips it the same way. */
  public AuditEntry applyMalformed(long offset, String problem) {
    AuditEntry entry = new AuditEntry(offset, null, false, state.version(), Rejection.MALFORMED, problem);
    audit.add(entry);
    return entry;
  }

  /**
   * The state {@code proposal} would produce from {@code current} (its version not yet advanced), or
   * why it is refused. Pure: the API calls it to answer bad input with a 4xx before anything is logged.
   */
  public RoutingState check(RoutingState current, Proposal proposal) throws ProposalRejectedException {
    Command command = proposal.command();
    if (command instanceof Command.RecordAction action) {
      String problem = invalidAction(action);
      if (problem != null) {
        throw new ProposalRejectedException(Rejection.INVALID, problem);
      }
      return current;
    }
    Optional<RoutingState.PendingSwitch> pending = current.pendingSwitch();
    if (command instanceof Command.BeginSwitch begin) {
      if (pending.isPresent()) {
        throw new ProposalRejectedException(Rejection.SWITCH_IN_PROGRESS, "write switch '" + pending.get().id()
            + "' is under way: complete or abort it first");
      }
      if (begin.change() instanceof Command.BeginSwitch || begin.change() instanceof Command.CompleteSwitch
          || begin.change() instanceof Command.AbortSwitch) {
        throw new ProposalRejectedException(Rejection.INVALID, "a switch changes cohorts, it cannot hold another switch");
      }
      if (!SWITCH_ID.matcher(begin.switchId()).matches()) {
        throw new ProposalRejectedException(Rejection.INVALID, "switch id '" + begin.switchId() + "' must match "
            + SWITCH_ID.pattern());
      }
      RoutingState target = apply(current, proposal, begin.change());
      java.util.Set<String> moved = WriteMoves.entities(current.entities(), target.entities());
      if (moved.isEmpty()) {
        throw new ProposalRejectedException(Rejection.INVALID, "this change moves no key's writes: propose it"
            + " directly, not as a switch");
      }
      return current.withPending(new RoutingState.PendingSwitch(begin.switchId(), begin.change(), moved, target,
          current.version() + 1, proposal.rollback(),
          WriteMoves.losingSides(current.entities(), target.entities(), moved), -1));
    }
    if (command instanceof Command.CompleteSwitch || command instanceof Command.AbortSwitch) {
      String id = command instanceof Command.CompleteSwitch c ? c.switchId() : ((Command.AbortSwitch) command).switchId();
      if (pending.isEmpty() || !pending.get().id().equals(id)) {
        throw new ProposalRejectedException(Rejection.UNKNOWN_SWITCH, "no write switch '" + id + "' is under way"
            + pending.map(p -> " (switch '" + p.id() + "' is)").orElse(""));
      }
      if (command instanceof Command.AbortSwitch) {
        return current.withPending(null);
      }
      // Re-applied to the state as it is now: changes that moved no writes may have come in meanwhile.
      // A rollback was confirmed when the switch began; completing it is not a second decision.
      Proposal confirmed = new Proposal(proposal.id(), proposal.expectedVersion(), proposal.actor(), proposal.reason(),
          proposal.time(), pending.get().rollback(), proposal.command(), proposal.gate());
      return apply(current.withPending(null), confirmed, pending.get().change());
    }
    RoutingState next = apply(current, proposal, command);
    if (pending.isPresent() && !WriteMoves.entities(current.entities(), next.entities()).isEmpty()) {
      throw new ProposalRejectedException(Rejection.SWITCH_IN_PROGRESS, "write switch '" + pending.get().id()
          + "' is under way and this change would move writes too: complete or abort the switch first");
    }
    return next;
  }

  /**
   * The entities where going from {@code before} to {@code after} may move some key's writes to the other side:
   * such a change must be made as a fenced switch ({@link Command.BeginSwitch}).
   */
  public static java.util.Set<String> writeMoves(RoutingState before, RoutingState after) {
    return WriteMoves.entities(before.entities(), after.entities());
  }

  private static final java.util.regex.Pattern SWITCH_ID = java.util.regex.Pattern.compile("[A-Za-z0-9._-]{1,64}");

  /** {@code command}'s state from {@code current} (keeping a pending switch), or why it is refused. */
  private RoutingState apply(RoutingState current, Proposal proposal, Command command)
      throws ProposalRejectedException {
    RoutingState.PendingSwitch pending = current.pendingSwitch().orElse(null);
    Map<String, EntityRouting> entities = new LinkedHashMap<>(current.entities());
    if (command instanceof Command.RollbackTo rollback) {
      RoutingState target = rollback.version() <= current.version()
          ? recall(rollback.version()).orElse(null) : null;
      if (target == null) {
        throw new ProposalRejectedException(Rejection.UNKNOWN_VERSION,
            "version " + rollback.version() + " does not exist (current version " + current.version() + ")");
      }
      if (!rollback.keepDeclarations()) {
        return RoutingState.of(current.version(), target.entities(), List.of(current, target)).withPending(pending);
      }
      // The cohorts of then, the declarations of now: a rollback never drops an entity or its attributes
      // (they come from the routers' configuration, not from routing decisions). A rule of then that reads an
      // attribute no longer declared does not compile: refused.
      Map<String, EntityRouting> restored = new LinkedHashMap<>();
      for (EntityRouting now : current.entities().values()) {
        List<Cohort> cohorts = target.entity(now.name()).map(EntityRouting::cohorts).orElse(List.of());
        restored.put(now.name(), new EntityRouting(now.name(), now.attributes(), cohorts));
      }
      target.entities().values().forEach(then -> restored.putIfAbsent(then.name(), then));
      for (EntityRouting entity : restored.values()) {
        validateSelectors(entity);
      }
      return RoutingState.of(current.version(), restored, List.of(current, target)).withPending(pending);
    }
    if (command instanceof Command.DefineEntity define) {
      requireName("entity", define.entity());
      for (String attribute : define.attributes()) {
        if (!Rules.IDENTIFIER.matcher(attribute).matches() || attribute.equals("key")) {
          throw new ProposalRejectedException(Rejection.INVALID, "attribute name '" + attribute
              + "' must match " + Rules.IDENTIFIER.pattern() + " and not be 'key'");
        }
      }
      EntityRouting old = entities.get(define.entity());
      List<Cohort> cohorts = old == null ? List.of() : old.cohorts();
      entities.put(define.entity(), new EntityRouting(define.entity(), define.attributes(), cohorts));
      // Other attributes: that entity's rules compile again (and must).
      return RoutingState.of(current.version(), entities, List.of(current)).withPending(pending);
    }
    String entityName = command.entity();
    EntityRouting before = entities.get(entityName);
    if (before == null) {
      throw new ProposalRejectedException(Rejection.UNKNOWN_ENTITY, "unknown entity '" + entityName + "'");
    }
    EntityRouting after = switch (command.type()) {
      case "create_cohort" -> create(before, (Command.CreateCohort) command);
      case "update_selector" -> {
        Command.UpdateSelector update = (Command.UpdateSelector) command;
        yield before.replace(existing(before, update.cohort()).withSelector(update.selector()));
      }
      case "set_phase" -> {
        Command.SetPhase set = (Command.SetPhase) command;
        yield before.replace(existing(before, set.cohort()).withPhase(set.phase()));
      }
      case "delete_cohort" -> {
        Command.DeleteCohort delete = (Command.DeleteCohort) command;
        existing(before, delete.cohort());
        yield before.remove(delete.cohort());
      }
      default -> throw new ProposalRejectedException(Rejection.INVALID, "unknown command " + command.type());
    };
    validateSelectors(after);
    if (!proposal.rollback()) {
      Optional<String> retreat = Retreats.find(before, after);
      if (retreat.isPresent()) {
        throw new ProposalRejectedException(Rejection.ROLLBACK_NOT_CONFIRMED, retreat.get()
            + "; this is a rollback: repeat it marked as one (rollback=true) to confirm");
      }
    }
    entities.put(entityName, after);
    return RoutingState.of(current.version(), entities, List.of(current)).withPending(pending);
  }

  private static EntityRouting create(EntityRouting before, Command.CreateCohort create)
      throws ProposalRejectedException {
    requireName("cohort", create.cohort());
    if (before.cohort(create.cohort()).isPresent()) {
      throw new ProposalRejectedException(Rejection.DUPLICATE_COHORT,
          "cohort '" + create.cohort() + "' already exists in entity '" + before.name() + "'");
    }
    int position = create.position() < 0 ? before.cohorts().size() : create.position();
    if (position > before.cohorts().size()) {
      throw new ProposalRejectedException(Rejection.INVALID, "position " + create.position()
          + " is past the end of the entity's " + before.cohorts().size() + " cohorts");
    }
    Phase phase = create.phase() == null ? Phase.LEGACY : create.phase();
    return before.insert(new Cohort(create.cohort(), create.selector(), phase), position);
  }

  private static Cohort existing(EntityRouting entity, String cohort) throws ProposalRejectedException {
    return entity.cohort(cohort).orElseThrow(() -> new ProposalRejectedException(Rejection.UNKNOWN_COHORT,
        "unknown cohort '" + cohort + "' in entity '" + entity.name() + "'"));
  }

  /** A key may sit in at most one explicit list of an entity. Rules compile when the state is built. */
  private static void validateSelectors(EntityRouting entity) throws ProposalRejectedException {
    Map<String, String> listed = new java.util.HashMap<>();
    for (Cohort cohort : entity.cohorts()) {
      if (cohort.phase() == Phase.NEW && cohort.selector() instanceof Selector.Rule && !entity.attributes().isEmpty()) {
        // Who owns a key's writes must be decidable from the key alone: the sinks see no request attributes.
        throw new ProposalRejectedException(Rejection.INVALID, "cohort '" + cohort.name() + "' selects keys by a"
            + " rule over request attributes and cannot be in NEW: the sinks decide who owns a key's writes from the"
            + " key alone; use a key list or a percentage");
      }
      if (cohort.selector() instanceof Selector.Keys keys) {
        for (String key : keys.keys()) {
          String other = listed.putIfAbsent(key, cohort.name());
          if (other != null) {
            throw new ProposalRejectedException(Rejection.INVALID, "key '" + key + "' is listed in both cohort '"
                + other + "' and cohort '" + cohort.name() + "'");
          }
        }
      }
    }
  }

  private static void requireName(String what, String name) throws ProposalRejectedException {
    if (name == null || !NAME.matcher(name).matches()) {
      throw new ProposalRejectedException(Rejection.INVALID, what + " name '" + name + "' must match "
          + NAME.pattern());
    }
  }


  /** Longest action scope the log records (the API refuses longer ones with 413). */
  public static final int MAX_ACTION_SCOPE = 2000;
  private static final java.util.regex.Pattern ACTION = java.util.regex.Pattern.compile("[a-z][a-z0-9-]{0,62}");

  /** Why {@code action} cannot be recorded, or null when it can. */
  public static String invalidAction(Command.RecordAction action) {
    if (!ACTION.matcher(action.action()).matches()) {
      return "action '" + action.action() + "' must match " + ACTION.pattern();
    }
    if (action.entity() != null && !NAME.matcher(action.entity()).matches()) {
      return "entity name '" + action.entity() + "' must match " + NAME.pattern();
    }
    if (action.scope().length() > MAX_ACTION_SCOPE) {
      return "scope is " + action.scope().length() + " characters, at most " + MAX_ACTION_SCOPE;
    }
    if (action.count() < 0) {
      return "count must not be negative, was " + action.count();
    }
    return null;
  }
}
