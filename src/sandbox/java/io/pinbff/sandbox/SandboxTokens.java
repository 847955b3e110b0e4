package io.pinbff.sandbox;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** Opaque OAuth access tokens the sandbox issued, with their expiry. Thread-safe. */
final class SandboxTokens {

    private final Map<String, Instant> expiries = new ConcurrentHashMap<>();
    private final AtomicInteger issued = new AtomicInteger();

    String issue(long ttlSeconds) {
        String token = SandboxCrypto.randomBase64Url(32);
        expiries.put(token, Instant.now().plusSeconds(ttlSeconds));
        issued.incrementAndGet();
        return token;
    }

    boolean valid(String token) {
        Instant expiry = token == null ? null : expiries.get(token);
        return expiry != null && Instant.now().isBefore(expiry);
    }

    void expireAll() {
        expiries.replaceAll((token, expiry) -> Instant.EPOCH);
    }

    int issued() {
        return issued.get();
    }

    void clear() {
        expiries.clear();
        issued.set(0);
    }
}
