package io.tandem.runtime;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tandem.core.lifecycle.LifecycleComponent;
import io.tandem.core.lifecycle.State;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The deployment's HTTP face for operators and orchestrators:
 * <ul>
 *   <li>{@code /metrics}: every meter, Prometheus text format;</li>
 *   <li>{@code /health}: each component's state and status line; 503 when one failed or stopped by itself
 *       (a liveness probe: restart the process);</li>
 *   <li>{@code /ready}: 200 only when every component is RUNNING (a readiness probe).</li>
 * </ul>
 */
public final class HealthServer extends LifecycleComponent {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final MetricsSettings settings;
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final JvmGcMetrics gc = new JvmGcMetrics();
  private volatile Supplier<List<Supervisor.Report>> reports = List::of;
  private HttpServer server;
  private ExecutorService executor;

  public HealthServer(MetricsSettings settings) {
    super("metrics");
    this.settings = settings;
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    gc.bindTo(registry);
  }

  /** Where {@code /health} and {@code /ready} read the components' states (the supervisor). */
  public HealthServer reportingOn(Supplier<List<Supervisor.Report>> source) {
    this.reports = source;
    return this;
  }

  /** The registry every component's meters go to. */
  public PrometheusMeterRegistry registry() {
    return registry;
  }

  @Override
  public void start() {
    lifecycle.beginStart();
    try {
      InetSocketAddress address = new InetSocketAddress(settings.host(), settings.port());
      if (settings.tls().isPresent()) {
        HttpsServer https = HttpsServer.create(address, 16);
        https.setHttpsConfigurator(new HttpsConfigurator(settings.tls().get().sslContext()));
        server = https;
      } else {
        server = HttpServer.create(address, 16);
      }
    } catch (IOException e) {
      UncheckedIOException failure = new UncheckedIOException("cannot serve metrics on " + settings.host() + ":"
          + settings.port(), e);
      lifecycle.finish(failure);
      throw failure;
    }
    executor = Executors.newSingleThreadExecutor(r -> {
      Thread thread = new Thread(r, "tandem-metrics-http");
      thread.setDaemon(true);
      return thread;
    });
    server.setExecutor(executor);
    server.createContext("/metrics", exchange -> respond(exchange, 200, "text/plain; version=0.0.4; charset=utf-8",
        registry.scrape()));
    server.createContext("/health", this::health);
    server.createContext("/ready", this::ready);
    server.start();
    lifecycle.markRunning();
  }

  private void health(HttpExchange exchange) throws IOException {
    List<Supervisor.Report> now = reports.get();
    boolean up = now.stream().noneMatch(Supervisor.Report::failed);
    ObjectNode body = JSON.createObjectNode();
    body.put("status", up ? "UP" : "DOWN");
    ArrayNode components = body.putArray("components");
    for (Supervisor.Report report : now) {
      ObjectNode component = components.addObject();
      component.put("name", report.name());
      component.put("state", report.state().name());
      component.put("status", report.status());
      report.failure().ifPresent(why -> component.put("failure", why));
    }
    respond(exchange, up ? 200 : 503, "application/json", JSON.writeValueAsString(body));
  }

  private void ready(HttpExchange exchange) throws IOException {
    List<Supervisor.Report> now = reports.get();
    boolean ready = !now.isEmpty() && now.stream().allMatch(r -> r.state() == State.RUNNING);
    ObjectNode body = JSON.createObjectNode();
    body.put("ready", ready);
    ArrayNode waiting = body.putArray("notRunning");
    now.stream().filter(r -> r.state() != State.RUNNING).forEach(r -> waiting.add(r.name() + " " + r.state()));
    respond(exchange, ready ? 200 : 503, "application/json", JSON.writeValueAsString(body));
  }

  public URI url() {
    return URI.create((settings.tls().isPresent() ? "https://" : "http://") + server.getAddress().getHostString() + ":"
        + server.getAddress().getPort());
  }

  /** The scrape text, for tests and status output. */
  public String scrape() {
    return registry.scrape();
  }

  @Override
  public String status() {
    return state() + (server == null ? "" : "  " + url() + "/metrics, /health, /ready");
  }

  private static void respond(HttpExchange exchange, int status, String contentType, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", contentType);
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    lifecycle.requestStop();
    if (server != null) {
      server.stop(0);
    }
    if (executor != null) {
      executor.shutdownNow();
    }
    gc.close();
    registry.close();
    lifecycle.finish(null);
  }
}
