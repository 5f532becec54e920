package io.tandem.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SecretsTest {

  @ParameterizedTest
  @ValueSource(strings = {"PGPASS", "LEGACY_DB_PASSWORD", "db_pwd", "API_KEY", "SSLKEY", "AUTH_HEADER", "OAuthThing",
      "CLIENT_SECRET", "GITHUB_TOKEN", "Kafka_Credentials", "MyPassPhrase"})
  void environmentNamesThatHoldSecrets(String name) {
    assertThat(Secrets.isSecretName(name)).isTrue();
    assertThat(Secrets.maskedEnv(Map.of(name, "hunter2"))).containsEntry(name, Secrets.MASK);
    assertThat(Secrets.isSecretPath("legacy.env." + name)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"LEGACY_DB_HOST", "LEGACY_DB_PORT", "LEGACY_DB_NAME", "LEGACY_DB_USER", "TZ"})
  void environmentNamesThatDoNot(String name) {
    assertThat(Secrets.isSecretName(name)).isFalse();
    assertThat(Secrets.isSecretPath("legacy.env." + name)).isFalse();
  }

  @Test
  void configKeysKeepTheNarrowerRule() {
    // 'key' alone marks an environment name, not a configuration key: router.proxy[].key is a routing key.
    assertThat(Secrets.isSecretPath("router.proxy[0].key")).isFalse();
    assertThat(Secrets.isSecretPath("registry.password")).isTrue();
    assertThat(Secrets.isSecret("sasl.jaas.config")).isTrue();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "postgres://u:p@ss@host/db|postgres://******@host/db",
      "postgres://u:p@ss@host:5432/db?sslmode=require|postgres://******@host:5432/db?sslmode=require",
      "http://user:pw@127.0.0.1:8088|http://******@127.0.0.1:8088",
      "http://user:p/w@host/x|http://******@host/x",
      "jdbc:postgresql://h/db?user=a&password=s3cret|jdbc:postgresql://h/db?user=a&password=******",
      "http://host:8081/subjects|http://host:8081/subjects",
      "urls=[http://a:b@h1, https://c:d@e@h2/p]|urls=[http://******@h1, https://******@h2/p]",
      "http://a:b@h1,http://c:d@h2|http://******@h1,http://******@h2",
      "see http://x/?mail=a@b.c|see http://x/?mail=a@b.c"})
  void urlUserInfoIsMaskedUpToTheLastAt(String url, String masked) {
    assertThat(Secrets.maskUrl(url)).isEqualTo(masked);
  }

  @Test
  void maskedMapsMaskUrlsInOrdinaryValuesToo() {
    assertThat(Secrets.masked(Map.of("database.url", "postgres://u:p@ss@h/db", "database.password", "x")))
        .containsEntry("database.url", "postgres://******@h/db").containsEntry("database.password", Secrets.MASK);
    assertThat(Secrets.maskedEnv(Map.of("LEGACY_URL", "postgres://u:p@ss@h/db")))
        .containsEntry("LEGACY_URL", "postgres://******@h/db");
  }
}
