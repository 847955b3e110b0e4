package io.pinbff.sandbox;

import java.time.Instant;

/**
 * One request that reached the Solaris sandbox; {@code path} is Solaris' own path, without the
 * {@code /sandbox/solaris} prefix (e.g. {@code /v1/cards/…/pin_update_requests}).
 */
public record Call(String method, String path, Instant at) {

    @Override
    public String toString() {
        return method + " " + path;
    }
}
