package io.tandem.registry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tandem.core.retry.RetryPolicy;
import io.tandem.registry.Compatibility;
import io.tandem.registry.ErrorCode;
import io.tandem.registry.RegistryException;
import io.tandem.registry.client.SchemaRegistryClient;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each compatibility mode against each kind of change, through both the compatibility endpoint and
 * registration (which must refuse with 409 exactly when the test says incompatible).
 */
class CompatibilityMatrixTest {
  private static EmbeddedSchemaRegistry registry;
  private static SchemaRegistryClient client;
  private static int subjectCounter;

  @BeforeAll
  static void start() {
    registry = EmbeddedSchemaRegistry.builder().inMemoryStorageForTests().start();
    client = SchemaRegistryClient.builder(registry.url()).retry(RetryPolicy.none()).build();
  }

  @AfterAll
  static void stop() {
    registry.close();
  }

  private static String record(String... fields) {
    return "{\"type\":\"record\",\"name\":\"Customer\",\"fields\":[" + String.join(",", fields) + "]}";
  }

  private static final String ID = "{\"name\":\"id\",\"type\":\"long\"}";
  private static final String NAME = "{\"name\":\"name\",\"type\":\"string\"}";
  private static final String NAME_WITH_DEFAULT = "{\"name\":\"name\",\"type\":\"string\",\"default\":\"\"}";
  private static final String NAME_AS_INT = "{\"name\":\"name\",\"type\":\"int\"}";
  private static final String EMAIL_WITH_DEFAULT = "{\"name\":\"email\",\"type\":[\"null\",\"string\"],\"default\":null}";
  private static final String EMAIL_NO_DEFAULT = "{\"name\":\"email\",\"type\":\"string\"}";

  private static final String BASE = record(ID, NAME);
  private static final String ADDED_WITH_DEFAULT = record(ID, NAME, EMAIL_WITH_DEFAULT);
  private static final String ADDED_WITHOUT_DEFAULT = record(ID, NAME, EMAIL_NO_DEFAULT);
  private static final String REMOVED = record(ID);
  private static final String TYPE_CHANGED = record(ID, NAME_AS_INT);

  static Stream<Arguments> singleStep() {
    List<Arguments> cases = new ArrayList<>();
    for (Compatibility mode : Compatibility.values()) {
      boolean backward = mode.checksBackward();
      boolean forward = mode.checksForward();
      // Added field with a default: both directions can read each other.
      cases.add(Arguments.of(mode, "added field with default", ADDED_WITH_DEFAULT, true));
      // Added field without default: the new schema cannot read old data.
      cases.add(Arguments.of(mode, "added field without default", ADDED_WITHOUT_DEFAULT, !backward));
      // Removed field (it had no default): the old schema cannot read new data.
      cases.add(Arguments.of(mode, "removed field", REMOVED, !forward));
      // Type change string -> int: neither side can read the other.
      cases.add(Arguments.of(mode, "type change", TYPE_CHANGED, !(backward || forward)));
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0}: {1} -> compatible={3}")
  @MethodSource("singleStep")
  void singleChange(Compatibility mode, String change, String next, boolean compatible) {
    String subject = newSubject(mode);
    client.register(subject, avro(BASE));

    assertThat(client.testCompatibility(subject, "latest", avro(next)).compatible()).isEqualTo(compatible);
    assertThat(client.testCompatibility(subject, null, avro(next)).compatible()).isEqualTo(compatible);
    assertRegistration(subject, next, compatible);
  }

  /**
   * Three versions where the last step is fine against its predecessor but not against the first:
   * the plain mode accepts it, the transitive mode refuses it.
   */
  static Stream<Arguments> transitive() {
    String v1 = record(ID, NAME);
    String v2 = record(ID, NAME_WITH_DEFAULT);
    // Forward and full: v1 cannot read v3 (name removed, v1 has no default); v2 can (default).
    return Stream.of(
        // Backward: v3 reads v2 (which has name) but not v1 (no name, and v3 gives it no default).
        Arguments.of(Compatibility.BACKWARD, record(ID), record(ID, NAME_WITH_DEFAULT), record(ID, NAME), true),
        Arguments.of(Compatibility.BACKWARD_TRANSITIVE, record(ID), record(ID, NAME_WITH_DEFAULT), record(ID, NAME), false),
        Arguments.of(Compatibility.FORWARD, v1, v2, record(ID), true),
        Arguments.of(Compatibility.FORWARD_TRANSITIVE, v1, v2, record(ID), false),
        Arguments.of(Compatibility.FULL, v1, v2, record(ID), true),
        Arguments.of(Compatibility.FULL_TRANSITIVE, v1, v2, record(ID), false));
  }

  @ParameterizedTest(name = "{0}: third version -> compatible={4}")
  @MethodSource("transitive")
  void transitiveModesCheckEveryVersion(Compatibility mode, String first, String second, String third, boolean compatible) {
    String subject = newSubject(mode);
    client.register(subject, avro(first));
    client.register(subject, avro(second));

    assertThat(client.testCompatibility(subject, null, avro(third)).compatible()).isEqualTo(compatible);
    assertThat(client.testCompatibility(subject, "latest", avro(third)).compatible()).isTrue();
    assertRegistration(subject, third, compatible);
  }

  private static void assertRegistration(String subject, String next, boolean compatible) {
    List<Integer> before = client.versions(subject);
    if (compatible) {
      client.register(subject, avro(next));
      assertThat(client.versions(subject)).hasSize(before.size() + 1);
    } else {
      assertThatThrownBy(() -> client.register(subject, avro(next)))
          .isInstanceOfSatisfying(RegistryException.class, e -> {
            assertThat(e.status()).isEqualTo(409);
            assertThat(e.errorCode()).isEqualTo(ErrorCode.INCOMPATIBLE_SCHEMA);
          });
      assertThat(client.versions(subject)).isEqualTo(before);
    }
  }

  private static String newSubject(Compatibility mode) {
    String subject = "matrix-" + (++subjectCounter) + "-value";
    client.setCompatibility(subject, mode);
    return subject;
  }

  private static Schema avro(String text) {
    return new Schema.Parser().parse(text);
  }
}
