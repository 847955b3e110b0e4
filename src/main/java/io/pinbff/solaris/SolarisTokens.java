package io.pinbff.solaris;

import io.quarkus.oidc.client.OidcClient;
import io.quarkus.oidc.client.Tokens;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The Solaris access token (OAuth2 client credentials through the Quarkus OIDC client). Cached
 * until shortly before it expires; one fetch at a time however many requests need a token, and a
 * token Solaris refused is dropped so the next call fetches a new one.
 *
 * <p>Why not a client filter ({@code quarkus-rest-client-oidc-filter}, the alternative while Solaris
 * was called through the REST client): its
 * {@code refresh-on-unauthorized} only marks the cached token for refresh when Solaris answers 401
 * ({@code DetectUnauthorizedClientResponseFilter}); the 401 still reaches the caller and only the
 * next request carries a new token. The guarantee here is "401 → one fresh token, one repeat" of the
 * same call, inside that call's attempt timeout and breaker, writes included (Solaris did not act).
 * The repeat would stay in the gateway anyway, and behind the filter the gateway could no longer
 * tell which token a call carried: it could neither drop only the refused token (a burst of 401s
 * on a revoked token costs one fetch here, not one per request) nor know that a fresh token was
 * refused too (then Solaris is failing, and the breaker counts it).
 */
@ApplicationScoped
class SolarisTokens {

    private static final Duration EXPIRY_SKEW = Duration.ofSeconds(30);
    private static final Duration FETCH_TIMEOUT = Duration.ofSeconds(5);

    private final OidcClient client;
    private final ReentrantLock lock = new ReentrantLock();
    private volatile Held held;

    private record Held(String bearer, Instant refreshAt) {}

    SolarisTokens(OidcClient client) {
        this.client = client;
    }

    String bearer() {
        Held current = held;
        if (current != null && Instant.now().isBefore(current.refreshAt())) {
            return current.bearer();
        }
        lock.lock();
        try {
            current = held;
            if (current != null && Instant.now().isBefore(current.refreshAt())) {
                return current.bearer();
            }
            held = fetch();
            return held.bearer();
        } finally {
            lock.unlock();
        }
    }

    /** Forget {@code bearer} if it is still the cached one (Solaris answered 401 to it). */
    void refused(String bearer) {
        lock.lock();
        try {
            if (held != null && held.bearer().equals(bearer)) {
                held = null;
            }
        } finally {
            lock.unlock();
        }
    }

    private Held fetch() {
        Tokens tokens;
        try {
            tokens = client.getTokens().await().atMost(FETCH_TIMEOUT);
        } catch (RuntimeException e) {
            // The message of an OIDC client failure can quote the token endpoint's answer: keep only the type.
            throw new UpstreamFailure("Solaris token fetch failed: " + e.getClass().getSimpleName());
        }
        if (tokens == null || tokens.getAccessToken() == null) {
            throw new UpstreamFailure("Solaris token endpoint gave no access token");
        }
        Long expiresAt = tokens.getAccessTokenExpiresAt();
        Instant refreshAt = expiresAt == null
                ? Instant.now().plus(Duration.ofMinutes(5))
                : Instant.ofEpochSecond(expiresAt).minus(EXPIRY_SKEW);
        return new Held("Bearer " + tokens.getAccessToken(), refreshAt);
    }
}
