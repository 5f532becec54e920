package io.tandem.sink;

import io.tandem.core.config.ConfigDefinition;
import io.tandem.core.config.ConfigSection;
import io.tandem.core.config.Secrets;
import io.tandem.core.config.Section;
import io.tandem.core.config.Setting;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/** The {@code target} section: the new database the sink writes (and migrates at start). */
public record TargetSettings(String jdbcUrl, String user, String password) {

  public static final Section SECTION = Section.of("target", "required with `sink` and `verify`",
      "The new database the sink writes (and migrates at start).");
  public static final Setting<String> JDBC_URL = Setting.requiredText("target.jdbcUrl",
      "string: `jdbc:postgresql://host[:port]/database[?...]`", "PostgreSQL JDBC URL of the new database.")
      .requiring(TargetSettings::validUrl, "a PostgreSQL JDBC URL: jdbc:postgresql://host[:port]/database[?parameters]");
  public static final Setting<String> USER = Setting.requiredText("target.user", "string", "Database user.")
      .requiring(u -> !u.isBlank(), "a database user");
  public static final Setting<String> PASSWORD = Setting.optionalText("target.password", "string (secret)", "empty",
      "Database password. Masked in logs and messages.");

  public static final List<ConfigDefinition> DEFINITIONS = List.of(SECTION, JDBC_URL, USER, PASSWORD);

  public TargetSettings {
    JDBC_URL.check(jdbcUrl);
    USER.check(user);
    password = password == null ? "" : password;
  }

  /** Reads the {@code target} section; empty when absent (the sink and the verifier need it). */
  public static Optional<TargetSettings> read(ConfigSection root) {
    ConfigSection section = root.section(SECTION);
    if (!section.present()) {
      return Optional.empty();
    }
    return Optional.of(new TargetSettings(section.get(JDBC_URL), section.get(USER), section.get(PASSWORD)));
  }

  private static boolean validUrl(String url) {
    try {
      return url.startsWith("jdbc:postgresql:") && org.postgresql.Driver.parseURL(url, new Properties()) != null;
    } catch (RuntimeException e) {
      return false;
    }
  }

  @Override
  public String toString() {
    return "Target[jdbcUrl=" + Secrets.maskUrl(jdbcUrl) + ", user=" + user + ", password=" + Secrets.MASK + "]";
  }
}
