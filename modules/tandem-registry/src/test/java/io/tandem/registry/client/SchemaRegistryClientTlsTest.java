package io.tandem.registry.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tandem.core.retry.RetryPolicy;
import io.tandem.registry.RegistryException;
import io.tandem.registry.server.EmbeddedSchemaRegistry;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.avro.Schema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HTTPS: a self-signed registry is trusted through a given SSLContext or the JVM's javax.net.ssl settings. */
class SchemaRegistryClientTlsTest {
  private static final char[] PASSWORD = "changeit".toCharArray();
  private static final Schema SCHEMA = new Schema.Parser().parse(
      "{\"type\":\"record\",\"name\":\"R\",\"fields\":[{\"name\":\"a\",\"type\":\"int\"}]}");

  @TempDir
  static Path dir;
  static Path keyStore;
  static EmbeddedSchemaRegistry registry;

  @BeforeAll
  static void startTlsRegistry() throws Exception {
    keyStore = dir.resolve("registry.p12");
    Process keytool = new ProcessBuilder(javaTool("keytool"), "-genkeypair", "-alias", "registry", "-keyalg", "RSA",
        "-keysize", "2048", "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1", "-validity", "2",
        "-storetype", "PKCS12", "-keystore", keyStore.toString(), "-storepass", "changeit", "-keypass", "changeit")
        .redirectErrorStream(true).start();
    String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).as("keytool finished: %s", output).isTrue();
    assertThat(keytool.exitValue()).as("keytool: %s", output).isZero();

    KeyStore store = load(keyStore);
    KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keys.init(store, PASSWORD);
    SSLContext server = SSLContext.getInstance("TLS");
    server.init(keys.getKeyManagers(), null, null);
    registry = EmbeddedSchemaRegistry.builder().inMemoryStorageForTests().tls(server).start();
  }

  @AfterAll
  static void stop() {
    registry.close();
  }

  @Test
  void talksHttpsWithAGivenTrustContext() throws Exception {
    TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(load(keyStore));
    SSLContext client = SSLContext.getInstance("TLS");
    client.init(null, trust.getTrustManagers(), null);

    assertThat(registry.url().getScheme()).isEqualTo("https");
    assertThat(SchemaRegistryClient.builder(registry.url()).sslContext(client).build().register("tls-value", SCHEMA))
        .isPositive();
  }

  @Test
  void refusesAnUntrustedCertificateWithTheReason() {
    SchemaRegistryClient client = SchemaRegistryClient.builder(registry.url()).retry(RetryPolicy.none()).build();

    assertThatThrownBy(client::subjects).isInstanceOfSatisfying(RegistryException.class,
        e -> assertThat(e.getMessage()).contains("unreachable").containsIgnoringCase("certif"));
  }

  @Test
  void trustsThroughTheStandardJvmTrustStoreProperties() throws Exception {
    Process probe = new ProcessBuilder(javaTool("java"),
        "-Djavax.net.ssl.trustStore=" + keyStore, "-Djavax.net.ssl.trustStorePassword=changeit",
        "-Djavax.net.ssl.trustStoreType=PKCS12",
        "-cp", System.getProperty("java.class.path"), TlsProbe.class.getName(), registry.url().toString())
        .redirectErrorStream(true).start();
    String output = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

    assertThat(probe.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(probe.exitValue()).as(output).isZero();
    assertThat(output).contains("subjects=");
  }

  /** Runs in a child JVM so that the JVM-wide trust settings apply from its start. */
  public static final class TlsProbe {
    public static void main(String[] args) {
      List<String> subjects = SchemaRegistryClient.builder(java.net.URI.create(args[0])).retry(RetryPolicy.none())
          .build().subjects();
      System.out.println("subjects=" + subjects);
    }
  }

  private static KeyStore load(Path path) throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(path)) {
      store.load(in, PASSWORD);
    }
    return store;
  }

  private static String javaTool(String name) {
    return Path.of(System.getProperty("java.home"), "bin", name).toString();
  }
}
