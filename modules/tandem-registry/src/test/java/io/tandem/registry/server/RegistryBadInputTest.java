package io.tandem.registry.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Bad requests get Confluent's status and error code, a JSON body, and change nothing. */
class RegistryBadInputTest {
  private static final String JSON_TYPE = "application/vnd.schemaregistry.v1+json";
  private static final String VALID = "{\"schema\":\"{\\\"type\\\":\\\"record\\\",\\\"name\\\":\\\"R\\\","
      + "\\\"fields\\\":[{\\\"name\\\":\\\"a\\\",\\\"type\\\":\\\"int\\\"}]}\"}";

  private static EmbeddedSchemaRegistry registry;
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final ObjectMapper JSON = new ObjectMapper();

  @BeforeAll
  static void start() throws Exception {
    registry = EmbeddedSchemaRegistry.builder().inMemoryStorageForTests().start();
    assertThat(send("POST", "/subjects/existing-value/versions", JSON_TYPE, VALID).statusCode()).isEqualTo(200);
  }

  @AfterAll
  static void stop() {
    registry.close();
  }

  static Stream<Arguments> badRequests() {
    return Stream.of(
        // method, path, content type, body, status, error code
        Arguments.of("POST", "/subjects/s-value/versions", JSON_TYPE, "{\"schema\":\"{not json\"}", 422, 42201),
        Arguments.of("POST", "/subjects/s-value/versions", JSON_TYPE,
            "{\"schema\":\"{\\\"type\\\":\\\"record\\\",\\\"name\\\":\\\"R\\\"}\"}", 422, 42201),
        Arguments.of("POST", "/subjects/s-value/versions", JSON_TYPE,
            "{\"schema\":\"{\\\"type\\\":\\\"record\\\",\\\"name\\\":\\\"R\\\",\\\"fields\\\":[{\\\"name\\\":\\\"a\\\","
                + "\\\"type\\\":\\\"int\\\",\\\"default\\\":\\\"x\\\"}]}\"}", 422, 42201),
        Arguments.of("POST", "/subjects/s-value/versions", JSON_TYPE, "{\"schema\":\"{}\",\"schemaType\":\"JSON\"}", 422, 42201),
        Arguments.of("POST", "/subjects/s-value/versions", JSON_TYPE, "{\"nothing\":1}", 422, 42201),
        Arguments.of("POST", "/subjects/s-value/versions", JSON_TYPE, "{bad json", 400, 400),
        Arguments.of("POST", "/subjects/s-value/versions", "text/plain", VALID, 415, 415),
        Arguments.of("POST", "/subjects/s-value/versions", "application/x-www-form-urlencoded", VALID, 415, 415),
        Arguments.of("GET", "/subjects/unknown-value/versions", null, null, 404, 40401),
        Arguments.of("GET", "/subjects/unknown-value/versions/latest", null, null, 404, 40401),
        Arguments.of("GET", "/subjects/existing-value/versions/9", null, null, 404, 40402),
        Arguments.of("GET", "/subjects/existing-value/versions/0", null, null, 422, 42202),
        Arguments.of("GET", "/subjects/existing-value/versions/abc", null, null, 422, 42202),
        Arguments.of("GET", "/schemas/ids/99999", null, null, 404, 40403),
        Arguments.of("GET", "/schemas/ids/not-a-number", null, null, 404, 40403),
        Arguments.of("POST", "/subjects/unknown-value", JSON_TYPE, VALID, 404, 40401),
        Arguments.of("DELETE", "/subjects/unknown-value", null, null, 404, 40401),
        Arguments.of("DELETE", "/subjects/existing-value?permanent=true", null, null, 404, 40405),
        Arguments.of("DELETE", "/subjects/existing-value/versions/1?permanent=true", null, null, 404, 40407),
        Arguments.of("PUT", "/config", JSON_TYPE, "{\"compatibility\":\"SIDEWAYS\"}", 422, 42203),
        Arguments.of("PUT", "/config/existing-value", JSON_TYPE, "{}", 422, 42203),
        Arguments.of("GET", "/config/existing-value", null, null, 404, 40408),
        Arguments.of("DELETE", "/config/existing-value", null, null, 404, 40408),
        Arguments.of("POST", "/compatibility/subjects/unknown-value/versions/latest", JSON_TYPE, VALID, 404, 40401),
        Arguments.of("POST", "/compatibility/subjects/existing-value/versions/3", JSON_TYPE, VALID, 404, 40402),
        Arguments.of("GET", "/no/such/path", null, null, 404, 404),
        Arguments.of("PATCH", "/subjects", null, null, 405, 405));
  }

  @ParameterizedTest(name = "{0} {1} [{2}] -> {4}/{5}")
  @MethodSource("badRequests")
  void answersWithConfluentErrorAndChangesNothing(String method, String path, String contentType, String body,
      int status, int errorCode) throws Exception {
    String before = snapshot();

    HttpResponse<String> response = send(method, path, contentType, body);

    assertThat(response.statusCode()).isEqualTo(status);
    JsonNode error = JSON.readTree(response.body());
    assertThat(error.path("error_code").asInt()).isEqualTo(errorCode);
    assertThat(error.path("message").asText()).isNotBlank();
    assertThat(snapshot()).isEqualTo(before);
  }

  @Test
  void authenticationIsRequiredWhenConfigured() throws Exception {
    try (EmbeddedSchemaRegistry secured = EmbeddedSchemaRegistry.builder().inMemoryStorageForTests()
        .basicAuth("ops", "s3cret").start()) {
      HttpResponse<String> anonymous = HTTP.send(HttpRequest.newBuilder(URI.create(secured.url() + "/subjects")).build(),
          HttpResponse.BodyHandlers.ofString());
      HttpResponse<String> wrong = HTTP.send(HttpRequest.newBuilder(URI.create(secured.url() + "/subjects"))
          .header("Authorization", "Basic b3BzOndyb25n").build(), HttpResponse.BodyHandlers.ofString());

      assertThat(anonymous.statusCode()).isEqualTo(401);
      assertThat(anonymous.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Basic"));
      assertThat(JSON.readTree(anonymous.body()).path("error_code").asInt()).isEqualTo(401);
      assertThat(wrong.statusCode()).isEqualTo(401);
    }
  }

  /** Everything the registry would answer to a reader, soft-deleted data included. */
  private static String snapshot() throws Exception {
    StringBuilder state = new StringBuilder();
    state.append(send("GET", "/subjects?deleted=true", null, null).body());
    state.append(send("GET", "/config", null, null).body());
    for (JsonNode subject : JSON.readTree(send("GET", "/subjects?deleted=true", null, null).body())) {
      String name = subject.asText();
      state.append(send("GET", "/subjects/" + name + "/versions?deleted=true", null, null).body());
      state.append(send("GET", "/subjects/" + name + "/versions/latest?deleted=true", null, null).body());
      state.append(send("GET", "/config/" + name, null, null).body());
    }
    return state.toString();
  }

  private static HttpResponse<String> send(String method, String path, String contentType, String body) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(registry.url() + path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (contentType != null) {
      request.header("Content-Type", contentType);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
