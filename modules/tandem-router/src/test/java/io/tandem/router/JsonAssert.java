package io.tandem.router;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;

final class JsonAssert {
  private JsonAssert() {}

  static void lastEntry(JsonNode audit, String actor, String reason, boolean rollback, String commandType) {
    JsonNode entries = audit.get("entries");
    JsonNode last = entries.get(entries.size() - 1);
    assertThat(last.get("applied").asBoolean()).isTrue();
    assertThat(last.get("actor").asText()).isEqualTo(actor);
    assertThat(last.get("reason").asText()).isEqualTo(reason);
    assertThat(last.get("rollback").asBoolean()).isEqualTo(rollback);
    assertThat(last.at("/command/type").asText()).isEqualTo(commandType);
  }
}
