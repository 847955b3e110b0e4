package io.pinbff.rest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.pinbff.error.ApiException;
import io.pinbff.error.ErrorCode;

/**
 * Strict reading of a request body: at most 64 KiB (413), UTF-8, exactly one JSON object, duplicate
 * names refused, nesting ≤ 16 — else 400 {@code invalid_request}, never quoting the input. The fields
 * are then read into records by {@link RequestBodies}.
 */
final class JsonFields {

    /** Also enforced at the door (ops.RequestSizeLimits); kept here for bodies read by other means. */
    static final int MAX_BODY_BYTES = io.pinbff.ops.RequestSizeLimits.MAX_BODY_BYTES;

    private static final ObjectMapper STRICT = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    static {
        STRICT.getFactory().setStreamReadConstraints(
                StreamReadConstraints.builder().maxNestingDepth(16).maxStringLength(MAX_BODY_BYTES).build());
    }

    private final JsonNode body;

    private JsonFields(JsonNode body) {
        this.body = body;
    }

    static JsonFields parse(byte[] raw) {
        if (raw == null || raw.length == 0) {
            throw ApiException.of(ErrorCode.INVALID_REQUEST, "A JSON object body is required.");
        }
        if (raw.length > MAX_BODY_BYTES) {
            throw ApiException.of(ErrorCode.PAYLOAD_TOO_LARGE, "The body must be at most 64 KiB.");
        }
        JsonNode node;
        try {
            node = STRICT.readTree(raw);
        } catch (Exception e) {
            // Never echo the parser's message: it quotes the input, which may be PIN material.
            throw ApiException.of(ErrorCode.INVALID_REQUEST, "The body is not valid JSON (UTF-8).");
        }
        if (node == null || !node.isObject()) {
            throw ApiException.of(ErrorCode.INVALID_REQUEST, "The body must be a JSON object.");
        }
        return new JsonFields(node);
    }

    /** The field's value as sent ({@code null} when absent; a JSON {@code null} is a node). */
    JsonNode get(String field) {
        return body.get(field);
    }

    boolean has(String field) {
        return body.has(field);
    }

    static boolean isPrintableAscii(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                return false;
            }
        }
        return true;
    }
}
