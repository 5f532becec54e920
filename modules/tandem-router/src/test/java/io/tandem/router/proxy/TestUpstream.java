package io.tandem.router.proxy;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.net.URI;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A real HTTP server on a free port standing in for the legacy or new service; records what it got. */
final class TestUpstream {

  /** Answers one request; may answer later (never blocking the event loop). */
  @FunctionalInterface
  interface Responder {
    void respond(HttpServerRequest request);
  }

  record Received(String method, String uri, MultiMap headers, String body) {}

  final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
  private final HttpServer server;

  private TestUpstream(HttpServer server) {
    this.server = server;
  }

  static TestUpstream start(Vertx vertx, Responder responder) {
    TestUpstream[] self = new TestUpstream[1];
    HttpServer server = vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
      MultiMap headers = MultiMap.caseInsensitiveMultiMap().addAll(request.headers());
      self[0].received.add(new Received(request.method().name(), request.uri(), headers, body.toString()));
      responder.respond(request);
    }));
    self[0] = new TestUpstream(server);
    await(server.listen(0));
    return self[0];
  }

  /** Answers every request with {@code status} and a JSON body. */
  static TestUpstream json(Vertx vertx, int status, String body) {
    return start(vertx, request -> request.response().setStatusCode(status)
        .putHeader("Content-Type", "application/json").end(body));
  }

  /** A base URL nothing listens on (a server that was started and closed again). */
  static URI down(Vertx vertx) {
    HttpServer server = vertx.createHttpServer().requestHandler(r -> r.response().end());
    await(server.listen(0));
    int port = server.actualPort();
    await(server.close());
    return URI.create("http://127.0.0.1:" + port);
  }

  URI uri() {
    return URI.create("http://127.0.0.1:" + server.actualPort());
  }

  /** The next request this upstream got. */
  Received next() throws InterruptedException {
    Received next = received.poll(10, TimeUnit.SECONDS);
    if (next == null) {
      throw new AssertionError("the upstream got no request");
    }
    return next;
  }

  static <T> T await(io.vertx.core.Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
