package io.tandem.routing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The routing log's record format: one JSON object per proposal (readable with any console consumer,
 * documented in docs/router.md). Its commands, selectors and gate outcomes are also what the API shows
 * ({@link io.tandem.routing.api.ApiCodec} builds on them).
 */
public final class ProposalCodec {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ProposalCodec() {}

  public static byte[] encode(Proposal proposal) {
    ObjectNode node = JSON.createObjectNode();
    node.put("id", proposal.id());
    node.put("expectedVersion", proposal.expectedVersion());
    node.put("actor", proposal.actor());
    node.put("reason", proposal.reason());
    node.put("time", proposal.time().toString());
    node.put("rollback", proposal.rollback());
    node.set("command", command(proposal.command()));
    if (proposal.gate() != null) {
      node.set("gate", gate(proposal.gate()));
    }
    try {
      return JSON.writeValueAsBytes(node);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Decodes a log record; throws {@link IllegalArgumentException} naming the problem. */
  public static Proposal decode(byte[] bytes) {
    JsonNode node;
    try {
      node = JSON.readTree(bytes);
    } catch (IOException e) {
      throw new IllegalArgumentException("not JSON: " + e.getMessage());
    }
    if (node == null || !node.isObject()) {
      throw new IllegalArgumentException("not a JSON object");
    }
    JsonNode gate = node.get("gate");
    return new Proposal(text(node, "id"), number(node, "expectedVersion"), text(node, "actor"), text(node, "reason"),
        Instant.parse(text(node, "time")), node.path("rollback").asBoolean(false), command(node.path("command")),
        gate == null || gate.isNull() ? null : gate(gate));
  }

  /** A gate outcome as the log and the audit API show it. */
  public static ObjectNode gate(GateOutcome outcome) {
    ObjectNode node = JSON.createObjectNode();
    node.put("forced", outcome.forced());
    ArrayNode overridden = node.putArray("overridden");
    outcome.overridden().forEach(overridden::add);
    ArrayNode evidence = node.putArray("evidence");
    outcome.evidence().forEach(evidence::add);
    return node;
  }

  /** Reads a gate outcome; throws {@link IllegalArgumentException} naming the problem. */
  public static GateOutcome gate(JsonNode node) {
    if (!node.isObject()) {
      throw new IllegalArgumentException("field 'gate' is not an object");
    }
    return new GateOutcome(node.path("forced").asBoolean(false), texts(node, "overridden"), texts(node, "evidence"));
  }

  private static List<String> texts(JsonNode node, String field) {
    List<String> texts = new ArrayList<>();
    JsonNode list = node.get(field);
    if (list != null && !list.isNull()) {
      if (!list.isArray()) {
        throw new IllegalArgumentException("field '" + field + "' is not an array");
      }
      list.forEach(t -> texts.add(t.asText()));
    }
    return texts;
  }

  /** A command as the log and the audit API show it. */
  public static ObjectNode command(Command command) {
    ObjectNode node = JSON.createObjectNode();
    node.put("type", command.type());
    if (command instanceof Command.DefineEntity c) {
      node.put("entity", c.entity());
      ArrayNode attributes = node.putArray("attributes");
      c.attributes().forEach(attributes::add);
    } else if (command instanceof Command.CreateCohort c) {
      node.put("entity", c.entity());
      node.put("cohort", c.cohort());
      node.set("selector", selector(c.selector()));
      node.put("phase", (c.phase() == null ? Phase.LEGACY : c.phase()).name());
      node.put("position", c.position());
    } else if (command instanceof Command.UpdateSelector c) {
      node.put("entity", c.entity());
      node.put("cohort", c.cohort());
      node.set("selector", selector(c.selector()));
    } else if (command instanceof Command.SetPhase c) {
      node.put("entity", c.entity());
      node.put("cohort", c.cohort());
      node.put("phase", c.phase().name());
    } else if (command instanceof Command.DeleteCohort c) {
      node.put("entity", c.entity());
      node.put("cohort", c.cohort());
    } else if (command instanceof Command.RollbackTo c) {
      node.put("version", c.version());
      if (c.keepDeclarations()) {
        node.put("keepDeclarations", true);
      }
    } else if (command instanceof Command.BeginSwitch c) {
      node.put("switchId", c.switchId());
      node.set("change", command(c.change()));
    } else if (command instanceof Command.CompleteSwitch c) {
      node.put("switchId", c.switchId());
    } else if (command instanceof Command.AbortSwitch c) {
      node.put("switchId", c.switchId());
    } else if (command instanceof Command.RecordAction c) {
      if (c.entity() != null) {
        node.put("entity", c.entity());
      }
      node.put("action", c.action());
      node.put("scope", c.scope());
      node.put("count", c.count());
    }
    return node;
  }

  /** Reads a command; throws {@link IllegalArgumentException} naming the problem (e.g. an unknown type). */
  public static Command command(JsonNode node) {
    String type = text(node, "type");
    switch (type) {
      case "define_entity": {
        List<String> attributes = new ArrayList<>();
        node.path("attributes").forEach(a -> attributes.add(a.asText()));
        return new Command.DefineEntity(text(node, "entity"), attributes);
      }
      case "create_cohort":
        return new Command.CreateCohort(text(node, "entity"), text(node, "cohort"), selector(node.path("selector")),
            Phase.valueOf(text(node, "phase")), (int) number(node, "position"));
      case "update_selector":
        return new Command.UpdateSelector(text(node, "entity"), text(node, "cohort"), selector(node.path("selector")));
      case "set_phase":
        return new Command.SetPhase(text(node, "entity"), text(node, "cohort"), Phase.valueOf(text(node, "phase")));
      case "delete_cohort":
        return new Command.DeleteCohort(text(node, "entity"), text(node, "cohort"));
      case "rollback_to":
        // Absent in records written before rollbacks kept the declarations: replayed as they were applied then.
        return new Command.RollbackTo(number(node, "version"), node.path("keepDeclarations").asBoolean(false));
      case "begin_switch": {
        JsonNode change = node.get("change");
        if (change == null || !change.isObject()) {
          throw new IllegalArgumentException("field 'change' missing or not an object");
        }
        return new Command.BeginSwitch(text(node, "switchId"), command(change));
      }
      case "complete_switch":
        return new Command.CompleteSwitch(text(node, "switchId"));
      case "abort_switch":
        return new Command.AbortSwitch(text(node, "switchId"));
      case "record_action": {
        JsonNode entity = node.get("entity");
        return new Command.RecordAction(text(node, "action"), entity == null || entity.isNull() ? null
            : text(node, "entity"), text(node, "scope"), number(node, "count"));
      }
      default:
        throw new IllegalArgumentException("unknown command type '" + type + "'");
    }
  }

  /** A selector as the log and the API show it. */
  public static ObjectNode selector(Selector selector) {
    ObjectNode node = JSON.createObjectNode();
    node.put("kind", selector.kind());
    if (selector instanceof Selector.Percent p) {
      node.put("basisPoints", p.basisPoints());
      node.put("percent", p.percent());
      node.put("salt", p.salt());
    } else if (selector instanceof Selector.Keys k) {
      ArrayNode keys = node.putArray("keys");
      k.keys().forEach(keys::add);
    } else {
      node.put("expression", ((Selector.Rule) selector).expression());
    }
    return node;
  }

  /** Reads a selector; throws {@link IllegalArgumentException} naming the problem. */
  public static Selector selector(JsonNode node) {
    String kind = text(node, "kind");
    switch (kind) {
      case "percent":
        return new Selector.Percent((int) number(node, "basisPoints"), text(node, "salt"));
      case "keys": {
        Set<String> keys = new LinkedHashSet<>();
        node.path("keys").forEach(k -> keys.add(k.asText()));
        return new Selector.Keys(keys);
      }
      case "rule":
        return new Selector.Rule(text(node, "expression"));
      default:
        throw new IllegalArgumentException("unknown selector kind '" + kind + "'");
    }
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || !value.isTextual()) {
      throw new IllegalArgumentException("field '" + field + "' missing or not a string");
    }
    return value.asText();
  }

  private static long number(JsonNode node, String field) {
    JsonNode value = node.get(field);
    if (value == null || !value.canConvertToLong()) {
      throw new IllegalArgumentException("field '" + field + "' missing or not an integer");
    }
    return value.asLong();
  }
}
