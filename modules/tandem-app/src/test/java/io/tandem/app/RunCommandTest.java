package io.tandem.app;

import static org.assertj.core.api.Assertions.assertThat;

import static io.tandem.runtime.Repo.ROOT;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code tandem run} without any service: exit codes and messages before anything starts. */
class RunCommandTest {
  @TempDir
  Path dir;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private ServerSocketChannel trap;
  private int trapPort;

  /** Kafka, the registry and both databases all point here: nothing may connect. */
  @BeforeEach
  void openTrap() throws IOException {
    trap = ServerSocketChannel.open();
    trap.bind(new InetSocketAddress("127.0.0.1", 0));
    trap.configureBlocking(false);
    trapPort = ((InetSocketAddress) trap.getLocalAddress()).getPort();
  }

  @AfterEach
  void closeTrap() throws IOException {
    trap.close();
  }

  private String config(String extra) {
    return """
        kafka:
          bootstrapServers: 127.0.0.1:%1$d
        registry:
          url: http://127.0.0.1:%1$d
        legacy:
          connector: %2$s
          env:
            LEGACY_DB_HOST: 127.0.0.1
            LEGACY_DB_PORT: %1$d
            LEGACY_DB_NAME: shop
            LEGACY_DB_USER: tandem
            LEGACY_DB_PASSWORD: "legacy-s3cret"
        target:
          jdbcUrl: jdbc:postgresql://127.0.0.1:%1$d/shop_new
          user: tandem
          password: "target-s3cret"
        schemas:
          dir: %3$s
        """.formatted(trapPort, ROOT.resolve("connectors/legacy-postgres.properties"),
        ROOT.resolve("schemas")) + extra;
  }

  private int run(String... args) {
    RunCommand command = new RunCommand(Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), false);
    return new CommandLine(command).execute(args);
  }

  private String stderr() {
    return err.toString(StandardCharsets.UTF_8);
  }

  private void assertNothingConnected() throws IOException {
    assertThat(trap.accept()).as("a connection to Kafka/registry/database").isNull();
  }

  @Test
  void badComponentsExitWith2AndOnlyTheMessage() throws IOException {
    Path file = Files.writeString(dir.resolve("tandem.yaml"), config(""));

    int code = run("--config", file.toString(), "--components", "capture,transfrom");

    assertThat(code).isEqualTo(2);
    assertThat(stderr()).isEqualTo("command line: key '--components': expected a comma-separated, non-empty subset of "
        + "capture, transform, sink, verify, reverse (e.g. transform,sink), got 'capture,transfrom'" + System.lineSeparator());
    assertThat(out.size()).isZero();
    assertNothingConnected();
  }

  @Test
  void configErrorExitsWith2BeforeAnyConnection() throws IOException {
    Path file = Files.writeString(dir.resolve("tandem.yaml"), config("sink:\n  maxPollRecords: 0\n"));

    int code = run("--config", file.toString());

    assertThat(code).isEqualTo(2);
    assertThat(stderr()).isEqualTo(file + ": key 'sink.maxPollRecords': expected an integer from 1 to 100000, got '0'"
        + System.lineSeparator());
    assertThat(out.size()).isZero();
    assertNothingConnected();
  }

  @Test
  void errorsInTheFilesItPointsToAreConfigErrorsToo() throws IOException {
    Path file = Files.writeString(dir.resolve("tandem.yaml"),
        config("").replace("    LEGACY_DB_HOST: 127.0.0.1\n", ""));

    int code = run("--config", file.toString(), "--components", "capture");

    assertThat(code).isEqualTo(2);
    assertThat(stderr()).isEqualTo(ROOT.resolve("connectors/legacy-postgres.properties")
        + ": key 'database.hostname': expected environment variable LEGACY_DB_HOST to be set (placeholder "
        + "${LEGACY_DB_HOST}), got nothing" + System.lineSeparator());
    assertNothingConnected();

    // The sink alone does not read the connector file.
    err.reset();
    Files.writeString(file, config("schemas:\n  dir: nowhere\n").replace("schemas:\n  dir: "
        + ROOT.resolve("schemas") + "\n", ""));
    assertThat(run("--config", file.toString(), "--components", "sink")).isEqualTo(2);
    assertThat(stderr()).startsWith(file + ": key 'schemas.dir': expected a folder holding mappings/")
        .doesNotContain("s3cret");
    assertNothingConnected();
  }

  @Test
  void missingConfigFileExitsWith2() throws IOException {
    Path file = dir.resolve("absent.yaml");

    assertThat(run("--config", file.toString())).isEqualTo(2);
    assertThat(stderr()).isEqualTo(file + ": key '(file)': expected a readable YAML file, got 'no such file'"
        + System.lineSeparator());
  }

  @Test
  void aStartFailureExitsWith1NamingWhatFailed() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      Path file = Files.writeString(dir.resolve("tandem.yaml"),
          config("metrics:\n  host: 127.0.0.1\n  port: " + taken.getLocalPort() + "\n"));

      int code = run("--config", file.toString(), "--components", "sink");

      assertThat(code).isEqualTo(1);
      assertThat(stderr()).startsWith("tandem run: cannot start metrics: cannot serve metrics on 127.0.0.1:"
          + taken.getLocalPort());
      assertThat(out.toString(StandardCharsets.UTF_8))
          .contains("Effective configuration (secrets masked): ")
          .contains("password=******")
          .doesNotContain("s3cret");
      assertNothingConnected();
    }
  }

  @Test
  void unreachableKafkaExitsWith1NamingTheAddress() throws IOException {
    int closedPort;
    try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closedPort = probe.getLocalPort();
    }
    Path file = Files.writeString(dir.resolve("tandem.yaml"), config("metrics:\n  host: 127.0.0.1\n  port: 0\n")
        .replace("bootstrapServers: 127.0.0.1:" + trapPort, "bootstrapServers: 127.0.0.1:" + closedPort
            + "\n  properties:\n    default.api.timeout.ms: 1500\n    request.timeout.ms: 1000"));
    int code = run("--config", file.toString(), "--components", "sink");

    assertThat(code).isEqualTo(1);
    assertThat(stderr()).startsWith("tandem run: cannot start topics: cannot reach Kafka at 127.0.0.1:" + closedPort);
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("Stopped in");
  }
}
