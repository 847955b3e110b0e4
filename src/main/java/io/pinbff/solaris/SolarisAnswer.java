package io.pinbff.solaris;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;

/**
 * A non-5xx answer from Solaris: the status and the parsed body (a MissingNode when there was
 * none). 4xx answers are not failures of Solaris; callers decide what they mean.
 */
public record SolarisAnswer(int status, JsonNode body) {

    public boolean ok() {
        return status >= 200 && status < 300;
    }

    /** Solaris' error {@code code} ({@code errors[0].code}), or null when it gave none. */
    public String errorCode() {
        return errorCode(body, null);
    }

    /**
     * {@code errors[0].code} of a Solaris error body, given as JSON or as a string holding JSON (as
     * {@code response_body} of a confirm answer may be); null when there is none. Never more than
     * 64 printable characters of it, since the code is passed on to apps.
     */
    public static String errorCode(JsonNode errorBody, com.fasterxml.jackson.databind.ObjectMapper json) {
        JsonNode node = errorBody;
        if (node != null && node.isTextual() && json != null) {
            try {
                node = json.readTree(node.textValue());
            } catch (Exception e) {
                return null;
            }
        }
        JsonNode code = node == null ? null : node.path("errors").path(0).path("code");
        if (code == null || !code.isTextual()) {
            return null;
        }
        String value = code.asText();
        return value.length() <= 64 && value.chars().allMatch(c -> c > 0x20 && c < 0x7f) ? value : null;
    }

    public String text(String field) {
        JsonNode node = body.path(field);
        return node.isTextual() ? node.asText() : null;
    }

    static SolarisAnswer empty(int status) {
        return new SolarisAnswer(status, MissingNode.getInstance());
    }
}
