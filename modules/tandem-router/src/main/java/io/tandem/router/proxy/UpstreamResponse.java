package io.tandem.router.proxy;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;

/** An upstream's complete answer, buffered (shadow comparison and fallback need all of it). */
record UpstreamResponse(int status, MultiMap headers, Buffer body) {

  boolean isServerError() {
    return status >= 500;
  }

  String contentType() {
    String type = headers.get("Content-Type");
    return type == null ? "" : type;
  }
}
