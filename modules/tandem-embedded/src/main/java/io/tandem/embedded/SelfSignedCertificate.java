package io.tandem.embedded;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A self-signed server certificate for {@code localhost} / {@code 127.0.0.1}, made by the JDK's {@code keytool}, for
 * tests and local TLS: as a PKCS12 keystore, as PEM files (certificate, PKCS#8 key), and a client context that
 * trusts exactly it.
 *
 * @param keystore PKCS12, alias {@code server}, store and key password {@code password}
 */
public record SelfSignedCertificate(Path keystore, String password, Path certificatePem, Path privateKeyPem) {

  /** Generates one into {@code folder} (EC P-256, valid 2 days). */
  public static SelfSignedCertificate create(Path folder, String password) throws IOException, InterruptedException,
      GeneralSecurityException {
    Path keystore = folder.resolve("server.p12");
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    Process process = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "server", "-keyalg", "EC",
        "-groupname", "secp256r1", "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1",
        "-validity", "2", "-storetype", "PKCS12", "-keystore", keystore.toString(), "-storepass", password,
        "-keypass", password).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IOException("keytool failed: " + output);
    }
    KeyStore store = KeyStore.getInstance(keystore.toFile(), password.toCharArray());
    Certificate certificate = store.getCertificate("server");
    Key key = store.getKey("server", password.toCharArray());
    Path certificatePem = folder.resolve("server.crt.pem");
    Path privateKeyPem = folder.resolve("server.key.pem");
    Files.writeString(certificatePem, pem("CERTIFICATE", certificate.getEncoded()));
    Files.writeString(privateKeyPem, pem("PRIVATE KEY", key.getEncoded()));
    return new SelfSignedCertificate(keystore, password, certificatePem, privateKeyPem);
  }

  /** A client TLS context that trusts this certificate (and nothing else). */
  public SSLContext clientContext() throws IOException, GeneralSecurityException {
    KeyStore store = KeyStore.getInstance(keystore.toFile(), password.toCharArray());
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("server", store.getCertificate("server"));
    TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init(trust);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, factory.getTrustManagers(), null);
    return context;
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }
}
