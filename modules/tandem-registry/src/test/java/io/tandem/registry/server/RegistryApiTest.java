package io.tandem.registry.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tandem.registry.Compatibility;
import io.tandem.registry.ErrorCode;
import io.tandem.registry.InMemoryRegistry;
import io.tandem.registry.RegisteredSchema;
import io.tandem.registry.RegistryException;
import io.tandem.registry.SchemaReference;
import io.tandem.registry.client.SchemaRegistryClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.apache.avro.Schema;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Every endpoint, through the client, against the embedded registry over real HTTP (in-memory log). */
class RegistryApiTest {
  static final String V1 = """
      {"type":"record","name":"Customer","namespace":"legacy","fields":[
        {"name":"id","type":"long"},{"name":"name","type":"string"}]}""";
  static final String V2 = """
      {"type":"record","name":"Customer","namespace":"legacy","fields":[
        {"name":"id","type":"long"},{"name":"name","type":"string"},
        {"name":"email","type":["null","string"],"default":null}]}""";
  static final String INCOMPATIBLE = """
      {"type":"record","name":"Customer","namespace":"legacy","fields":[
        {"name":"id","type":"string"},{"name":"name","type":"string"}]}""";

  @RegisterExtension
  final InMemoryRegistry registry = new InMemoryRegistry();
  private SchemaRegistryClient client;
  private final HttpClient http = HttpClient.newHttpClient();
  private final ObjectMapper json = new ObjectMapper();

  @BeforeEach
  void useSharedClient() {
    client = registry.client();
  }

  private static Schema avro(String text) {
    return new Schema.Parser().parse(text);
  }

  @Test
  void registersAndReadsBackBySubjectVersionLatestAndId() {
    int id1 = client.register("customers-value", avro(V1));
    int id2 = client.register("customers-value", avro(V2));

    assertThat(id2).isNotEqualTo(id1);
    assertThat(client.subjects()).containsExactly("customers-value");
    assertThat(client.versions("customers-value")).containsExactly(1, 2);
    RegisteredSchema v1 = client.version("customers-value", 1);
    assertThat(v1.id()).isEqualTo(id1);
    assertThat(v1.subject()).isEqualTo("customers-value");
    assertThat(avro(v1.schema())).isEqualTo(avro(V1));
    RegisteredSchema latest = client.latest("customers-value");
    assertThat(latest.version()).isEqualTo(2);
    assertThat(latest.id()).isEqualTo(id2);
    assertThat(newClient().schemaById(id2)).isEqualTo(avro(V2));
  }

  @Test
  void sameSchemaTwiceGivesSameIdAndNoNewVersion_evenUnderAnotherSubjectOrFormatting() {
    int first = client.register("a-value", avro(V1));
    String reformatted = V1.replace("\n", " ").replace("  ", "");
    int again = client.register("a-value", reformatted, RegisteredSchema.AVRO, List.of()).id();
    int otherSubject = client.register("b-value", avro(V1));

    assertThat(again).isEqualTo(first);
    assertThat(otherSubject).isEqualTo(first);
    assertThat(client.versions("a-value")).containsExactly(1);
    assertThat(client.versions("b-value")).containsExactly(1);
  }

