package io.tandem.registry.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.tandem.core.retry.RetryPolicy;
import io.tandem.registry.RegistryException;
import io.tandem.registry.server.EmbeddedSchemaRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.avro.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Retries, failover, authentication and error reporting over real HTTP. */
class SchemaRegistryClientTest {
  private static final RetryPolicy FAST_RETRY = new RetryPolicy(4, Duration.ofMillis(1), Duration.ofMillis(5));
  private static final Schema SCHEMA = new Schema.Parser().parse(
      "{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\",\"type\":\"int\"}]}");

  private HttpServer scripted;
  private final List<String> seenAuthorization = new CopyOnWriteArrayList<>();
  private final Deque<int[]> script = new ArrayDeque<>(); // {status} answers in order

  @AfterEach
  void stop() {
    if (scripted != null) {
      scripted.stop(0);
    }
  }

  /** A registry stand-in that answers the scripted statuses, then 200 with a schema. */
  private URI scriptedRegistry(int... statuses) throws IOException {
    for (int status : statuses) {
      script.add(new int[] {status});
    }
    scripted = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    scripted.createContext("/", exchange -> {
      seenAuthorization.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
      int[] next = script.poll();
      int status = next == null ? 200 : next[0];
      String body = status == 200
          ? "{\"schema\":" + new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(SCHEMA.toString()) + "}"
          : "{\"error_code\":" + (status == 404 ? 40403 : 50001) + ",\"message\":\"scripted " + status + "\"}";
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(status, bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    });
    scripted.start();
    return URI.create("http://127.0.0.1:" + scripted.getAddress().getPort());
  }

  @Test
  void retriesServerErrorsThenSucceeds() throws IOException {
    SchemaRegistryClient client = SchemaRegistryClient.builder(scriptedRegistry(500, 503)).retry(FAST_RETRY).build();

    assertThat(client.schemaById(1)).isEqualTo(SCHEMA);
    assertThat(client.requestCount()).isEqualTo(3);
  }

  @Test
  void neverRetriesClientErrorsAndSurfacesTheRegistryCodeAndMessage() throws IOException {
    SchemaRegistryClient client = SchemaRegistryClient.builder(scriptedRegistry(404)).retry(FAST_RETRY).build();

    assertThatThrownBy(() -> client.schemaById(1)).isInstanceOfSatisfying(RegistryException.class, e -> {
      assertThat(e.status()).isEqualTo(404);
      assertThat(e.errorCode()).isEqualTo(40403);
      assertThat(e.registryMessage()).isEqualTo("scripted 404");
    });
    assertThat(client.requestCount()).isEqualTo(1);
  }

  @Test
  void givesUpAfterTheConfiguredAttempts() throws IOException {
    SchemaRegistryClient client = SchemaRegistryClient.builder(scriptedRegistry(503, 503, 503, 503, 503))
        .retry(FAST_RETRY).build();

    assertThatThrownBy(() -> client.schemaById(1))
        .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.status()).isEqualTo(503));
    assertThat(client.requestCount()).isEqualTo(4);
  }

  @Test
  void connectionErrorsFailOverToTheNextUrl() throws IOException {
    URI dead = URI.create("http://127.0.0.1:" + unusedPort());
    SchemaRegistryClient client = SchemaRegistryClient.builder(dead, scriptedRegistry()).retry(FAST_RETRY).build();

    assertThat(client.schemaById(1)).isEqualTo(SCHEMA);
    assertThat(client.requestCount()).isEqualTo(2);
  }

  @Test
  void unreachableRegistryIsReportedWithItsUrl() throws IOException {
    URI dead = URI.create("http://127.0.0.1:" + unusedPort());
    SchemaRegistryClient client = SchemaRegistryClient.builder(dead).retry(FAST_RETRY).build();

    assertThatThrownBy(() -> client.schemaById(1))
        .isInstanceOfSatisfying(RegistryException.class, e -> {
          assertThat(e.status()).isZero();
          assertThat(e.getMessage()).contains("unreachable", dead.toString());
        });
    assertThat(client.requestCount()).isEqualTo(4);
  }

  @Test
  void sendsBasicAndBearerCredentials() {
    try (EmbeddedSchemaRegistry basic = EmbeddedSchemaRegistry.builder().inMemoryStorageForTests()
            .basicAuth("ops", "pa:ss").start();
        EmbeddedSchemaRegistry bearer = EmbeddedSchemaRegistry.builder().inMemoryStorageForTests()
            .bearerToken("tkn-123").start()) {
      assertThat(SchemaRegistryClient.builder(basic.url()).basicAuth("ops", "pa:ss").build().register("s", SCHEMA))
          .isPositive();
      assertThat(SchemaRegistryClient.builder(bearer.url()).bearerToken("tkn-123").build().register("s", SCHEMA))
          .isPositive();
      assertThatThrownBy(() -> SchemaRegistryClient.builder(basic.url()).retry(FAST_RETRY).build().subjects())
          .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.status()).isEqualTo(401));
      assertThatThrownBy(() -> SchemaRegistryClient.builder(bearer.url()).bearerToken("wrong").build().subjects())
          .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.status()).isEqualTo(401));
    }
  }

  @Test
  void rejectsUrlsThatAreNotHttp() {
    assertThatThrownBy(() -> SchemaRegistryClient.builder(URI.create("ftp://host"))).hasMessageContaining("http(s)");
  }

  private static int unusedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
