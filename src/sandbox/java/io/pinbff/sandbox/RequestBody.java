package io.pinbff.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A JSON request body read the way Solaris validates it: an object whose fields must be strings
 * (no coercion of numbers, arrays or null). Failures are {@code invalid_request} (400).
 */
final class RequestBody {

    private final JsonNode root;

    private RequestBody(JsonNode root) {
        this.root = root;
    }

    static RequestBody parse(ObjectMapper mapper, String raw) {
        JsonNode root;
        try {
            root = raw == null || raw.isBlank() ? null : mapper.readTree(raw);
        } catch (Exception e) {
            root = null;
        }
        if (root == null || !root.isObject()) {
            throw SolarisError.invalidRequest("The request body must be a JSON object");
        }
        return new RequestBody(root);
    }

    /** A required, non-empty string field. */
    String required(String field) {
        String value = optional(field);
        if (value == null || value.isEmpty()) {
            throw SolarisError.invalidRequest(field + " is missing or empty");
        }
        return value;
    }

    /** A string field that may be absent; present with another JSON type is still invalid. */
    String optional(String field) {
        JsonNode node = root.get(field);
        if (node == null || node.isMissingNode()) {
            return null;
        }
        if (!node.isTextual()) {
            throw SolarisError.invalidRequest(field + " must be a string");
        }
        return node.textValue();
    }

    boolean has(String field) {
        return root.hasNonNull(field);
    }
}
