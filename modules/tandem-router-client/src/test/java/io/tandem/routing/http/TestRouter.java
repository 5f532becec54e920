package io.tandem.routing.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A real HTTP server on a free port that answers like the router's API from a script and records every
 * request. One per test: nothing shared, so tests can run in parallel. Also the CLI's tests' router
 * (tandem-router-client's test jar).
 */
public final class TestRouter implements AutoCloseable {

  /** What the client sent; {@code target} is the raw path and query, as on the wire. */
  public record Request(String method, String target, String protocol, String authorization, String contentType,
      String upgrade, String body) {
  }

  private record Reply(int status, String contentType, String body, Map<String, String> headers, boolean hang) {
  }

  private final HttpServer server;
  private final ExecutorService handlers = Executors.newCachedThreadPool(runnable -> {
    Thread thread = new Thread(runnable, "test-router");
    thread.setDaemon(true);
    return thread;
  });
  private final Map<String, Reply> script = new ConcurrentHashMap<>();
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private final CountDownLatch closed = new CountDownLatch(1);

  /** Starts one on a free port. */
  public static TestRouter start() throws IOException {
    return new TestRouter();
  }

  public TestRouter() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(handlers);
    server.createContext("/", this::handle);
    server.start();
  }

  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** Answer {@code METHOD rawPath} (query ignored) with JSON, or a problem document from 400 on. */
  public TestRouter answer(String method, String rawPath, int status, String body) {
    return answer(method, rawPath, status, status >= 400 ? "application/problem+json" : "application/json", body);
  }

  public TestRouter answer(String method, String rawPath, int status, String contentType, String body) {
    script.put(method + " " + rawPath, new Reply(status, contentType, body, Map.of(), false));
    return this;
  }

  public TestRouter redirect(String method, String rawPath, String location) {
    script.put(method + " " + rawPath, new Reply(302, "text/plain", "", Map.of("Location", location), false));
    return this;
  }

  /** Never answer (until closed): for timeouts. */
  public TestRouter hang(String method, String rawPath) {
    script.put(method + " " + rawPath, new Reply(0, null, null, Map.of(), true));
    return this;
  }

  /** What was asked, without the transport details: what a command sent. */
  public record Call(String method, String target, String authorization, String contentType, String body) {}

  /** {@link #requests()} as calls. */
  public List<Call> calls() {
    return requests().stream().map(r -> new Call(r.method(), r.target(), r.authorization(), r.contentType(), r.body()))
        .toList();
  }

  public List<Request> requests() {
    return List.copyOf(requests);
  }

  private void handle(HttpExchange exchange) throws IOException {
    try {
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      String rawPath = exchange.getRequestURI().getRawPath();
      String rawQuery = exchange.getRequestURI().getRawQuery();
      var headers = exchange.getRequestHeaders();
      requests.add(new Request(exchange.getRequestMethod(), rawPath + (rawQuery == null ? "" : "?" + rawQuery),
          exchange.getProtocol(), headers.getFirst("Authorization"), headers.getFirst("Content-Type"),
          headers.getFirst("Upgrade"), body));
      Reply reply = script.getOrDefault(exchange.getRequestMethod() + " " + rawPath, new Reply(404,
          "application/problem+json", "{\"title\":\"Not scripted\",\"status\":404}", Map.of(), false));
      if (reply.hang()) {
        closed.await(30, TimeUnit.SECONDS);
        return;
      }
      byte[] bytes = reply.body().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", reply.contentType());
      reply.headers().forEach(exchange.getResponseHeaders()::set);
      exchange.sendResponseHeaders(reply.status(), bytes.length == 0 ? -1 : bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      exchange.close();
    }
  }

  @Override
  public void close() {
    closed.countDown();
    server.stop(0);
    handlers.shutdownNow();
  }
}
