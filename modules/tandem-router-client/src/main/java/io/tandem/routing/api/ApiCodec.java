package io.tandem.routing.api;

import static io.tandem.routing.api.JsonFields.absent;
import static io.tandem.routing.api.JsonFields.object;
import static io.tandem.routing.api.JsonFields.optionalLong;
import static io.tandem.routing.api.JsonFields.requiredArray;
import static io.tandem.routing.api.JsonFields.requiredBoolean;
import static io.tandem.routing.api.JsonFields.requiredEnum;
import static io.tandem.routing.api.JsonFields.requiredLong;
import static io.tandem.routing.api.JsonFields.requiredText;
import static io.tandem.routing.api.JsonFields.text;
import static io.tandem.routing.api.JsonFields.texts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tandem.routing.AuditEntry;
import io.tandem.routing.Cohort;
import io.tandem.routing.Decision;
import io.tandem.routing.EntityRouting;
import io.tandem.routing.Phase;
import io.tandem.routing.Proposal;
import io.tandem.routing.ProposalCodec;
import io.tandem.routing.RoutingState;
import io.tandem.routing.Target;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The JSON of the router's answers (docs/router.md, docs/router-openapi.json), written by the router
 * and read by its clients with this one class, so the two cannot drift apart. Each shape has a writer
 * (a value to an {@link ObjectNode}) and a reader (a {@link JsonNode} to a value) that throws
 * {@link IllegalArgumentException} naming what is wrong. Commands, selectors and gate outcomes are
 * written as in the routing log ({@link ProposalCodec}).
 */
public final class ApiCodec {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  /** Audit command fields that {@link AuditedCommand} names; the rest are its details. */
  private static final Set<String> NAMED_COMMAND_FIELDS = Set.of("type", "entity", "cohort");

  private ApiCodec() {}

  // ---- decisions: GET /v1/route/{entity}/{key} ----

  public static ObjectNode decision(Decision decision) {
    ObjectNode node = NODES.objectNode();
    node.put("entity", decision.entity());
    node.put("key", decision.key());
    node.put("cohort", decision.cohort());
    node.put("phase", decision.phase().name());
    node.put("read", decision.read().name());
    node.put("write", decision.write().name());
    node.put("shadow", decision.shadow());
    node.put("version", decision.version());
    node.put("writeFenced", decision.writeFenced());
    return node;
  }

  /**
   * The same JSON as {@link #decision(Decision)}, built without Jackson for the decision API's hot path
   * (a GC pause is what a decision's tail latency is made of). Only for an entity, key and cohort that
   * need no JSON escaping: the caller checks.
   */
  public static String plainDecision(Decision decision) {
    StringBuilder json = new StringBuilder(192).append("{\"entity\":\"").append(decision.entity())
        .append("\",\"key\":\"").append(decision.key()).append("\",\"cohort\":");
    if (decision.cohort() == null) {
      json.append("null");
    } else {
      json.append('"').append(decision.cohort()).append('"');
    }
    return json.append(",\"phase\":\"").append(decision.phase().name()).append("\",\"read\":\"")
        .append(decision.read().name()).append("\",\"write\":\"").append(decision.write().name())
        .append("\",\"shadow\":").append(decision.shadow()).append(",\"version\":").append(decision.version())
        .append(",\"writeFenced\":").append(decision.writeFenced()).append('}').toString();
  }

  public static Decision decision(JsonNode node) {
    object(node, "a decision");
    return new Decision(requiredText(node, "entity"), requiredText(node, "key"),
        absent(node, "cohort") ? null : requiredText(node, "cohort"), requiredEnum(node, "phase", Phase.class),
        requiredEnum(node, "read", Target.class), requiredEnum(node, "write", Target.class),
        requiredBoolean(node, "shadow"), requiredLong(node, "version"),
        !absent(node, "writeFenced") && requiredBoolean(node, "writeFenced"));
  }

  // ---- the routing: GET /v1/entities, GET /v1/entities/{entity}/cohorts ----

  public static ObjectNode routing(RoutingState state) {
    return routing(state.version(), state.entities().values());
  }

