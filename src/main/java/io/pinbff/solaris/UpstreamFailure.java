package io.pinbff.solaris;

/**
 * Solaris failed in a way that says nothing about the request itself: a 5xx, a reset, a malformed
 * answer, a refused token. The circuit breaker counts these; safe calls retry on them.
 */
class UpstreamFailure extends RuntimeException {
    UpstreamFailure(String message, Throwable cause) {
        super(message, cause, false, false);
    }

    UpstreamFailure(String message) {
        this(message, null);
    }
}
