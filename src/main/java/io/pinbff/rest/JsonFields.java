package io.pinbff.rest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.pinbff.error.ApiException;
import io.pinbff.error.ApiException.FieldError;
import io.pinbff.error.ErrorCode;
import java.util.ArrayList;
import java.util.List;

/**
 * Strict reading of a request body: a JSON object, strings only where strings belong (no
 * coercion of numbers, booleans or null), bounded sizes, field names as on the wire in every
 * error. Unknown fields are ignored. Written by hand rather than bound to records because the
 * contract fixes the error codes, their order and their field names exactly.
 */
final class JsonFields {

    static final int MAX_BODY_BYTES = 64 * 1024;

    private static final ObjectMapper STRICT = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    static {
        STRICT.getFactory().setStreamReadConstraints(
                StreamReadConstraints.builder().maxNestingDepth(16).maxStringLength(MAX_BODY_BYTES).build());
    }

    private final JsonNode body;
    private final List<FieldError> errors = new ArrayList<>();

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

    /** A required string of {@code min..max} characters; printable ASCII only when asked. */
    String required(String field, int min, int max, boolean printableAscii) {
        JsonNode value = body.get(field);
        if (value == null) {
            errors.add(new FieldError(field, field + " is required."));
            return null;
        }
        return check(field, value, min, max, printableAscii);
    }

    /** An optional string: absent is fine, but when present it must be a string within bounds. */
    String optional(String field, int min, int max, boolean printableAscii) {
        JsonNode value = body.get(field);
        return value == null ? null : check(field, value, min, max, printableAscii);
    }

    boolean has(String field) {
        return body.has(field);
    }

    /** Throws 400 {@code invalid_request} listing every field error found so far. */
    void done() {
        if (!errors.isEmpty()) {
            throw ApiException.invalid(ErrorCode.INVALID_REQUEST, errors);
        }
    }

    private String check(String field, JsonNode value, int min, int max, boolean printableAscii) {
        if (!value.isTextual()) {
            errors.add(new FieldError(field, field + " must be a string."));
            return null;
        }
        String text = value.asText();
        if (text.length() < min || text.length() > max) {
            errors.add(new FieldError(field, min == max ? field + " must be " + min + " characters."
                    : field + " must be " + min + " to " + max + " characters."));
            return null;
        }
        if (printableAscii && !isPrintableAscii(text)) {
            errors.add(new FieldError(field, field + " must be printable ASCII."));
            return null;
        }
        return text;
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