  public static ObjectNode routing(long version, Collection<EntityRouting> entities) {
    ObjectNode node = NODES.objectNode();
    node.put("version", version);
    ArrayNode list = node.putArray("entities");
    entities.forEach(entity -> list.add(entity(entity)));
    return node;
  }

  public static RoutingSnapshot routing(JsonNode node) {
    object(node, "the routing");
    List<EntityRouting> entities = new ArrayList<>();
    requiredArray(node, "entities").forEach(entity -> entities.add(entity(entity)));
    return new RoutingSnapshot(requiredLong(node, "version"), entities);
  }

  /** One entity's cohorts and the routing version: its fields and {@code version} in one object. */
  public static ObjectNode entityCohorts(EntityRouting entity, long version) {
    return entity(entity).put("version", version);
  }

  /** What {@link #entityCohorts(EntityRouting, long)} wrote, as a snapshot holding that one entity. */
  public static RoutingSnapshot entityCohorts(JsonNode node) {
    return new RoutingSnapshot(requiredLong(object(node, "an entity"), "version"), List.of(entity(node)));
  }

  public static ObjectNode entity(EntityRouting entity) {
    ObjectNode node = NODES.objectNode();
    node.put("name", entity.name());
    ArrayNode attributes = node.putArray("attributes");
    entity.attributes().forEach(attributes::add);
    ArrayNode cohorts = node.putArray("cohorts");
    entity.cohorts().forEach(cohort -> cohorts.add(cohort(cohort)));
    return node;
  }

  public static EntityRouting entity(JsonNode node) {
    object(node, "an entity");
    List<Cohort> cohorts = new ArrayList<>();
    requiredArray(node, "cohorts").forEach(cohort -> cohorts.add(cohort(cohort)));
    return new EntityRouting(requiredText(node, "name"), texts(node, "attributes"), cohorts);
  }

  /** A cohort with where its phase sends reads and writes (for people; a reader takes them from the phase). */
  public static ObjectNode cohort(Cohort cohort) {
    ObjectNode node = NODES.objectNode();
    node.put("name", cohort.name());
    node.put("phase", cohort.phase().name());
    node.put("read", cohort.phase().read().name());
    node.put("write", cohort.phase().write().name());
    node.set("selector", ProposalCodec.selector(cohort.selector()));
    return node;
  }

  public static Cohort cohort(JsonNode node) {
    object(node, "a cohort");
    return new Cohort(requiredText(node, "name"), ProposalCodec.selector(object(node.get("selector"), "a selector")),
        requiredEnum(node, "phase", Phase.class));
  }

  // ---- the answer to a change ----

  public static ObjectNode change(ChangeResult result) {
    ObjectNode node = NODES.objectNode();
    node.put("version", result.version());
    if (result.restored() != null) {
      node.put("restored", result.restored());
    }
    if (result.cohort() != null) {
      node.set("cohort", cohort(result.cohort()));
    }
    return node;
  }

  /**
   * Reads the answer to a change. The version is what says it was applied; the cohort only shows it, so
   * one that cannot be read leaves the cohort null rather than making an applied change look failed.
   */
  public static ChangeResult change(JsonNode node) {
    object(node, "the answer to a change");
    Cohort cohort;
    try {
      cohort = absent(node, "cohort") ? null : cohort(node.get("cohort"));
    } catch (IllegalArgumentException e) {
      cohort = null;
    }
    JsonNode switchId = node.at("/switch/id");
    return new ChangeResult(requiredLong(node, "version"), cohort, optionalLong(node, "restored"),
        switchId.isTextual() ? switchId.asText() : null);
  }

  // ---- the audit: GET /v1/audit ----

  public static ObjectNode auditPage(long version, List<AuditEntry> entries) {
    ObjectNode node = NODES.objectNode();
    node.put("version", version);
    ArrayNode list = node.putArray("entries");
    entries.forEach(entry -> list.add(auditEntry(entry)));
    return node;
  }

