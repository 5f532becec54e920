package io.tandem.router;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tandem.router.proxy.ShadowMismatch;
import java.util.List;

/** The shadow-mismatch sample as {@code GET /v1/shadow/mismatches} shows it. */
final class Mismatches {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Mismatches() {}

  static byte[] json(List<ShadowMismatch> mismatches) {
    ObjectNode body = JSON.createObjectNode();
    ArrayNode list = body.putArray("mismatches");
    for (ShadowMismatch m : mismatches) {
      ObjectNode node = list.addObject();
      node.put("entity", m.entity());
      node.put("cohort", m.cohort());
      node.put("key", m.key());
      node.put("request", m.request());
      node.put("routingVersion", m.routingVersion());
      node.put("time", m.time().toString());
      node.put("legacyStatus", m.legacyStatus());
      node.put("newStatus", m.newStatus());
      ArrayNode differences = node.putArray("differences");
      m.differences().forEach(differences::add);
      node.put("legacyBody", m.legacyBody());
      node.put("newBody", m.newBody());
    }
    try {
      return JSON.writeValueAsBytes(body);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
