package io.tandem.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tandem.embedded.EmbeddedKafkaBroker;
import io.tandem.router.api.TokenAuth;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code tandem router --config}: a replica from tandem.yaml on a real broker, stopped cleanly. */
class RouterReplicaCommandIT {
  @TempDir
  Path dir;

  @Test
  void startsFromTheConfigServesAndStopsCleanly() throws Exception {
    try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.start()) {
      Path config = dir.resolve("tandem.yaml");
      Files.writeString(config, """
          kafka:
            bootstrapServers: %s
          router:
            host: 127.0.0.1
            port: 0
            entities:
              customer: [region]
            tokens:
              - name: oncall
                role: operator
                sha256: ${ONCALL_SHA}
          """.formatted(kafka.bootstrapServers()));
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      RouterReplicaCommand command = new RouterReplicaCommand(Map.of("ONCALL_SHA", TokenAuth.hash("t0k3n")),
          new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), false);
      CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(
          () -> new CommandLine(command).execute("--config", config.toString()));
      await().atMost(Duration.ofSeconds(60)).until(() -> command.server() != null || exit.isDone());
      assertThat(exit).as(err.toString(StandardCharsets.UTF_8)).isNotDone();

      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      String base = "http://127.0.0.1:" + command.server().port();
      HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/entities/customer/cohorts"))
          .header("Authorization", "Bearer t0k3n").header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"eu\",\"rule\":\"region == 'EU'\",\"reason\":\"start\"}"))
          .build(), HttpResponse.BodyHandlers.ofString());
      assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
      assertThat(out.toString(StandardCharsets.UTF_8)).contains("Router listening on http://127.0.0.1:")
          .contains("oncall(operator)").doesNotContain(TokenAuth.hash("t0k3n"));

      command.stop();
      assertThat(exit.get()).isEqualTo(RunCommand.EXIT_OK);
      assertThat(out.toString(StandardCharsets.UTF_8)).contains("Stopped.");
    }
  }

  @Test
  void aBadConfigIsRefusedBeforeAnythingStarts() throws Exception {
    Path config = dir.resolve("tandem.yaml");
    Files.writeString(config, "kafka:\n  bootstrapServers: localhost:1\nrouter:\n  entities: {}\n  tokens: []\n");
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    RouterReplicaCommand command = new RouterReplicaCommand(Map.of(), new PrintStream(new ByteArrayOutputStream()),
        new PrintStream(err, true, StandardCharsets.UTF_8), false);
    int exit = new CommandLine(command).execute("--config", config.toString());
    assertThat(exit).isEqualTo(RunCommand.EXIT_CONFIG);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains(config.toString()).contains("router.entities");
  }
}
