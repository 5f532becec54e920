package io.tandem.router.proxy;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;

/** What is sent upstream: the caller's method, path and query (raw, as received), headers and body. */
record ForwardedRequest(HttpMethod method, String pathAndQuery, MultiMap headers, Buffer body) {

  ForwardedRequest asShadow() {
    MultiMap marked = MultiMap.caseInsensitiveMultiMap().addAll(headers).set(Headers.SHADOW, "true");
    return new ForwardedRequest(method, pathAndQuery, marked, body);
  }
}