  public static AuditPage auditPage(JsonNode node) {
    object(node, "the audit");
    List<AuditRecord> entries = new ArrayList<>();
    requiredArray(node, "entries").forEach(entry -> entries.add(auditRecord(entry)));
    return new AuditPage(optionalLong(node, "version"), entries);
  }

  /** One record; the proposal's fields only when it could be decoded. */
  public static ObjectNode auditEntry(AuditEntry entry) {
    ObjectNode node = NODES.objectNode();
    node.put("offset", entry.offset());
    node.put("applied", entry.applied());
    node.put("version", entry.version());
    node.put("rejection", entry.rejection() == null ? null : entry.rejection().name());
    node.put("message", entry.message());
    Proposal p = entry.proposal();
    if (p != null) {
      node.put("id", p.id());
      node.put("expectedVersion", p.expectedVersion());
      node.put("actor", p.actor());
      node.put("reason", p.reason());
      node.put("time", p.time().toString());
      node.put("rollback", p.rollback());
      node.set("command", ProposalCodec.command(p.command()));
      node.set("gate", p.gate() == null ? null : ProposalCodec.gate(p.gate()));
    }
    return node;
  }

  public static AuditRecord auditRecord(JsonNode node) {
    object(node, "an audit entry");
    return new AuditRecord(requiredLong(node, "offset"), node.path("applied").asBoolean(false),
        optionalLong(node, "version"), text(node, "rejection"), text(node, "message"), text(node, "id"),
        optionalLong(node, "expectedVersion"), text(node, "actor"), text(node, "reason"), instant(node, "time"),
        node.path("rollback").asBoolean(false),
        absent(node, "command") ? null : auditedCommand(object(node.get("command"), "a command")),
        absent(node, "gate") ? null : ProposalCodec.gate(node.get("gate")));
  }

  /** A command as written by {@link ProposalCodec#command(io.tandem.routing.Command)}, of a type known or not. */
  public static AuditedCommand auditedCommand(JsonNode node) {
    Map<String, String> details = new LinkedHashMap<>();
    node.properties().forEach(field -> {
      if (!NAMED_COMMAND_FIELDS.contains(field.getKey()) && !field.getValue().isNull()) {
        details.put(field.getKey(), text(node, field.getKey()));
      }
    });
    io.tandem.routing.Command command;
    try {
      command = ProposalCodec.command(node);
    } catch (IllegalArgumentException unknown) {
      command = null;
    }
    return new AuditedCommand(text(node, "type"), text(node, "entity"), text(node, "cohort"), details, command);
  }

  private static Instant instant(JsonNode node, String field) {
    String time = text(node, field);
    try {
      return time == null ? null : Instant.parse(time);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("field '" + field + "' is not an ISO-8601 instant: '" + time + "'");
    }
  }

  // ---- problems: every error answer ----

  /** An RFC 9457 problem; {@code currentVersion} and a gate's lists only when there are some. */
  public static ObjectNode problem(ProblemDocument problem) {
    ObjectNode node = NODES.objectNode();
    node.put("type", problem.type());
    node.put("title", problem.title());
    node.put("status", problem.status());
    node.put("detail", problem.detail());
    node.put("instance", problem.instance());
    if (problem.currentVersion() != null) {
      node.put("currentVersion", problem.currentVersion());
    }
    if (!problem.gatedMoves().isEmpty()) {
      problem.gatedMoves().forEach(node.putArray("gatedMoves")::add);
    }
    if (!problem.failedConditions().isEmpty()) {
      problem.failedConditions().forEach(node.putArray("failedConditions")::add);
    }
    return node;
  }

  /** Reads any problem document; never throws for an object, whatever wrote it. */
  public static ProblemDocument problem(JsonNode node) {
    object(node, "a problem");
    JsonNode status = node.path("status");
    JsonNode currentVersion = node.path("currentVersion");
    return new ProblemDocument(text(node, "type"), text(node, "title"),
        status.canConvertToInt() ? status.asInt() : null, text(node, "detail"), text(node, "instance"),
        currentVersion.canConvertToLong() ? currentVersion.asLong() : null, texts(node, "gatedMoves"),
        texts(node, "failedConditions"));
  }
}
