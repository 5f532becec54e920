package io.tandem.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** /health, /ready and /metrics over real HTTP, fed by a real supervisor. */
class HealthServerTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final List<String> journal = new CopyOnWriteArrayList<>();
  private final HttpClient http = HttpClient.newHttpClient();
  private Supervisor supervisor;

  @AfterEach
  void stop() {
    if (supervisor != null) {
      supervisor.stop();
    }
  }

  private HttpResponse<String> get(HealthServer server, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(server.url() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void healthReportsEveryComponentAndTurns503WhenOneFails() throws Exception {
    HealthServer health = new HealthServer(new MetricsSettings("127.0.0.1", 0));
    FakeComponent transform = new FakeComponent("transform", journal).staysStarting();
    FakeComponent sink = new FakeComponent("sink", journal);
    supervisor = Supervisor.builder().meters(health.registry()).add(health).add(transform).add(sink).build();
    health.reportingOn(supervisor::report);
    supervisor.start(() -> true);

    HttpResponse<String> starting = get(health, "/ready");
    assertThat(starting.statusCode()).isEqualTo(503);
    assertThat(JSON.readTree(starting.body()).path("notRunning").toString()).contains("transform STARTING");
    assertThat(get(health, "/health").statusCode()).as("starting is not unhealthy").isEqualTo(200);

    transform.becomesRunning();
    HttpResponse<String> ready = get(health, "/ready");
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(JSON.readTree(ready.body()).path("ready").asBoolean()).isTrue();
    JsonNode up = JSON.readTree(get(health, "/health").body());
    assertThat(up.path("status").asText()).isEqualTo("UP");
    assertThat(up.path("components").findValuesAsText("name")).containsExactly("metrics", "transform", "sink");
    assertThat(up.path("components").findValuesAsText("state")).containsOnly("RUNNING");

    sink.fails(new IllegalStateException("the new database refused the batch"));
    HttpResponse<String> down = get(health, "/health");
    assertThat(down.statusCode()).isEqualTo(503);
    JsonNode body = JSON.readTree(down.body());
    assertThat(body.path("status").asText()).isEqualTo("DOWN");
    assertThat(body.path("components").get(2).path("state").asText()).isEqualTo("FAILED");
    assertThat(body.path("components").get(2).path("failure").asText())
        .isEqualTo("the new database refused the batch");
    assertThat(get(health, "/ready").statusCode()).isEqualTo(503);
    assertThat(get(health, "/metrics").body()).contains("fake_component{name=\"sink\"}")
        .contains("jvm_memory_used_bytes");
  }
}