  @Test
  void lookupFindsRegisteredSchemaAndNamesWhatIsMissing() {
    int id = client.register("customers-value", avro(V1));

    RegisteredSchema found = client.lookup("customers-value", V1, RegisteredSchema.AVRO, List.of(), false);
    assertThat(found.id()).isEqualTo(id);
    assertThat(found.version()).isEqualTo(1);
    assertThat(newClient().idOf("customers-value", avro(V1))).isEqualTo(id);

    assertThatThrownBy(() -> client.lookup("customers-value", V2, RegisteredSchema.AVRO, List.of(), false))
        .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.SCHEMA_NOT_FOUND));
    assertThatThrownBy(() -> client.lookup("nobody-value", V1, RegisteredSchema.AVRO, List.of(), false))
        .isInstanceOfSatisfying(RegistryException.class, e -> {
          assertThat(e.status()).isEqualTo(404);
          assertThat(e.errorCode()).isEqualTo(ErrorCode.SUBJECT_NOT_FOUND);
        });
  }

  @Test
  void compatibilityConfigGlobalAndPerSubject() {
    assertThat(client.compatibility()).isEqualTo(Compatibility.BACKWARD);
    assertThat(client.compatibility("customers-value")).isEmpty();

    assertThat(client.setCompatibility(Compatibility.FULL)).isEqualTo(Compatibility.FULL);
    assertThat(client.setCompatibility("customers-value", Compatibility.NONE)).isEqualTo(Compatibility.NONE);

    assertThat(client.compatibility()).isEqualTo(Compatibility.FULL);
    assertThat(client.compatibility("customers-value")).contains(Compatibility.NONE);
    // The subject level wins: NONE lets an incompatible change through.
    client.register("customers-value", avro(V1));
    client.register("customers-value", avro(INCOMPATIBLE));
    assertThat(client.versions("customers-value")).containsExactly(1, 2);

    assertThat(client.deleteCompatibility("customers-value")).isEqualTo(Compatibility.NONE);
    assertThat(client.compatibility("customers-value")).isEmpty();
    // Back on the global FULL level: the next incompatible change (id string -> long) is refused.
    assertThatThrownBy(() -> client.register("customers-value", avro(V2)))
        .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.status()).isEqualTo(409));
  }

  @Test
  void incompatibleRegistrationIsRefusedWith409AndTheReason() {
    client.register("customers-value", avro(V1));

    assertThatThrownBy(() -> client.register("customers-value", avro(INCOMPATIBLE)))
        .isInstanceOfSatisfying(RegistryException.class, e -> {
          assertThat(e.status()).isEqualTo(409);
          assertThat(e.errorCode()).isEqualTo(ErrorCode.INCOMPATIBLE_SCHEMA);
          assertThat(e.registryMessage()).contains("incompatible", "TYPE_MISMATCH", "/fields/0/type", "BACKWARD");
        });
    assertThat(client.versions("customers-value")).containsExactly(1);
  }

  @Test
  void testCompatibilityAgainstAVersionAndLatest() {
    client.register("customers-value", avro(V1));

    assertThat(client.testCompatibility("customers-value", "latest", avro(V2)).compatible()).isTrue();
    assertThat(client.testCompatibility("customers-value", "1", avro(V2)).compatible()).isTrue();
    var bad = client.testCompatibility("customers-value", "latest", avro(INCOMPATIBLE));
    assertThat(bad.compatible()).isFalse();
    assertThat(bad.messages()).anyMatch(m -> m.contains("TYPE_MISMATCH"));
    assertThat(client.testCompatibility("customers-value", null, avro(V2)).compatible()).isTrue();

    assertThatThrownBy(() -> client.testCompatibility("customers-value", "7", avro(V2)))
        .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.VERSION_NOT_FOUND));
    assertThatThrownBy(() -> client.testCompatibility("nobody", "latest", avro(V2)))
        .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.SUBJECT_NOT_FOUND));
  }

  @Test
  void softDeleteHidesButKeepsIdsReadable_permanentDeleteNeedsSoftDeleteFirst() {
    int id1 = client.register("customers-value", avro(V1));
    client.register("customers-value", avro(V2));

    assertThat(client.deleteVersion("customers-value", 2, false)).isEqualTo(2);
    assertThat(client.versions("customers-value")).containsExactly(1);
    assertThatThrownBy(() -> client.deleteVersion("customers-value", 2, false))
        .isInstanceOfSatisfying(RegistryException.class,
            e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.SCHEMA_VERSION_SOFT_DELETED));
    assertThatThrownBy(() -> client.deleteVersion("customers-value", 1, true))
        .isInstanceOfSatisfying(RegistryException.class,
            e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.SCHEMA_VERSION_NOT_SOFT_DELETED));

    assertThat(client.deleteSubject("customers-value", false)).containsExactly(1);
    assertThat(client.subjects()).isEmpty();
    assertThatThrownBy(() -> client.versions("customers-value"))
        .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.SUBJECT_NOT_FOUND));
    // Consumers still decode old data after a soft delete.
    assertThat(newClient().schemaById(id1)).isEqualTo(avro(V1));
    assertThatThrownBy(() -> client.deleteSubject("customers-value", false))
        .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.SUBJECT_SOFT_DELETED));

    assertThat(client.deleteSubject("customers-value", true)).containsExactly(1, 2);
    assertThatThrownBy(() -> newClient().schemaById(id1))
        .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.SCHEMA_NOT_FOUND));
    // A permanently deleted id is never handed out again.
    assertThat(newClient().register("customers-value", avro(V1))).isGreaterThan(id1 + 1);
  }

  @Test
  void deletedSubjectsAndVersionsStayListableWithDeletedFlag() throws Exception {
    client.register("customers-value", avro(V1));
    client.deleteSubject("customers-value", false);

    assertThat(get("/subjects?deleted=true").body()).contains("customers-value");
    assertThat(get("/subjects/customers-value/versions?deleted=true").body()).isEqualTo("[1]");
    assertThat(get("/subjects/customers-value/versions/1?deleted=true").statusCode()).isEqualTo(200);
    assertThat(get("/subjects/customers-value/versions/1").statusCode()).isEqualTo(404);
  }

  @Test
  void referencesResolveAcrossSubjectsAndProtectTheReferencedVersion() {
    String address = """
        {"type":"record","name":"Address","namespace":"legacy","fields":[{"name":"city","type":"string"}]}""";
    String customer = """
        {"type":"record","name":"CustomerWithAddress","namespace":"legacy","fields":[
          {"name":"id","type":"long"},{"name":"address","type":"legacy.Address"}]}""";
    client.register("address-value", avro(address));
    List<SchemaReference> refs = List.of(new SchemaReference("legacy.Address", "address-value", 1));
    int id = client.register("customer-value", customer, RegisteredSchema.AVRO, refs).id();

    Schema resolved = newClient().schemaById(id);
    assertThat(resolved.getField("address").schema().getFullName()).isEqualTo("legacy.Address");
    assertThat(client.latest("customer-value").references()).containsExactlyElementsOf(refs);
    // Referenced types stay references by name, as Confluent keeps them: clients that define the
    // references first would otherwise meet the type twice.
    assertThat(client.latest("customer-value").schema()).contains("\"type\":\"Address\"").doesNotContain("city");
    assertThat(client.register("customer-value", customer, RegisteredSchema.AVRO, refs).id()).isEqualTo(id);
    assertThatThrownBy(() -> client.deleteSubject("address-value", false))
        .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.REFERENCE_EXISTS));
    assertThatThrownBy(() -> client.register("other-value", customer, RegisteredSchema.AVRO,
            List.of(new SchemaReference("legacy.Address", "address-value", 9))))
        .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.INVALID_SCHEMA));
  }

  @Test
  void auxiliaryEndpointsAnswerLikeConfluent() throws Exception {
    int id = client.register("customers-value", avro(V1));

    assertThat(get("/").body()).isEqualTo("{}");
    assertThat(json(get("/schemas/types"))).hasToString("[\"AVRO\"]");
    assertThat(avro(get("/schemas/ids/" + id + "/schema").body())).isEqualTo(avro(V1));
    assertThat(avro(get("/subjects/customers-value/versions/latest/schema").body())).isEqualTo(avro(V1));
    assertThat(json(get("/schemas/ids/" + id + "/versions"))).hasToString("[{\"subject\":\"customers-value\",\"version\":1}]");
    assertThat(json(get("/schemas/ids/" + id + "/subjects"))).hasToString("[\"customers-value\"]");
    assertThat(json(get("/mode")).path("mode").asText()).isEqualTo("READWRITE");
    assertThat(json(get("/config/customers-value?defaultToGlobal=true")).path("compatibilityLevel").asText())
        .isEqualTo("BACKWARD");
    HttpResponse<String> version = get("/subjects/customers-value/versions/1");
    assertThat(version.headers().firstValue("Content-Type")).contains("application/vnd.schemaregistry.v1+json");
    assertThat(json(version).fieldNames()).toIterable().containsExactlyInAnyOrder("subject", "version", "id", "schema");
  }

  @Test
  void subjectNamesWithSpecialCharactersRoundTrip() {
    String subject = "legacy.public/orders+v1 key";
    int id = client.register(subject, avro(V1));

    assertThat(client.subjects()).containsExactly(subject);
    assertThat(client.latest(subject).id()).isEqualTo(id);
  }

  private SchemaRegistryClient newClient() {
    return registry.newClient();
  }

  private HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(URI.create(registry.url() + path)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private JsonNode json(HttpResponse<String> response) throws IOException {
    return json.readTree(response.body());
  }
}
