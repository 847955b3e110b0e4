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
        JsonNode code = body.path("errors").path(0).path("code");
        return code.isTextual() ? code.asText() : null;
    }

    public String text(String field) {
        JsonNode node = body.path(field);
        return node.isTextual() ? node.asText() : null;
    }

    static SolarisAnswer empty(int status) {
        return new SolarisAnswer(status, MissingNode.getInstance());
    }
}
