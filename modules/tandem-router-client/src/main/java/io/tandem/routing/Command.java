package io.tandem.routing;

import java.util.List;

/** What a proposal asks to change. Applied by {@link RoutingStateMachine}, identically on every replica. */
public sealed interface Command permits Command.DefineEntity, Command.CreateCohort, Command.UpdateSelector,
    Command.SetPhase, Command.DeleteCohort, Command.RollbackTo {

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

  /** Restores the state as it was at {@code version}, as a new version. */
  record RollbackTo(long version) implements Command {
    @Override
    public String entity() {
      return null;
    }

    @Override
    public String type() {
      return "rollback_to";
    }
  }
}
