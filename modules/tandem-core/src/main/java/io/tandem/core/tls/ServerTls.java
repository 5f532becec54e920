package io.tandem.core.tls;

import io.tandem.core.config.ConfigDefinition;
import io.tandem.core.config.ConfigException;
import io.tandem.core.config.ConfigSection;
import io.tandem.core.config.Section;
import io.tandem.core.config.Setting;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * The key material of a listener that serves HTTPS (the router, the metrics and health endpoints): a PKCS12 or JKS
 * keystore whose password comes from an environment variable, or a PEM certificate chain with its unencrypted
 * PKCS#8 private key. It is loaded, and so checked, when the configuration is read; it never prints a password.
 */
public final class ServerTls {
  private final String description;
  private final KeyManagerFactory keyManagers;

  private ServerTls(String description, KeyManagerFactory keyManagers) {
    this.description = description;
    this.keyManagers = keyManagers;
  }

  /** A keystore file (PKCS12 or JKS, detected) whose store and key password is {@code password}. */
  public static ServerTls keystore(Path file, char[] password) throws IOException, GeneralSecurityException {
    Objects.requireNonNull(password, "password");
    KeyStore store = KeyStore.getInstance(file.toFile(), password);
    return new ServerTls("keystore " + file, keyManagers(store, password));
  }

  /** A PEM certificate chain (the server's certificate first) and its PEM private key (PKCS#8, unencrypted). */
  public static ServerTls pem(Path certificateChain, Path privateKey) throws IOException, GeneralSecurityException {
    List<? extends Certificate> chain;
    try (InputStream in = Files.newInputStream(certificateChain)) {
      chain = List.copyOf(CertificateFactory.getInstance("X.509").generateCertificates(in));
    }
    if (chain.isEmpty()) {
      throw new GeneralSecurityException("no certificate in " + certificateChain);
    }
    PrivateKey key = privateKey(Files.readString(privateKey, StandardCharsets.US_ASCII), chain.get(0));
    char[] password = new char[16];
    SecureRandom random = new SecureRandom();
    for (int i = 0; i < password.length; i++) {
      password[i] = (char) ('a' + random.nextInt(26));
    }
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    store.setKeyEntry("server", key, password, chain.toArray(Certificate[]::new));
    return new ServerTls("PEM " + certificateChain + " + " + privateKey, keyManagers(store, password));
  }

  private static KeyManagerFactory keyManagers(KeyStore store, char[] password) throws GeneralSecurityException {
    KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    factory.init(store, password);
    if (factory.getKeyManagers().length == 0) {
      throw new GeneralSecurityException("no key managers");
    }
    return factory;
  }

  private static PrivateKey privateKey(String pem, Certificate certificate) throws GeneralSecurityException {
    String begin = "-----BEGIN PRIVATE KEY-----";
    String end = "-----END PRIVATE KEY-----";
    int from = pem.indexOf(begin);
    int to = pem.indexOf(end);
    if (from < 0 || to < from) {
      throw new GeneralSecurityException("expected an unencrypted PKCS#8 key (-----BEGIN PRIVATE KEY-----); "
          + "convert one with: openssl pkcs8 -topk8 -nocrypt -in key.pem -out key-pkcs8.pem");
    }
    byte[] der;
    try {
      der = Base64.getMimeDecoder().decode(pem.substring(from + begin.length(), to));
    } catch (IllegalArgumentException e) {
      throw new GeneralSecurityException("the private key is not valid base64");
    }
    String algorithm = certificate.getPublicKey().getAlgorithm();
    return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
  }

  /** For Vert.x ({@code KeyCertOptions.wrap}) and {@link #sslContext()}. */
  public KeyManagerFactory keyManagerFactory() {
    return keyManagers;
  }

