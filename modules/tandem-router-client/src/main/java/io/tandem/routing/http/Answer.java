package io.tandem.routing.http;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A typed answer and the JSON document it was read from: the document for showing the router's answer
 * as it was sent (with any field this client does not know), the value for everything else.
 */
public record Answer<T>(T value, JsonNode json) {
}
