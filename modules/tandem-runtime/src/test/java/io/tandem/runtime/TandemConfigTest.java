package io.tandem.runtime;

import static io.tandem.runtime.Repo.ROOT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tandem.capture.LegacySettings;
import io.tandem.kafka.KafkaSettings;
import io.tandem.registry.RegistrySettings;
import io.tandem.sink.SinkSettings;
import io.tandem.sink.TargetSettings;
import io.tandem.transform.TransformSettings;
import io.tandem.verify.VerifySettings;
import io.tandem.core.config.ConfigException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TandemConfigTest {
  static final String MINIMAL = """
      kafka:
        bootstrapServers: kafka-1:9092,kafka-2:9092
      registry:
        url: http://registry:8081
      target:
        jdbcUrl: jdbc:postgresql://db:5432/shop_new
        user: tandem
      """;

  @TempDir
  Path dir;

  private Path write(String yaml) throws IOException {
    Path file = dir.resolve("tandem.yaml");
    Files.writeString(file, yaml);
    return file;
  }

  private TandemConfig load(String yaml) throws IOException {
    return TandemConfig.load(write(yaml), Map.of());
  }

  private AbstractThrowableAssert<?, ? extends Throwable> failsWith(String yaml, Map<String, String> env, String key)
      throws IOException {
    Path file = write(yaml);
    return assertThatThrownBy(() -> TandemConfig.load(file, env))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(file + ": key '" + key + "': expected ")
        .satisfies(e -> assertThat(((ConfigException) e).key()).isEqualTo(key));
  }

  private AbstractThrowableAssert<?, ? extends Throwable> failsWith(String yaml, String key) throws IOException {
    return failsWith(yaml, Map.of(), key);
  }

  @Test
  void loadsTheExampleConfigWithItsPlaceholdersResolved() {
    Map<String, String> env = new HashMap<>();
    env.put("KAFKA_BOOTSTRAP_SERVERS", "broker-1:9092,broker-2:9093");
    env.put("SCHEMA_REGISTRY_URL", "https://registry.internal:8081");
    env.put("LEGACY_DB_HOST", "legacy-db");
    env.put("LEGACY_DB_PASSWORD", "legacy-s3cret");
    env.put("TARGET_DB_HOST", "new-db");
    env.put("TARGET_DB_PORT", "");               // empty: the default applies
    env.put("TARGET_DB_PASSWORD", "target-s3cret");

    TandemConfig config = TandemConfig.load(ROOT.resolve("tandem.example.yaml"), env);

    assertThat(config.kafka().bootstrapServers()).isEqualTo("broker-1:9092,broker-2:9093");
    assertThat(config.kafka().partitions()).isEqualTo(6);
    assertThat(config.kafka().properties()).containsExactly(Map.entry("security.protocol", "PLAINTEXT"));
    assertThat(config.registry().orElseThrow().urls()).containsExactly(URI.create("https://registry.internal:8081"));
    assertThat(config.registry().orElseThrow().embedded()).isEmpty();
    assertThat(config.registry().orElseThrow().basicAuth()).isEmpty();
    assertThat(config.legacy().connector()).isEqualTo(ROOT.resolve("connectors/legacy-postgres.properties"));
    assertThat(config.legacy().env()).containsEntry("LEGACY_DB_HOST", "legacy-db")
        .containsEntry("LEGACY_DB_PORT", "5432")
        .containsEntry("LEGACY_DB_PASSWORD", "legacy-s3cret")
        .containsEntry("TANDEM_OFFSET_REPLICATION_FACTOR", "3");
    assertThat(config.legacy().topicPrefix()).isEmpty();
    assertThat(config.target()).contains(new TargetSettings("jdbc:postgresql://new-db:5432/shop_new", "tandem",
        "target-s3cret"));
    assertThat(config.schemas().dir()).isEqualTo(ROOT.resolve("schemas"));
    assertThat(config.transform()).isEqualTo(new TransformSettings("tandem-transform", 2, Path.of("/tmp/tandem-streams")));
    assertThat(config.sink()).isEqualTo(new SinkSettings("tandem-sink", 2000, java.time.Duration.ofDays(7)));
    assertThat(config.metrics()).isEqualTo(new MetricsSettings("0.0.0.0", 9404));
    // Every file the components need is there.
    config.requireFor(ComponentName.ALL);
  }

  @Test
  void instanceIdDefaultsToTheHostNameAndNoneTurnsStaticMembershipOff() throws IOException {
    TandemConfig byDefault = load(MINIMAL);
    String host = KafkaSettings.hostInstanceId();
    assertThat(byDefault.kafka().instanceId()).as("the host name, if it is a usable id")
        .isEqualTo(host.equals(KafkaSettings.NO_INSTANCE_ID) ? java.util.Optional.empty() : java.util.Optional.of(host));
    assertThat(byDefault.kafka().clients().instanceId()).isEqualTo(byDefault.kafka().instanceId());

    String withId = MINIMAL.replace("kafka:\n", "kafka:\n  instanceId: sink-0\n");
    assertThat(load(withId).kafka().clients().instanceId()).contains("sink-0");
    assertThat(load(MINIMAL.replace("kafka:\n", "kafka:\n  instanceId: none\n")).kafka().clients().instanceId())
        .isEmpty();
    failsWith(MINIMAL.replace("kafka:\n", "kafka:\n  instanceId: \"two words\"\n"), "kafka.instanceId")
        .hasMessageContaining("letters, digits");
  }

  @Test
  void appliesTheDocumentedDefaults() throws IOException {
    TandemConfig config = load(MINIMAL);

    assertThat(config.kafka().partitions()).isEqualTo(Integer.parseInt(Integer.toString(KafkaSettings.PARTITIONS.defaultValue())));
    assertThat(config.kafka().properties()).isEmpty();
    assertThat(config.legacy().connector()).isEqualTo(dir.resolve("connectors/legacy-postgres.properties"));
    assertThat(config.legacy().env()).isEmpty();
    assertThat(config.target().orElseThrow().password()).isEmpty();
    assertThat(config.schemas().dir()).isEqualTo(dir.resolve("schemas"));
    assertThat(config.transform()).isEqualTo(new TransformSettings("tandem-transform", 1,
        Path.of(System.getProperty("java.io.tmpdir"), "tandem-streams")));
    assertThat(config.sink()).isEqualTo(new SinkSettings("tandem-sink", 2000, java.time.Duration.ofDays(7)));
    assertThat(config.metrics()).isEqualTo(new MetricsSettings("127.0.0.1", 9404));
  }

  @Test
  void resolvesRelativePathsAgainstTheConfigFilesFolderAndKeepsAbsoluteOnes() throws IOException {
    TandemConfig config = load(MINIMAL + """
        legacy:
          connector: ../elsewhere/legacy.properties
        schemas:
          dir: /opt/tandem/schemas
        transform:
          stateDir: state
        """);

    assertThat(config.legacy().connector()).isEqualTo(dir.getParent().resolve("elsewhere/legacy.properties"));
    assertThat(config.schemas().dir()).isEqualTo(Path.of("/opt/tandem/schemas"));
    assertThat(config.transform().stateDir()).isEqualTo(dir.resolve("state"));
  }

  @Test
  void embeddedRegistryAsFlagOrSection() throws IOException {
    String base = MINIMAL.replace("  url: http://registry:8081\n", "");
    TandemConfig flag = load(base.replace("registry:\n", "registry:\n  embedded: true\n"));
    assertThat(flag.registry().orElseThrow().embedded()).contains(new RegistrySettings.Embedded("127.0.0.1", 8081, "_schemas"));
    assertThat(flag.registry().orElseThrow().urls()).isEmpty();

    TandemConfig section = load(base.replace("registry:\n", """
        registry:
          embedded: { port: 0, topic: tandem_schemas, host: 0.0.0.0 }
          user: tandem
          password: "0123"
        """));
    assertThat(section.registry().orElseThrow().embedded()).contains(new RegistrySettings.Embedded("0.0.0.0", 0, "tandem_schemas"));
    assertThat(section.registry().orElseThrow().basicAuth()).contains(new RegistrySettings.BasicAuth("tandem", "0123"));
  }

  @Test
  void anEmbeddedRegistryBeyondLoopbackNeedsBasicAuth() throws IOException {
    String base = MINIMAL.replace("  url: http://registry:8081\n", "");
    failsWith(base.replace("registry:\n", "registry:\n  embedded: { host: 0.0.0.0 }\n"), "registry.user")
        .hasMessageContaining("registry.user and registry.password").hasMessageContaining("beyond loopback");
    assertThat(load(base.replace("registry:\n", "registry:\n  embedded: { host: localhost }\n")).registry()
        .orElseThrow().basicAuth()).isEmpty();
  }

  @Test
  void resolvesPlaceholdersWithDefaultsFromTheEnvironment() throws IOException {
    TandemConfig config = TandemConfig.load(write(MINIMAL.replace("kafka-1:9092,kafka-2:9092", "${BROKERS}") + """
        metrics:
          port: ${METRICS_PORT:-9500}
          host: ${METRICS_HOST:-127.0.0.1}
        """), Map.of("BROKERS", "k:9092", "METRICS_HOST", ""));

    assertThat(config.kafka().bootstrapServers()).isEqualTo("k:9092");
    assertThat(config.metrics()).isEqualTo(new MetricsSettings("127.0.0.1", 9500));
  }

  // ---- errors: file, key path, expectation ----

  @Test
  void missingRequiredKey() throws IOException {
    failsWith(MINIMAL.replace("  jdbcUrl: jdbc:postgresql://db:5432/shop_new\n", ""), "target.jdbcUrl")
        .hasMessageContaining("expected a value: string: `jdbc:postgresql://host[:port]/database[?...]`, got nothing");
    failsWith(MINIMAL.replace("  bootstrapServers: kafka-1:9092,kafka-2:9092\n", "  partitions: 3\n"),
        "kafka.bootstrapServers").hasMessageContaining("got nothing");
    failsWith(MINIMAL.replace("kafka:\n  bootstrapServers: kafka-1:9092,kafka-2:9092\n", ""), "kafka")
        .hasMessageContaining("expected a section with bootstrapServers");
    // The registry is needed by the pipeline's components, not by a router replica sharing the file.
    TandemConfig noRegistry = load(MINIMAL.replace("registry:\n  url: http://registry:8081\n", ""));
    assertThat(noRegistry.registry()).isEmpty();
    assertThatThrownBy(() -> noRegistry.requireFor(Set.of(ComponentName.SINK))).isInstanceOf(ConfigException.class)
        .hasMessageContaining("key 'registry': expected a section with 'url' (an external registry) or 'embedded: true'");
    failsWith(MINIMAL.replace("  url: http://registry:8081\n", "  user: someone\n  password: x\n"), "registry.url")
        .hasMessageContaining("expected 'url' (an external registry) or 'embedded: true'");
    failsWith(MINIMAL.replace("  url: http://registry:8081\n", "  url: http://registry:8081\n  user: someone\n"),
        "registry.password").hasMessageContaining("expected a password (registry.user is set)");
  }

  @Test
  void unknownKeysAreErrorsWithASuggestion() throws IOException {
    failsWith(MINIMAL.replace("jdbcUrl:", "jdbcURL:"), "target.jdbcURL")
        .hasMessageContaining("expected one of the keys [jdbcUrl, user, password] of 'target' (did you mean 'jdbcUrl'?)")
        .hasMessageEndingWith("got 'an unknown key'");
    failsWith(MINIMAL + "sinks:\n  groupId: x\n", "sinks").hasMessageContaining("(did you mean 'sink'?)");
    failsWith(MINIMAL.replace("registry:\n  url: http://registry:8081\n", "registry:\n  embedded: { prot: 1 }\n"),
        "registry.embedded.prot").hasMessageContaining("(did you mean 'port'?)");
    failsWith(MINIMAL + "metrics:\n  pasword: x\n", "metrics.pasword");
  }

  @Test
  void wrongTypes() throws IOException {
    failsWith(MINIMAL + "sink:\n  maxPollRecords: lots\n", "sink.maxPollRecords")
        .hasMessageEndingWith("expected an integer from 1 to 100000, got 'lots'");
    failsWith(MINIMAL + "sink:\n  maxPollRecords: 0\n", "sink.maxPollRecords");
    failsWith(MINIMAL + "transform:\n  threads: 1.5\n", "transform.threads");
    failsWith(MINIMAL + "metrics:\n  port: 70000\n", "metrics.port")
        .hasMessageEndingWith("expected an integer from 0 to 65535, got '70000'");
    failsWith(MINIMAL + "metrics:\n  host: [a, b]\n", "metrics.host").hasMessageEndingWith("got 'a list'");
    failsWith(MINIMAL + "transform: yes please\n", "transform")
        .hasMessageContaining("expected a section (a map) with the keys [applicationId, threads, stateDir]");
    failsWith(MINIMAL.replace("  url: http://registry:8081\n", "  embedded: 5\n"), "registry.embedded")
        .hasMessageContaining("expected true, false or a section with the keys [host, port, topic]");
    failsWith(MINIMAL + "kafka:\n  partitions: 3\n", "(file)").hasMessageContaining("duplicate key 'kafka'");
    failsWith(MINIMAL.replace("bootstrapServers: kafka-1:9092,kafka-2:9092", "bootstrapServers: kafka-1"),
        "kafka.bootstrapServers").hasMessageEndingWith(
            "expected host:port[,host:port...] with ports from 1 to 65535, got 'kafka-1'");
    failsWith(MINIMAL + "legacy:\n  env:\n    LEGACY_DB_HOST: { nested: true }\n", "legacy.env.LEGACY_DB_HOST");
    failsWith(MINIMAL + "transform:\n  applicationId: tandem transform\n", "transform.applicationId");
  }

  @Test
  void badUrls() throws IOException {
    failsWith(MINIMAL.replace("http://registry:8081", "ftp://registry:8081"), "registry.url")
        .hasMessageEndingWith("expected one or more http(s)://host[:port][/path] URLs, comma-separated, got 'ftp://registry:8081'");
    failsWith(MINIMAL.replace("http://registry:8081", "http://a:8081, registry b"), "registry.url");
    failsWith(MINIMAL.replace("jdbc:postgresql://db:5432/shop_new", "postgres://db:5432/shop_new"), "target.jdbcUrl")
        .hasMessageContaining("expected a PostgreSQL JDBC URL: jdbc:postgresql://host[:port]/database[?parameters]");
    failsWith(MINIMAL.replace("jdbc:postgresql://db:5432/shop_new", "jdbc:postgresql://db:99999999/shop_new"),
        "target.jdbcUrl");
    failsWith(MINIMAL.replace("jdbc:postgresql://db:5432/shop_new", "jdbc:mysql://db/shop_new?password=hunter2"),
        "target.jdbcUrl").hasMessageNotContaining("hunter2").hasMessageContaining("password=******");
  }

  @Test
  void unsetEnvironmentPlaceholderNamesTheVariable() throws IOException {
    failsWith(MINIMAL + "  password: ${TARGET_DB_PASSWORD}\n", Map.of("OTHER", "x"), "target.password")
        .hasMessageEndingWith("expected environment variable TARGET_DB_PASSWORD to be set (placeholder "
            + "${TARGET_DB_PASSWORD}), got nothing");
    failsWith(MINIMAL + "legacy:\n  env:\n    LEGACY_DB_HOST: ${LEGACY_HOST}\n", "legacy.env.LEGACY_DB_HOST")
        .hasMessageContaining("LEGACY_HOST to be set");
    failsWith(MINIMAL + "metrics:\n  host: ${HOST\n", "metrics.host").hasMessageEndingWith("got 'an unterminated '${''");
    failsWith(MINIMAL + "metrics:\n  host: ${1HOST}\n", "metrics.host");
  }

  @Test
  void refusesSettingsTandemOwns() throws IOException {
    failsWith(MINIMAL + "legacy:\n  env:\n    KAFKA_BOOTSTRAP_SERVERS: other:9092\n", "legacy.env.KAFKA_BOOTSTRAP_SERVERS")
        .hasMessageContaining("Tandem sets it from kafka.bootstrapServers");
    failsWith(MINIMAL.replace("kafka-2:9092\n", "kafka-2:9092\n  properties:\n    enable.auto.commit: true\n"),
        "kafka.properties.enable.auto.commit");
    failsWith(MINIMAL.replace("kafka-2:9092\n", "kafka-2:9092\n  properties:\n    bootstrap.servers: x:1\n"),
        "kafka.properties.bootstrap.servers").hasMessageContaining("use kafka.bootstrapServers");
    failsWith(MINIMAL.replace("  url: http://registry:8081\n", "  url: http://registry:8081\n  embedded: true\n"),
        "registry.url").hasMessageContaining("not both");
  }

  @Test
  void mergeSourcesAreNamedCheckedAndResolvedAgainstTheFilesFolder() throws IOException {
    TandemConfig config = load(MINIMAL + "merge:\n  sources:\n    shop_b:\n      connector: c/b.properties\n"
        + "      env:\n        LEGACY_DB_NAME: shop_b\n        LEGACY_DB_PASSWORD: s3cret\n");
    MergeSettings.Source shopB = config.merge().source("shop_b").orElseThrow();
    assertThat(shopB.connector()).isEqualTo(dir.resolve("c/b.properties").toAbsolutePath().normalize());
    assertThat(shopB.env()).containsEntry("LEGACY_DB_NAME", "shop_b");
    assertThat(config.toString()).contains("shop_b").doesNotContain("s3cret");
    failsWith(MINIMAL + "merge:\n  sources:\n    legacy:\n      connector: x\n", "merge.sources.legacy");
    failsWith(MINIMAL + "merge:\n  sources:\n    shop_b:\n      env: {}\n", "merge.sources.shop_b.connector");
    failsWith(MINIMAL + "merge:\n  sources:\n    shop_b:\n      connector: x\n      slot: y\n",
        "merge.sources.shop_b.slot");
    failsWith(MINIMAL + "merge:\n  sources:\n    shop_b:\n      connector: x\n      env:\n"
        + "        KAFKA_BOOTSTRAP_SERVERS: y:1\n", "merge.sources.shop_b.env.KAFKA_BOOTSTRAP_SERVERS");
    Path file = write(MINIMAL + "merge:\n  sources:\n    shop_b:\n      connector: missing.properties\n");
    assertThatThrownBy(() -> TandemConfig.load(file, Map.of()).requireFor(java.util.Set.of(ComponentName.CAPTURE)))
        .isInstanceOf(ConfigException.class).hasMessageContaining("merge.sources.shop_b.connector");
  }

  @Test
  void secretsAreNeverEchoedInErrors() throws IOException {
    failsWith(MINIMAL + "  password: 12345678\n", "target.password")
        .hasMessageEndingWith("expected a quoted string, got '(hidden)'").hasMessageNotContaining("12345678");
    failsWith(MINIMAL.replace("kafka-2:9092\n", "kafka-2:9092\n  properties:\n    sasl.jaas.config: [s3cret]\n"),
        "kafka.properties.sasl.jaas.config").hasMessageNotContaining("s3cret");
    failsWith(MINIMAL + "  password: \"s3cret${\"\n", "target.password").hasMessageNotContaining("s3cret");
    // A YAML syntax error names the place, not the line's text.
    failsWith(MINIMAL + "  password: \"s3cret\n  other: x\n", "(file)")
        .hasMessageContaining("expected valid YAML").hasMessageContaining("line ").hasMessageNotContaining("s3cret");
  }

  @Test
  void toStringAndTheEffectiveConfigMaskSecrets() throws IOException {
    TandemConfig config = TandemConfig.load(write("""
        kafka:
          bootstrapServers: k:9092
          properties:
            sasl.jaas.config: org.apache.kafka.common.security.scram.ScramLoginModule required username="u" password="kafka-s3cret";
            ssl.truststore.location: /etc/truststore.jks
        registry:
          url: https://reg-user:registry-url-s3cret@registry:8081
          user: tandem
          password: registry-s3cret
        legacy:
          env:
            LEGACY_DB_PASSWORD: ${LEGACY_PW}
            LEGACY_DB_HOST: legacy
            PGPASS: "pgpass-s3cret"
            DB_PWD: "pwd-s3cret"
            API_KEY: "key-s3cret"
            X_AUTH: "auth-s3cret"
            LEGACY_URL: "postgres://u:p@ss-s3cret@legacy/db"
        target:
          jdbcUrl: jdbc:postgresql://db/shop_new?password=url-s3cret&ssl=true
          user: tandem
          password: target-s3cret
        verify:
          legacyReplicaUrl: jdbc:postgresql://replica-user:replica@s3cret@replica/shop
        """), Map.of("LEGACY_PW", "legacy-s3cret"));

    for (String shown : List.of(config.toString(), config.masked(), config.target().orElseThrow().toString(),
        config.registry().orElseThrow().toString(), config.kafka().toString(), config.legacy().toString(),
        config.verify().toString())) {
      assertThat(shown).doesNotContain("s3cret");
    }
    assertThat(config.masked())
        .contains("password=******")
        .contains("sasl.jaas.config=******")
        .contains("LEGACY_DB_PASSWORD=******")
        .contains("LEGACY_DB_HOST=legacy")
        .contains("PGPASS=******").contains("DB_PWD=******").contains("API_KEY=******").contains("X_AUTH=******")
        .contains("LEGACY_URL=postgres://******@legacy/db")
        .contains("jdbc:postgresql://******@replica/shop")
        .contains("ssl.truststore.location=/etc/truststore.jks")
        .contains("jdbc:postgresql://db/shop_new?password=******&ssl=true")
        .contains("https://******@registry:8081");
    // The values themselves are intact.
    assertThat(config.target().orElseThrow().password()).isEqualTo("target-s3cret");
    assertThat(config.legacy().env()).containsEntry("LEGACY_DB_PASSWORD", "legacy-s3cret");
  }

  @Test
  void checkForNamesWhatTheComponentsNeed() throws IOException {
    Path file = write(MINIMAL.replace("target:\n  jdbcUrl: jdbc:postgresql://db:5432/shop_new\n  user: tandem\n", ""));
    TandemConfig noTarget = TandemConfig.load(file, Map.of());
    assertThatThrownBy(() -> noTarget.requireFor(Set.of(ComponentName.SINK)))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(file + ": key 'target': expected a section with jdbcUrl, user and password");
    assertThatThrownBy(() -> noTarget.requireFor(Set.of(ComponentName.CAPTURE)))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(file + ": key 'schemas.dir': expected a folder holding mappings/");

    Files.writeString(file, MINIMAL + "schemas:\n  dir: " + ROOT.resolve("schemas") + "\n");
    TandemConfig config = TandemConfig.load(file, Map.of());
    config.requireFor(Set.of(ComponentName.SINK)); // the sink does not read the connector file
    assertThatThrownBy(() -> config.requireFor(Set.of(ComponentName.TRANSFORM)))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(file + ": key 'legacy.connector': expected a readable connector properties file")
        .hasMessageContaining("or set legacy.topicPrefix");
    Files.writeString(file, MINIMAL + "schemas:\n  dir: " + ROOT.resolve("schemas") + "\nlegacy:\n  topicPrefix: legacy.shop\n");
    TandemConfig withPrefix = TandemConfig.load(file, Map.of());
    withPrefix.requireFor(Set.of(ComponentName.TRANSFORM, ComponentName.SINK));
    assertThatThrownBy(() -> withPrefix.requireFor(Set.of(ComponentName.CAPTURE)))
        .hasMessageContaining("key 'legacy.connector'");
  }

  @Test
  void legacyEnvironmentLayersConfigOverProcessEnvironment() throws IOException {
    TandemConfig config = load(MINIMAL + "legacy:\n  env:\n    LEGACY_DB_HOST: from-config\n");

    Map<String, String> env = config.legacyEnvironment(Map.of("LEGACY_DB_HOST", "from-process", "LEGACY_DB_USER", "u",
        "KAFKA_BOOTSTRAP_SERVERS", "stale:9092"));

    assertThat(env).containsEntry("LEGACY_DB_HOST", "from-config")
        .containsEntry("LEGACY_DB_USER", "u")
        .containsEntry("KAFKA_BOOTSTRAP_SERVERS", "kafka-1:9092,kafka-2:9092");
  }

  @Test
  void badFiles() throws IOException {
    Path missing = dir.resolve("nope.yaml");
    assertThatThrownBy(() -> TandemConfig.load(missing, Map.of()))
        .hasMessage(missing + ": key '(file)': expected a readable YAML file, got 'no such file'");
    failsWith("", "(file)").hasMessageContaining("got 'an empty file'");
    failsWith("- a\n- b\n", "(file)").hasMessageContaining("expected a YAML map with the sections [kafka, registry,");
  }

  @Test
  void componentsFromTheCommandLine() {
    assertThat(ComponentName.parseList("command line", "--components", "capture,transform,sink")).isEqualTo(ComponentName.STAGES);
    assertThat(ComponentName.parseList("command line", "--components", " Sink , transform,sink"))
        .containsExactly(ComponentName.TRANSFORM, ComponentName.SINK);
    for (String bad : new String[] {"captur", "", "capture,,sink", "capture;sink", "all"}) {
      assertThatThrownBy(() -> ComponentName.parseList("command line", "--components", bad))
          .isInstanceOf(ConfigException.class)
          .hasMessage("command line: key '--components': expected a comma-separated, non-empty subset of capture, "
              + "transform, sink, verify, reverse (e.g. transform,sink), got '" + bad + "'");
    }
    assertThat(ComponentName.parseList("command line", "--components", "verify")).containsExactly(ComponentName.VERIFY);
  }

  @Test
  void theVerifySectionHasDefaultsAndIsChecked() throws IOException {
    VerifySettings defaults = load(MINIMAL).verify();
    assertThat(defaults).isEqualTo(new VerifySettings(10_000, 0, java.util.Optional.empty(),
        java.time.Duration.ofSeconds(2), 5, java.time.Duration.ofMinutes(10), "tandem.status", "tandem.routing",
        java.util.List.of("tandem.dlq.transform", "tandem.dlq.sink")));
    VerifySettings set = load(MINIMAL + """
        verify:
          chunkSize: 500
          legacyRowsPerSecond: 20000
          legacyReplicaUrl: jdbc:postgresql://replica:5432/shop
          recheckDelayMs: 500
          deadLetterTopics: dlq.a, dlq.b
        """).verify();
    assertThat(set.chunkSize()).isEqualTo(500);
    assertThat(set.legacyRowsPerSecond()).isEqualTo(20_000);
    assertThat(set.legacyReplicaUrl()).contains("jdbc:postgresql://replica:5432/shop");
    assertThat(set.recheckDelay()).isEqualTo(java.time.Duration.ofMillis(500));
    assertThat(set.deadLetterTopics()).containsExactly("dlq.a", "dlq.b");
    failsWith(MINIMAL + "verify:\n  chunkSize: 10\n", "verify.chunkSize")
        .hasMessageContaining("expected an integer from 100 to 1000000, got '10'");
    failsWith(MINIMAL + "verify:\n  legacyReplicaUrl: mysql://x\n", "verify.legacyReplicaUrl")
        .hasMessageContaining("a JDBC URL of the legacy database's kind");
    failsWith(MINIMAL + "verify:\n  recheckDelay: 2s\n", "verify.recheckDelay");
  }

  @Test
  void tombstoneRetentionIsInHoursAndZeroKeepsThemForever() throws IOException {
    assertThat(load(MINIMAL + "sink:\n  tombstoneRetentionHours: 0\n").sink().tombstoneRetention())
        .isEqualTo(java.time.Duration.ZERO);
    assertThat(load(MINIMAL + "sink:\n  tombstoneRetentionHours: 720\n").sink().tombstoneRetention())
        .isEqualTo(java.time.Duration.ofDays(30));
    failsWith(MINIMAL + "sink:\n  tombstoneRetentionHours: -1\n", "sink.tombstoneRetentionHours")
        .hasMessageContaining("expected an integer from 0 to 87600, got '-1'");
  }
}