  /** A TLS server context with these keys (for the JDK's {@code HttpsServer}). */
  public SSLContext sslContext() {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keyManagers.getKeyManagers(), null, null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot build a TLS context: " + e.getMessage(), e);
    }
  }

  /** Where the keys came from; never a password. */
  @Override
  public String toString() {
    return "TLS(" + description + ")";
  }

  /**
   * The {@code tls} section of one listener ({@code router.tls}, {@code metrics.tls}): its keys, defined once here
   * for every listener, and the reader.
   */
  public static final class Keys {
    public final Section section;
    public final Setting<String> keystore;
    public final Setting<String> keystorePasswordEnv;
    public final Setting<String> certificate;
    public final Setting<String> privateKey;

    private Keys(String listener, String what, String defaultPasswordVariable) {
      String path = listener + ".tls";
      section = Section.of(path, "optional (absent or empty: plain HTTP)",
          "Serve " + what + " over HTTPS: either `keystore` (with its password in the environment variable "
              + "`keystorePasswordEnv`) or `certificate` + `privateKey` (PEM). Blank values count as absent, so "
              + "`${VAR:-}` placeholders switch TLS on per deployment. Plain HTTP to a TLS port fails.");
      keystore = Setting.optionalText(path + ".keystore", "path", "—",
          "PKCS12 or JKS keystore holding the server's key and certificate chain (type detected); relative paths "
              + "resolve against the config file's folder.").trimmed();
      keystorePasswordEnv = Setting.text(path + ".keystorePasswordEnv", defaultPasswordVariable,
          "Name of the environment variable holding the keystore's password (store and key); the password itself "
              + "is never written in the file.").trimmed()
          .requiring(v -> v.matches("[A-Za-z_][A-Za-z0-9_]*"), "an environment variable name");
      certificate = Setting.optionalText(path + ".certificate", "path", "—",
          "PEM certificate chain, the server's certificate first (instead of `keystore`).").trimmed();
      privateKey = Setting.optionalText(path + ".privateKey", "path", "—",
          "PEM private key of `certificate`: unencrypted PKCS#8 (`-----BEGIN PRIVATE KEY-----`; convert with "
              + "`openssl pkcs8 -topk8 -nocrypt`). Keep the file readable by Tandem's user only.").trimmed();
    }

    /**
     * @param listener the listener's section, e.g. {@code router}
     * @param what what is served, for the docs ("the router's API and proxy")
     * @param defaultPasswordVariable the default of {@code keystorePasswordEnv}
     */
    public static Keys under(String listener, String what, String defaultPasswordVariable) {
      return new Keys(listener, what, defaultPasswordVariable);
    }

    public List<ConfigDefinition> definitions() {
      return List.of(section, keystore, keystorePasswordEnv, certificate, privateKey);
    }

    /** Reads and loads the listener's TLS keys; empty when the section is absent or names no key material. */
    public Optional<ServerTls> read(ConfigSection listener) {
      ConfigSection tls = listener.section(section);
      String store = blankToNull(tls.get(keystore));
      String cert = blankToNull(tls.get(certificate));
      String key = blankToNull(tls.get(privateKey));
      if (store == null && cert == null && key == null) {
        return Optional.empty();
      }
      if (store != null && (cert != null || key != null)) {
        throw tls.error(tls.child("certificate"), "either keystore or certificate + privateKey, not both", cert);
      }
      if (store == null && (cert == null || key == null)) {
        String missing = cert == null ? "certificate" : "privateKey";
        throw new ConfigException(tls.source(), tls.child(missing), "a PEM file (certificate and privateKey go "
            + "together)", null);
      }
      try {
        if (store != null) {
          String variable = tls.get(keystorePasswordEnv);
          String password = tls.resolve(tls.child("keystorePasswordEnv"), "${" + variable + "}");
          Path file = tls.base().resolve(store).normalize();
          return Optional.of(ServerTls.keystore(file, password.toCharArray()));
        }
        return Optional.of(ServerTls.pem(tls.base().resolve(cert).normalize(), tls.base().resolve(key).normalize()));
      } catch (IOException | GeneralSecurityException e) {
        String at = tls.child(store != null ? "keystore" : "certificate");
        throw new ConfigException(tls.source(), at, store != null ? "a readable PKCS12 or JKS keystore that opens "
            + "with the password in $" + tls.get(keystorePasswordEnv) : "a readable PEM certificate chain and "
            + "its PKCS#8 private key", "(" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
      }
    }

    private static String blankToNull(String value) {
      return value == null || value.isBlank() ? null : value;
    }
  }
}
