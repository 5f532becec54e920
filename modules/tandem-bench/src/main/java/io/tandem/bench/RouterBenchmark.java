package io.tandem.bench;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tandem.embedded.EmbeddedKafkaBroker;
import io.tandem.router.RouterServer;
import io.tandem.router.RouterSettings;
import io.tandem.router.api.Role;
import io.tandem.router.api.TokenAuth;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Router figures on the embedded stack: (1) time for a promotion made on replica A to be applied by
 * replica B, over {@code bench.flips} promote/demote flips; (2) the decision API under {@code wrk}
 * (Debian package) on loopback, if wrk is installed.
 *
 * <pre>java -cp modules/tandem-bench/target/classes:modules/tandem-app/target/tandem.jar:… io.tandem.bench.RouterBenchmark</pre>
 */
public final class RouterBenchmark {
  private static final String TOKEN = "bench-token";

  public static void main(String[] args) throws Exception {
    int flips = Integer.getInteger("bench.flips", 100);
    String wrkDuration = System.getProperty("bench.wrkDuration", "20s");
    io.vertx.core.Vertx upstreamVertx = io.vertx.core.Vertx.vertx(new io.vertx.core.VertxOptions().setEventLoopPoolSize(1));
    byte[] customer = "{\"id\":42,\"name\":\"Ada Lovelace\",\"email\":\"ada@example.com\",\"balance\":1250}"
        .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    io.vertx.core.http.HttpServer upstream = upstreamVertx.createHttpServer()
        .requestHandler(request -> request.response().putHeader("content-type", "application/json")
            .end(io.vertx.core.buffer.Buffer.buffer(customer)))
        .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get();
    URI upstreamUri = URI.create("http://127.0.0.1:" + upstream.actualPort());
    io.tandem.router.proxy.ProxyRoute route = new io.tandem.router.proxy.ProxyRoute("/api/customers/{id}", "customer",
        io.tandem.router.proxy.KeySource.parse("path:id"), upstreamUri, upstreamUri, List.of(), true,
        java.time.Duration.ofSeconds(5));
    try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.start()) {
      RouterSettings settings = new RouterSettings("127.0.0.1", 0, Map.of("bootstrap.servers", kafka.bootstrapServers()),
          "tandem.routing", (short) -1, Map.of("customer", List.of("region")),
          Map.of(TokenAuth.hash(TOKEN), new RouterSettings.Token("bench", Role.OPERATOR)), List.of(route), 100);
      try (RouterServer a = RouterServer.start(settings, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), r -> { });
          RouterServer b = RouterServer.start(settings, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), r -> { })) {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        send(http, a, "/v1/entities/customer/cohorts", "{\"name\":\"wave\",\"percent\":10,\"reason\":\"bench\"}");
        Map<Long, Long> appliedOnB = new ConcurrentHashMap<>();
        b.log().onApplied(entry -> appliedOnB.put(entry.version(), System.nanoTime()));
        long[] visibleMicros = new long[flips];
        long[] answeredMicros = new long[flips];
        for (int i = 0; i < flips; i++) {
          String action = i % 2 == 0 ? "promote" : "demote";
          long start = System.nanoTime();
          String body = send(http, a, "/v1/entities/customer/cohorts/wave/" + action, "{\"reason\":\"flip " + i + "\"}");
          answeredMicros[i] = (System.nanoTime() - start) / 1000;
          long version = Long.parseLong(body.replaceAll("(?s).*\"version\":(\\d+).*", "$1"));
          long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
          while (!appliedOnB.containsKey(version) && System.nanoTime() < deadline) {
            Thread.onSpinWait();
          }
          Long seen = appliedOnB.get(version);
          if (seen == null) {
            throw new IllegalStateException("version " + version + " never reached replica B");
          }
          visibleMicros[i] = (seen - start) / 1000;
        }
        report("promotion/demotion answered by replica A (µs)", answeredMicros);
        report("… applied by replica B, from the request to A (µs)", visibleMicros);

        Path wrk = Path.of("/usr/bin/wrk");
        if (Files.isExecutable(wrk)) {
          String requests = "wrk.headers[\"Authorization\"] = \"Bearer " + TOKEN + "\"\n"
              + "counter = 0\nrequest = function()\n  counter = counter + 1\n"
              + "  return wrk.format(\"GET\", \"/v1/route/customer/\" .. counter .. \"?region=EU\")\nend\n";
          Path saturate = Files.createTempFile("wrk-route", ".lua");
          Files.writeString(saturate, requests);
          // Paced: each connection waits 1 ms between requests, so 20 connections offer at most 20k req/s (≈ 10k here).
          Path paced = Files.createTempFile("wrk-route-paced", ".lua");
          Files.writeString(paced, requests + "delay = function()\n  return 1\nend\n");
          // Saturating runs first: they also warm the JIT up for the paced run that the target is about.
          List<String[]> runs = List.of(new String[] {"8", saturate.toString()}, new String[] {"32", saturate.toString()},
              new String[] {"20", paced.toString()});
          for (String[] run : runs) {
            List<String> command = new ArrayList<>(List.of("wrk", "-t", "1", "-c", run[0], "-d", wrkDuration,
                "--latency", "-s", run[1], "http://127.0.0.1:" + b.port()));
            System.out.println("\n$ " + String.join(" ", command));
            Process process = new ProcessBuilder(command).inheritIO().start();
            process.waitFor();
          }
          // The same paced decisions on a replica in its own JVM (`tandem router`), nothing else in it.
          Process child = null;
          try {
            child = startChildReplica(kafka.bootstrapServers());
            int childPort = childPort(child);
            List<String> command = List.of("wrk", "-t", "1", "-c", "20", "-d", wrkDuration, "--latency", "-s",
                paced.toString(), "http://127.0.0.1:" + childPort);
            new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(); // warm-up
            System.out.println("\n$ " + String.join(" ", command) + "   # replica in its own JVM ("
                + System.getProperty("bench.replicaJvm", "-Xmx256m") + ")");
            new ProcessBuilder(command).inheritIO().start().waitFor();
          } finally {
            if (child != null) {
              child.destroy();
              child.waitFor(20, TimeUnit.SECONDS);
            }
          }

          // Proxy overhead: the same paced load on the upstream directly and through replica B.
          Path pacedPlain = Files.createTempFile("wrk-paced", ".lua");
          Files.writeString(pacedPlain, "counter = 0\nrequest = function()\n  counter = counter + 1\n"
              + "  return wrk.format(\"GET\", \"/api/customers/\" .. counter)\nend\n"
              + "delay = function()\n  return 1\nend\n");
          new ProcessBuilder("wrk", "-t", "1", "-c", "10", "-d", "10s", "-s", pacedPlain.toString(),
              "http://127.0.0.1:" + b.port()).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(); // warm-up
          for (String base : List.of(upstreamUri.toString(), "http://127.0.0.1:" + b.port())) {
            List<String> command = List.of("wrk", "-t", "1", "-c", "20", "-d", wrkDuration, "--latency", "-s",
                pacedPlain.toString(), base);
            System.out.println("\n$ " + String.join(" ", command) + (base.equals(upstreamUri.toString())
                ? "   # upstream directly" : "   # through the proxy"));
            new ProcessBuilder(command).inheritIO().start().waitFor();
          }
        } else {
          System.out.println("wrk not installed (apt-get install wrk): decision API load skipped");
        }
      }
    }
  }

  /** {@code tandem router} in a child JVM on the same broker and routing log. */
  private static Process startChildReplica(String bootstrap) throws Exception {
    Path config = Files.createTempFile("tandem-router", ".yaml");
    Files.writeString(config, "kafka:\n  bootstrapServers: " + bootstrap + "\nrouter:\n  host: 127.0.0.1\n  port: 0\n"
        + "  entities:\n    customer: [region]\n  tokens:\n    - name: bench\n      role: operator\n      sha256: "
        + TokenAuth.hash(TOKEN) + "\n");
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(List.of(System.getProperty("bench.replicaJvm", "-Xmx256m").split(" ")));
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.tandem.app.TandemCli", "router",
        "--config", config.toString()));
    return new ProcessBuilder(command).redirectErrorStream(true).start();
  }

  private static int childPort(Process child) throws Exception {
    java.io.BufferedReader lines = new java.io.BufferedReader(new java.io.InputStreamReader(child.getInputStream(),
        java.nio.charset.StandardCharsets.UTF_8));
    String line;
    while ((line = lines.readLine()) != null) {
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("Router listening on http://[^:]+:(\\d+)").matcher(line);
      if (m.find()) {
        Thread drain = new Thread(() -> {
          try {
            lines.transferTo(java.io.Writer.nullWriter());
          } catch (java.io.IOException e) {
            // child ended
          }
        });
        drain.setDaemon(true);
        drain.start();
        return Integer.parseInt(m.group(1));
      }
    }
    throw new IllegalStateException("the child router exited before listening");
  }

  private static String send(HttpClient http, RouterServer server, String path, String body) throws Exception {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
        .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() >= 300) {
      throw new IllegalStateException(path + " -> " + response.statusCode() + " " + response.body());
    }
    return response.body();
  }

  private static void report(String what, long[] micros) {
    long[] sorted = micros.clone();
    Arrays.sort(sorted);
    System.out.printf("%s over %d flips: p50 %,d, p99 %,d, max %,d%n", what, sorted.length,
        sorted[sorted.length / 2], sorted[(int) Math.ceil(sorted.length * 0.99) - 1], sorted[sorted.length - 1]);
  }

  private RouterBenchmark() {}
}
