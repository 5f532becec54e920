package io.tandem.registry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tandem.core.lifecycle.State;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** An embedded registry reachable from other hosts must not take anonymous writes. */
class RegistryExposureTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final String SCHEMA = "{\"schema\":\"{\\\"type\\\":\\\"record\\\",\\\"name\\\":\\\"R\\\","
      + "\\\"fields\\\":[{\\\"name\\\":\\\"a\\\",\\\"type\\\":\\\"int\\\"}]}\"}";

  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  @Test
  void beyondLoopbackWithoutAuthItRefusesToStartNamingTheSetting() throws Exception {
    int port = freePort();
    EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.builder().inMemoryStorageForTests().host("0.0.0.0")
        .port(port).build();

    assertThatThrownBy(registry::start).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("0.0.0.0").hasMessageContaining("registry.user and registry.password")
        .hasMessageContaining("anonymous schema writes and deletes");
    assertThat(registry.state()).isEqualTo(State.FAILED);
    assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).as("nothing listens")
        .isInstanceOf(ConnectException.class);
    registry.close();
  }

  @Test
  void beyondLoopbackWithBasicAuthItServesOnlyAuthenticatedCallers() throws Exception {
    try (EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.builder().inMemoryStorageForTests()
        .host("0.0.0.0").basicAuth("ops", "s3cret").start()) {
      URI subject = URI.create("http://127.0.0.1:" + registry.url().getPort() + "/subjects/s-value/versions");
      HttpResponse<String> anonymous = HTTP.send(post(subject).build(), HttpResponse.BodyHandlers.ofString());
      String basic = "Basic " + Base64.getEncoder().encodeToString("ops:s3cret".getBytes(StandardCharsets.UTF_8));
      HttpResponse<String> authenticated = HTTP.send(post(subject).header("Authorization", basic).build(),
          HttpResponse.BodyHandlers.ofString());

      assertThat(anonymous.statusCode()).isEqualTo(401);
      assertThat(authenticated.statusCode()).as(authenticated.body()).isEqualTo(200);
    }
  }

  @Test
  void onLoopbackAuthStaysOptional() throws Exception {
    for (String host : new String[] {"127.0.0.1", "localhost"}) {
      try (EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.builder().inMemoryStorageForTests().host(host)
          .start()) {
        URI subject = URI.create("http://127.0.0.1:" + registry.url().getPort() + "/subjects/s-value/versions");
        assertThat(HTTP.send(post(subject).build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
      }
    }
  }

  @Test
  void whatCountsAsLoopback() {
    assertThat(EmbeddedSchemaRegistry.isLoopback("127.0.0.1")).isTrue();
    assertThat(EmbeddedSchemaRegistry.isLoopback("127.10.0.1")).isTrue();
    assertThat(EmbeddedSchemaRegistry.isLoopback("localhost")).isTrue();
    assertThat(EmbeddedSchemaRegistry.isLoopback("::1")).isTrue();
    assertThat(EmbeddedSchemaRegistry.isLoopback("[::1]")).isTrue();
    assertThat(EmbeddedSchemaRegistry.isLoopback("0.0.0.0")).isFalse();
    assertThat(EmbeddedSchemaRegistry.isLoopback("::")).isFalse();
    assertThat(EmbeddedSchemaRegistry.isLoopback("192.0.2.10")).isFalse();
    assertThat(EmbeddedSchemaRegistry.isLoopback("no-such-host.invalid")).isFalse();
  }

  private static HttpRequest.Builder post(URI uri) {
    return HttpRequest.newBuilder(uri).header("Content-Type", "application/vnd.schemaregistry.v1+json")
        .POST(HttpRequest.BodyPublishers.ofString(SCHEMA));
  }
}
