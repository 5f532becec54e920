package io.tandem.router.proxy;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tandem.routing.AuditEntry;
import io.tandem.routing.Command;
import io.tandem.routing.Phase;
import io.tandem.routing.Proposal;
import io.tandem.routing.RoutingStateMachine;
import io.tandem.routing.Selector;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/** One Vert.x, a real routing state machine, and the proxy on its own HTTP server on a free port. */
final class ProxyFixture implements AutoCloseable {
  final Vertx vertx = Vertx.vertx();
  final RoutingStateMachine machine = new RoutingStateMachine();
  final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  ReadProxy proxy;
  private HttpServer server;

  TestUpstream upstream(TestUpstream.Responder responder) {
    return TestUpstream.start(vertx, responder);
  }

  /** Defines {@code entity} with the given rule attributes. */
  ProxyFixture entity(String entity, String... attributes) {
    return apply(new Command.DefineEntity(entity, List.of(attributes)));
  }

  /** A cohort holding exactly {@code keys}, created directly in {@code phase}. */
  ProxyFixture cohort(String entity, String cohort, Phase phase, String... keys) {
    return apply(new Command.CreateCohort(entity, cohort, new Selector.Keys(Set.of(keys)), phase, -1));
  }

  ProxyFixture apply(Command command) {
    long version = machine.state().version();
    AuditEntry entry = machine.apply(version, new Proposal(UUID.randomUUID().toString(), version, "test",
        "proxy test", Instant.now(), false, command));
    if (!entry.applied()) {
      throw new IllegalStateException("not applied: " + entry);
    }
    return this;
  }

  ReadProxy start(ProxyRoute... routes) {
    return start(ReadProxy.DEFAULT_SAMPLE_SIZE, routes);
  }

  ReadProxy start(int sampleSize, ProxyRoute... routes) {
    proxy = new ReadProxy(vertx, List.of(routes), machine::state, meters, sampleSize);
    Router router = Router.router(vertx);
    proxy.mount(router);
    server = TestUpstream.await(vertx.createHttpServer().requestHandler(router).listen(0));
    return proxy;
  }

  /** The proxy's port. */
  int port() {
    return server.actualPort();
  }

  HttpResponse<String> get(String pathAndQuery, String... headers) {
    return send("GET", pathAndQuery, null, headers);
  }

  HttpResponse<String> send(String method, String pathAndQuery, String body, String... headers) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.actualPort()
            + pathAndQuery))
        .timeout(Duration.ofSeconds(10))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (headers.length > 0) {
      request.headers(headers);
    }
    try {
      return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** A counter's count, 0 when it was never incremented. */
  double count(String name, String... tags) {
    Counter counter = meters.find(name).tags(tags).counter();
    return counter == null ? 0 : counter.count();
  }

  @Override
  public void close() {
    if (proxy != null) {
      TestUpstream.await(proxy.close());
    }
    TestUpstream.await(vertx.close());
  }

  /** A route for entity {@code customer} keyed by the path variable {@code id}. */
  static ProxyRoute customers(URI legacy, URI neu, boolean fallback, String... ignoreFields) {
    return new ProxyRoute("/api/customers/{id}", "customer", KeySource.parse("path:id"), legacy, neu,
        List.of(ignoreFields), fallback, Duration.ofSeconds(5));
  }
}
