package io.tandem.runtime;

import io.tandem.embedded.EmbeddedKafkaBroker;
import io.tandem.embedded.EmbeddedPostgresServer;
import io.tandem.registry.server.EmbeddedSchemaRegistry;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Starts a {@link DeploymentProcess} (capture, transform, sink in a child JVM) and returns once it runs. */
final class DeploymentProcesses {
  private DeploymentProcesses() {}

  static Process start(EmbeddedKafkaBroker kafka, EmbeddedSchemaRegistry registry, EmbeddedPostgresServer legacy,
      String legacyDb, String slot, String newDbUrl, String user) throws Exception {
    return start(kafka, registry, legacy, legacyDb, slot, newDbUrl, user, Map.of());
  }

  /**
   * The child JVM runs with the serial collector, as the test JVM itself does (test.argLine), and the C1 compiler
   * only: on 2 cores it starts faster and, next to the test JVM, snapshots faster too (FaultSuiteIT.killDuringSnapshot,
   * transform and sink consuming alongside: 80,000 rows produced again in 7-15 s instead of 27-30 s).
   *
   * @param kafkaProperties extra settings for every Kafka client of the child ({@code kafka.properties})
   */
  static Process start(EmbeddedKafkaBroker kafka, EmbeddedSchemaRegistry registry, EmbeddedPostgresServer legacy,
      String legacyDb, String slot, String newDbUrl, String user, Map<String, String> kafkaProperties)
      throws Exception {
    Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
        "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
        DeploymentProcess.class.getName(),
        kafka.bootstrapServers(), registry.url().toString(), legacy.host(), Integer.toString(legacy.port()), legacyDb,
        slot, newDbUrl, user, StackConfig.kafkaPropertiesArgument(kafkaProperties))
        .redirectErrorStream(true).start();
    BufferedReader output = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    List<String> lines = new ArrayList<>();
    String line;
    while ((line = output.readLine()) != null) {
      lines.add(line);
      if (line.contains("PIPELINE STARTED")) {
        // What a reader of the test log needs about the child: its snapshot and its errors.
        Thread drain = new Thread(() -> output.lines().filter(l -> l.contains("ERROR") || l.contains("napshot"))
            .forEach(l -> System.out.println("[child " + process.pid() + "] " + l)), "it-pipeline-output");
        drain.setDaemon(true);
        drain.start();
        return process;
      }
    }
    throw new AssertionError("pipeline process ended before starting:\n" + String.join("\n", lines));
  }
}
