package io.tandem.app.cohort;

import io.tandem.app.DurationConverter;
import io.tandem.core.config.Secrets;
import io.tandem.routing.http.RouterHttpClient;
import java.net.URI;
import java.time.Duration;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** Where the router's operator API is and how to talk to it: the options every cohort command takes. */
public final class RouterOptions {

  @Option(names = "--url", defaultValue = "${env:TANDEM_ROUTER_URL:-http://127.0.0.1:8088}", paramLabel = "URL",
      description = "Router operator API (default: $TANDEM_ROUTER_URL, else http://127.0.0.1:8088).")
  String url;

  // No ${DEFAULT-VALUE} in the description: the default is the secret itself.
  @Option(names = "--token", defaultValue = "${env:TANDEM_ROUTER_TOKEN}", paramLabel = "TOKEN",
      description = "Bearer token (default: $TANDEM_ROUTER_TOKEN; prefer the variable, arguments show in ps). "
          + "Never printed.")
  String token;

  @Option(names = "--timeout", defaultValue = "10s", converter = DurationConverter.class, paramLabel = "DURATION",
      description = "Give up on connecting or waiting for an answer after this long (default: 10s).")
  Duration timeout;

  @Option(names = "--json", description = "Print the router's JSON answer (one line) instead of tables.")
  boolean json;

  /** A client for these options; a malformed {@code --url} or {@code --timeout} is a usage error. */
  RouterHttpClient client(CommandLine commandLine) {
    URI base;
    try {
      base = new URI(url.trim());
    } catch (java.net.URISyntaxException e) {
      base = null;
    }
    if (base == null || base.getHost() == null
        || !("http".equalsIgnoreCase(base.getScheme()) || "https".equalsIgnoreCase(base.getScheme()))) {
      throw new CommandLine.ParameterException(commandLine,
          "--url must be an http(s) URL such as http://127.0.0.1:8088, was '" + Secrets.maskUrl(url) + "'");
    }
    if (timeout.isNegative() || timeout.isZero()) {
      throw new CommandLine.ParameterException(commandLine, "--timeout must be positive, was " + timeout);
    }
    return RouterHttpClient.builder(base).token(token).timeout(timeout).build();
  }
}
