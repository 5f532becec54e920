package io.tandem.app.cohort;

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
 * A real HTTP server on a free port that answers like the router's operator API from a script and
 * records every request. One per test: nothing shared, so tests can run in parallel.
 */
final class FakeRouter implements AutoCloseable {

  /** What the CLI sent. {@code target} is the raw path and query, as on the wire. */
  record Request(String method, String target, String authorization, String contentType, String body) {
  }

  private record Reply(int status, String contentType, String body, boolean hang) {
  }

  private final HttpServer server;
  private final ExecutorService handlers = Executors.newCachedThreadPool(runnable -> {
    Thread thread = new Thread(runnable, "fake-router");
    thread.setDaemon(true);
    return thread;
  });
  private final Map<String, Reply> script = new ConcurrentHashMap<>();
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private final CountDownLatch closed = new CountDownLatch(1);

  private FakeRouter() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(handlers);
    server.createContext("/", this::handle);
    server.start();
  }

  static FakeRouter start() throws IOException {
    return new FakeRouter();
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** Answer {@code METHOD path} (raw path, query ignored) with JSON, or a problem document from 400 on. */
  FakeRouter answer(String method, String rawPath, int status, String body) {
    String contentType = status >= 400 ? "application/problem+json" : "application/json";
    return answer(method, rawPath, status, contentType, body);
  }

  FakeRouter answer(String method, String rawPath, int status, String contentType, String body) {
    script.put(method + " " + rawPath, new Reply(status, contentType, body, false));
    return this;
  }

  /** Never answer {@code METHOD path} (until closed): for timeouts. */
  FakeRouter hang(String method, String rawPath) {
    script.put(method + " " + rawPath, new Reply(0, null, null, true));
    return this;
  }

  List<Request> requests() {
    return List.copyOf(requests);
  }

  private void handle(HttpExchange exchange) throws IOException {
    try {
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      String rawPath = exchange.getRequestURI().getRawPath();
      String rawQuery = exchange.getRequestURI().getRawQuery();
      requests.add(new Request(exchange.getRequestMethod(), rawPath + (rawQuery == null ? "" : "?" + rawQuery),
          exchange.getRequestHeaders().getFirst("Authorization"), exchange.getRequestHeaders().getFirst("Content-Type"),
          body));
      Reply reply = script.getOrDefault(exchange.getRequestMethod() + " " + rawPath, new Reply(404,
          "application/problem+json", "{\"title\":\"Not scripted\",\"status\":404,\"detail\":\"" + rawPath + "\"}", false));
      if (reply.hang()) {
        closed.await(30, TimeUnit.SECONDS);
        return;
      }
      byte[] bytes = reply.body().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", reply.contentType());
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
