package io.pinbff.error;

/**
 * The contract's stable error codes (the {@code Problem} schema and responses of openapi/pin-bff.yaml,
 * and the README's Errors section), with their HTTP status and title.
 */
public enum ErrorCode {
    UNAUTHORIZED(401, "Unauthorized"),
    FORBIDDEN(403, "Forbidden"),
    INVALID_REQUEST(400, "Invalid request"),
    INVALID_ENCRYPTED_PIN(400, "Invalid encrypted PIN"),
    INVALID_SIGNATURE(400, "Invalid signature"),
    PIN_KEY_OUTDATED(409, "PIN key outdated"),
    CARD_NOT_FOUND(404, "Card not found"),
    CARD_NOT_ACTIVE(409, "Card not active"),
    ENCRYPTED_PIN_REUSED(409, "Encrypted PIN reused"),
    IDEMPOTENCY_KEY_REUSED(422, "Idempotency key reused"),
    CHANGE_REQUEST_PENDING(409, "Change request pending"),
    CHANGE_REQUEST_NOT_FOUND(404, "Change request not found"),
    CHANGE_REQUEST_CLOSED(409, "Change request closed"),
    CONFIRMATION_FAILED(422, "Confirmation failed"),
    PIN_CHANGE_REJECTED(422, "PIN change rejected"),
    TOO_MANY_ATTEMPTS(429, "Too many attempts"),
    /** More than the allowed open event streams for one user on one instance. */
    TOO_MANY_STREAMS(429, "Too many streams"),
    UPSTREAM_TIMEOUT(504, "Upstream timeout"),
    UPSTREAM_UNAVAILABLE(503, "Upstream unavailable"),
    /** A request with the same Idempotency-Key is still running (it did not finish while we waited). */
    REQUEST_IN_PROGRESS(409, "Request in progress"),
    /** A Solaris webhook without a valid Solaris-Webhook-Signature. */
    INVALID_WEBHOOK_SIGNATURE(401, "Invalid webhook signature"),
    // Generic HTTP-level problems (routing, negotiation), documented in the OpenAPI file.
    NOT_FOUND(404, "Not found"),
    METHOD_NOT_ALLOWED(405, "Method not allowed"),
    NOT_ACCEPTABLE(406, "Not acceptable"),
    UNSUPPORTED_MEDIA_TYPE(415, "Unsupported media type"),
    PAYLOAD_TOO_LARGE(413, "Payload too large"),
    /** Request headers over 16 KiB; on the wire {@code invalid_request} like an oversized body. */
    HEADERS_TOO_LARGE(431, "Request header fields too large"),
    INTERNAL_ERROR(500, "Internal error");

    private final int status;
    private final String title;

    ErrorCode(int status, String title) {
        this.status = status;
        this.title = title;
    }

    public int status() {
        return status;
    }

    public String title() {
        return title;
    }

    /** The wire value: {@code invalid_request}. A body or headers over the limit are {@code invalid_request} too. */
    public String code() {
        return this == PAYLOAD_TOO_LARGE || this == HEADERS_TOO_LARGE ? "invalid_request"
                : name().toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * The problem+json body of this code, the same fields rest.Problems writes, for answers given at
     * the door of the HTTP server before any resource runs. {@code detail} is a constant of ours
     * (no quotes or backslashes): nothing of the request is ever put into it.
     */
    public String problemJson(String detail) {
        return "{\"type\":\"urn:pinbff:problem:" + code() + "\",\"title\":\"" + title + "\",\"status\":" + status
                + ",\"detail\":\"" + detail + "\",\"code\":\"" + code() + "\"}";
    }
}
