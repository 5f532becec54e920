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

/** A real HTTP server on a free port that answers from a script and records every request. */
final class TestRouter implements AutoCloseable {

  /** What the client sent; {@code target} is the raw path and query, as on the wire. */
  record Request(String method, String target, String protocol, String authorization, String contentType,
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

  TestRouter() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(handlers);
    server.createContext("/", this::handle);
    server.start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** Answer {@code METHOD rawPath} (query ignored) with JSON, or a problem document from 400 on. */
  TestRouter answer(String method, String rawPath, int status, String body) {
    return answer(method, rawPath, status, status >= 400 ? "application/problem+json" : "application/json", body);
  }

  TestRouter answer(String method, String rawPath, int status, String contentType, String body) {
    script.put(method + " " + rawPath, new Reply(status, contentType, body, Map.of(), false));
    return this;
  }

  TestRouter redirect(String method, String rawPath, String location) {
    script.put(method + " " + rawPath, new Reply(302, "text/plain", "", Map.of("Location", location), false));
    return this;
  }

  /** Never answer (until closed): for timeouts. */
  TestRouter hang(String method, String rawPath) {
    script.put(method + " " + rawPath, new Reply(0, null, null, Map.of(), true));
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
