package io.tandem.registry.serde;

import io.tandem.core.config.ConfigException;
import io.tandem.core.config.ConfigValues;
import io.tandem.core.retry.RetryPolicy;
import io.tandem.registry.client.SchemaRegistryClient;
import java.time.Duration;
import java.util.Map;
import org.apache.avro.Schema;

/**
 * Serde settings, read from Kafka client configs with Confluent's key names where Confluent has
 * one, so existing client configurations work unchanged.
 */
public record AvroSerdeConfig(
    SchemaRegistryClient client,
    boolean autoRegister,
    boolean useLatestVersion,
    SubjectNameStrategy keySubjectStrategy,
    SubjectNameStrategy valueSubjectStrategy,
    Schema readerSchema,
    boolean logicalTypes) {

  public static final String URL = "schema.registry.url";
  public static final String CREDENTIALS_SOURCE = "basic.auth.credentials.source";
  public static final String USER_INFO = "basic.auth.user.info";
  public static final String BEARER_SOURCE = "bearer.auth.credentials.source";
  public static final String BEARER_TOKEN = "bearer.auth.token";
  public static final String AUTO_REGISTER = "auto.register.schemas";
  public static final String USE_LATEST_VERSION = "use.latest.version";
  public static final String KEY_STRATEGY = "key.subject.name.strategy";
  public static final String VALUE_STRATEGY = "value.subject.name.strategy";
  public static final String LOGICAL_TYPES = "avro.use.logical.type.converters";
  public static final String READER_SCHEMA = "tandem.avro.reader.schema";
  public static final String MAX_ATTEMPTS = "tandem.schema.registry.max.attempts";
  public static final String REQUEST_TIMEOUT_MS = "tandem.schema.registry.request.timeout.ms";

  /** Reads and validates settings; {@code source} names where they came from in errors. */
  public static AvroSerdeConfig from(String source, Map<String, ?> configs) {
    ConfigValues values = new ConfigValues(source, configs);
    SchemaRegistryClient.Builder client = SchemaRegistryClient.builder(values.httpUrls(URL))
        .retry(new RetryPolicy(values.intInRange(MAX_ATTEMPTS, 5, 1, 100), Duration.ofMillis(100), Duration.ofSeconds(2)))
        .requestTimeout(values.millis(REQUEST_TIMEOUT_MS, Duration.ofSeconds(30)));
    if (values.has(USER_INFO) || values.has(CREDENTIALS_SOURCE)) {
      String credentialsSource = values.string(CREDENTIALS_SOURCE, "USER_INFO");
      if (!credentialsSource.equalsIgnoreCase("USER_INFO")) {
        throw new ConfigException(source, CREDENTIALS_SOURCE, "USER_INFO (the only supported source)", credentialsSource);
      }
      String userInfo = values.requiredString(USER_INFO, "'user:password'");
      int colon = userInfo.indexOf(':');
      if (colon <= 0) {
        throw new ConfigException(source, USER_INFO, "'user:password'", "(hidden: no ':' separator)");
      }
      client.basicAuth(userInfo.substring(0, colon), userInfo.substring(colon + 1));
    }
    if (values.has(BEARER_TOKEN)) {
      String bearerSource = values.string(BEARER_SOURCE, "STATIC_TOKEN");
      if (!bearerSource.equalsIgnoreCase("STATIC_TOKEN")) {
        throw new ConfigException(source, BEARER_SOURCE, "STATIC_TOKEN (the only supported source)", bearerSource);
      }
      client.bearerToken(values.string(BEARER_TOKEN, null));
    }
    return new AvroSerdeConfig(client.build(),
        values.bool(AUTO_REGISTER, true),
        values.bool(USE_LATEST_VERSION, false),
        strategy(values, KEY_STRATEGY),
        strategy(values, VALUE_STRATEGY),
        readerSchema(values),
        values.bool(LOGICAL_TYPES, false));
  }

  /** Settings for a serde that shares an existing client. */
  public static AvroSerdeConfig withClient(SchemaRegistryClient client) {
    return new AvroSerdeConfig(client, true, false, SubjectNameStrategy.TOPIC_NAME, SubjectNameStrategy.TOPIC_NAME, null, false);
  }

  public AvroSerdeConfig withReaderSchema(Schema schema) {
    return new AvroSerdeConfig(client, autoRegister, useLatestVersion, keySubjectStrategy, valueSubjectStrategy, schema, logicalTypes);
  }

  public AvroSerdeConfig withAutoRegister(boolean enabled) {
    return new AvroSerdeConfig(client, enabled, useLatestVersion, keySubjectStrategy, valueSubjectStrategy, readerSchema, logicalTypes);
  }

  /** With auto-register off: frame with the subject's latest id (needed for schemas with references). */
  public AvroSerdeConfig withUseLatestVersion(boolean enabled) {
    return new AvroSerdeConfig(client, autoRegister, enabled, keySubjectStrategy, valueSubjectStrategy, readerSchema, logicalTypes);
  }

  public AvroSerdeConfig withLogicalTypes(boolean enabled) {
    return new AvroSerdeConfig(client, autoRegister, useLatestVersion, keySubjectStrategy, valueSubjectStrategy, readerSchema, enabled);
  }

  SubjectNameStrategy strategy(boolean isKey) {
    return isKey ? keySubjectStrategy : valueSubjectStrategy;
  }

  private static SubjectNameStrategy strategy(ConfigValues values, String key) {
    if (!values.has(key)) {
      return SubjectNameStrategy.TOPIC_NAME;
    }
    String raw = values.string(key, null);
    return SubjectNameStrategy.parse(raw).orElseThrow(() -> new ConfigException(values.source(), key,
        "TopicNameStrategy, RecordNameStrategy or TopicRecordNameStrategy", raw));
  }

  private static Schema readerSchema(ConfigValues values) {
    if (!values.has(READER_SCHEMA)) {
      return null;
    }
    String raw = values.string(READER_SCHEMA, null);
    try {
      return new Schema.Parser().parse(raw);
    } catch (RuntimeException e) {
      throw new ConfigException(values.source(), READER_SCHEMA, "an Avro schema in JSON (" + e.getMessage() + ")", raw);
    }
  }
}
