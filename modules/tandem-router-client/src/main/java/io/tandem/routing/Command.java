package io.tandem.routing;

import java.util.List;

/** What a proposal asks to change. Applied by {@link RoutingStateMachine}, identically on every replica. */
public sealed interface Command permits Command.DefineEntity, Command.CreateCohort, Command.UpdateSelector,
    Command.SetPhase, Command.DeleteCohort, Command.RollbackTo, Command.BeginSwitch, Command.CompleteSwitch,
    Command.AbortSwitch, Command.RecordAction {

  /** The log's name for this kind of command. */
  String type();

  /** The entity it changes, or null for a rollback of the whole routing state. */
  String entity();

  /** Declares an entity (or changes the request attributes its rules may use). */
  record DefineEntity(String entity, List<String> attributes) implements Command {
    public DefineEntity {
      attributes = List.copyOf(attributes);
    }

    @Override
    public String type() {
      return "define_entity";
    }
  }

  /** Adds a cohort at {@code position} in the entity's order ({@code -1}: last). */
  record CreateCohort(String entity, String cohort, Selector selector, Phase phase, int position) implements Command {
    @Override
    public String type() {
      return "create_cohort";
    }
  }

  /** Replaces a cohort's selector (a new percentage, key list or rule). */
  record UpdateSelector(String entity, String cohort, Selector selector) implements Command {
    @Override
    public String type() {
      return "update_selector";
    }
  }

  /** Moves a cohort to a phase (promote, demote). */
  record SetPhase(String entity, String cohort, Phase phase) implements Command {
    @Override
    public String type() {
      return "set_phase";
    }
  }

  record DeleteCohort(String entity, String cohort) implements Command {
    @Override
    public String type() {
      return "delete_cohort";
    }
  }

  /**
   * Restores the cohorts (selectors, phases, order) as they were at {@code version}, as a new version.
   *
   * @param keepDeclarations true (every rollback a router writes since this field exists): the entity
   *     declarations stay as they are now; an entity declared after {@code version} keeps its declaration with
   *     no cohorts. False only for records written before, replayed as they were applied then: the whole state
   *     of {@code version}, declarations included (a rollback to version 0 dropped every entity)
   */
  record RollbackTo(long version, boolean keepDeclarations) implements Command {
    /** A rollback that keeps the entity declarations. */
    public RollbackTo(long version) {
      this(version, true);
    }

    @Override
    public String entity() {
      return null;
    }

    @Override
    public String type() {
      return "rollback_to";
    }
  }

  /**
   * Starts a fenced write switch (docs/coexistence.md, "Write cutover"): {@code change} would move some keys'
   * writes from one side to the other. Until the switch completes, those keys' writes are fenced (refused,
   * retryably) and still owned by their old side; the coordinator completes it once the old side's changes
   * up to a marker have reached the other side. One switch at a time.
   */
  record BeginSwitch(String switchId, Command change) implements Command {
    public BeginSwitch {
      java.util.Objects.requireNonNull(switchId, "switchId");
      java.util.Objects.requireNonNull(change, "change");
    }

    @Override
    public String entity() {
      return change.entity();
    }

    @Override
    public String type() {
      return "begin_switch";
    }
  }

  /** Applies the pending switch's change: the keys' writes now go to their new side. */
  record CompleteSwitch(String switchId) implements Command {
    @Override
    public String entity() {
      return null;
    }

    @Override
    public String type() {
      return "complete_switch";
    }
  }

  /** Drops the pending switch: nothing moved, the fence lifts, writes stay where they were. */
  record AbortSwitch(String switchId) implements Command {
    @Override
    public String entity() {
      return null;
    }

    @Override
    public String type() {
      return "abort_switch";
    }
  }

  /**
   * An operator action outside the routing (a dead-letter replay, a verifier repair) written to the log so
   * that the audit shows it beside the routing changes. It changes no state and creates no version: it is
   * recorded whatever version it names (its expected version is the one the operator acted under).
   *
   * @param action what was done, e.g. {@code dlq-replay}, {@code verify-repair}
   * @param entity the entity it concerns, or null (the audit's entity filter uses it)
   * @param scope what it covered, e.g. {@code stage=transform reason~'unknown code'}
   * @param count how many records or rows it concerned
   */
  record RecordAction(String action, String entity, String scope, long count) implements Command {
    public RecordAction {
      java.util.Objects.requireNonNull(action, "action");
      java.util.Objects.requireNonNull(scope, "scope");
    }

    @Override
    public String type() {
      return "record_action";
    }
  }
}
