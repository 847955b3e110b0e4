package io.pinbff.auth;

import io.micrometer.core.instrument.MeterRegistry;
import io.pinbff.config.PinBffConfig;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.jwt.auth.principal.ParseException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwk.RsaJsonWebKey;

/**
 * The identity provider's signing keys, by key ID. Fetched at start (in the background, retried until
 * one JWKS is held; readiness waits for it) and refreshed every {@code pinbff.auth.jwks-refresh-every},
 * so retired keys stop being accepted. A token naming a key ID we do not hold makes this fetch again,
 * but never more than once per {@code pinbff.auth.min-jwks-refresh-interval} and one fetch at a time:
 * concurrent callers wait (bounded by {@code pinbff.auth.max-key-wait}) for the one fetch in flight.
 * A key ID is called unknown (401) only on the word of a fetch made after the token arrived; while the
 * rate limit or an unreachable identity provider stops us from asking, the answer is "try again"
 * (503 + Retry-After), never a 401 the app would take for a bad token.
 *
 * Written by hand because SmallRye JWT's forced refresh is counted in whole minutes and cannot say
 * "wait for the fetch in flight"; tokens are verified against the keys held here, so SmallRye never
 * fetches a JWKS itself.
 */
@ApplicationScoped
public class IdpKeys {

    private static final Logger LOG = Logger.getLogger(IdpKeys.class);

    /** The key ID could not be checked with the identity provider just now: 503, not 401. */
    public static final class Unavailable extends ParseException {
        private final long retryAfterSeconds;

        Unavailable(String message, long retryAfterSeconds) {
            super(message);
            this.retryAfterSeconds = Math.max(1, retryAfterSeconds);
        }

        public long retryAfterSeconds() {
            return retryAfterSeconds;
        }
    }

    private record Held(Map<String, PublicKey> keys, Instant fetchedAt) {}

    private record Fetch(Instant startedAt, CompletableFuture<Boolean> done) {}

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final URI jwks;
    private final PinBffConfig.Auth config;
    private final AtomicInteger fetches = new AtomicInteger();
    private volatile Held held;
    private Fetch last; // guarded by this

    IdpKeys(@ConfigProperty(name = "auth.jwks-url") String jwksUrl, PinBffConfig config, MeterRegistry meters) {
        this.jwks = URI.create(jwksUrl);
        this.config = config.auth();
        meters.gauge("pinbff_idp_jwks_fetches", fetches);
    }

    void onStart(@Observes StartupEvent event) {
        Thread.ofVirtual().name("idp-jwks-initial-fetch").start(this::backgroundCheck);
    }

    /** Fetches while no JWKS is held (at the rate limit), and refreshes a held one when it is old. */
    @Scheduled(every = "${pinbff.auth.jwks-check-every:2s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void backgroundCheck() {
        Held current = held;
        if (current == null || current.fetchedAt().plus(config.jwksRefreshEvery()).isBefore(Instant.now())) {
            // Until one JWKS is held nothing waits on the rate limit: no token caused these fetches.
            Fetch fetch = startOrJoin(current == null);
            if (fetch != null) {
                fetch.done().join();
            }
        }
    }

    /** When the last successful fetch was made; empty until one was. */
    public Optional<Instant> fetchedAt() {
        Held h = held;
        return h == null ? Optional.empty() : Optional.of(h.fetchedAt());
    }

    public int keyCount() {
        Held h = held;
        return h == null ? 0 : h.keys().size();
    }

    /**
     * The key {@code kid} names. Throws {@link ParseException} (401) when a fetch made after the token
     * arrived does not publish it, {@link Unavailable} (503) when that could not be found out in time.
     */
    public PublicKey key(String kid, Supplier<Instant> tokenIssuedAt) throws ParseException {
        PublicKey key = lookup(kid);
        if (key != null) {
            return key;
        }
        Instant arrived = Instant.now();
        long deadline = System.nanoTime() + config.maxKeyWait().toNanos();
        while (true) {
            Fetch fetch = startOrJoin(false);
            if (fetch == null) {
                // Another request's fetch may have finished since we looked: look again, and judge the
                // token against that same snapshot (a newer one must not make an older miss a 401).
                Held snapshot = held;
                key = snapshot == null ? null : snapshot.keys().get(kid);
                if (key != null) {
                    return key;
                }
                Duration untilAllowed = untilNextFetchAllowed();
                Instant issuedAt = tokenIssuedAt.get();
                if (issuedAt != null && snapshot != null && issuedAt.plusSeconds(5).isBefore(snapshot.fetchedAt())) {
                    // The token existed when we last fetched, and its key was not published then.
                    throw new ParseException("The token's key is not published by the identity provider.");
                }
                if (System.nanoTime() + untilAllowed.toNanos() > deadline) {
                    throw new Unavailable("The identity provider's keys cannot be checked right now.",
                            untilAllowed.toSeconds() + 1);
                }
                sleep(untilAllowed);
                continue;
            }
            boolean ok = await(fetch, deadline);
            key = lookup(kid);
            if (key != null) {
                return key;
            }
            if (!ok) {
                throw new Unavailable("The identity provider's keys cannot be fetched right now.", 1);
            }
            if (!fetch.startedAt().isBefore(arrived)) {
                throw new ParseException("The token's key is not published by the identity provider.");
            }
            // That fetch began before this token arrived: ask once more if the rate limit allows.
        }
    }

    private PublicKey lookup(String kid) {
        Held h = held;
        return h == null ? null : h.keys().get(kid);
    }

    /** The fetch in flight, or a new one when the rate limit allows; null when neither. */
    private synchronized Fetch startOrJoin(boolean ignoreRateLimit) {
        Instant now = Instant.now();
        if (last != null && !last.done().isDone()) {
            return last;
        }
        if (last != null && !ignoreRateLimit && last.startedAt().plus(config.minJwksRefreshInterval()).isAfter(now)) {
            return null;
        }
        Fetch fetch = new Fetch(now, new CompletableFuture<>());
        last = fetch;
        Thread.ofVirtual().name("idp-jwks-fetch").start(() -> fetch.done().complete(fetchNow()));
        return fetch;
    }

    private synchronized Duration untilNextFetchAllowed() {
        if (last == null) {
            return Duration.ZERO;
        }
        Duration d = Duration.between(Instant.now(), last.startedAt().plus(config.minJwksRefreshInterval()));
        return d.isNegative() ? Duration.ZERO : d;
    }

    private static boolean await(Fetch fetch, long deadline) {
        try {
            return fetch.done().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            return false;
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(Math.max(1, d.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One GET of the JWKS; true when it gave a usable key set (which then replaces the held one). */
    private boolean fetchNow() {
        fetches.incrementAndGet();
        try {
            HttpResponse<String> answer = http.send(HttpRequest.newBuilder(jwks).timeout(Duration.ofSeconds(3)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (answer.statusCode() != 200) {
                LOG.warnf("JWKS answered %d; keeping the keys known so far", answer.statusCode());
                return false;
            }
            Map<String, PublicKey> keys = new HashMap<>();
            for (JsonWebKey jwk : new JsonWebKeySet(answer.body()).getJsonWebKeys()) {
                boolean signing = jwk.getUse() == null || "sig".equals(jwk.getUse());
                if (jwk instanceof RsaJsonWebKey rsa && signing && jwk.getKeyId() != null) {
                    keys.put(jwk.getKeyId(), rsa.getPublicKey());
                }
            }
            Held before = held;
            held = new Held(Map.copyOf(keys), Instant.now());
            if (before == null || !before.keys().keySet().equals(keys.keySet())) {
                LOG.infof("Identity provider publishes %d signing key(s): %s", keys.size(), keys.keySet());
            }
            return true;
        } catch (Exception e) {
            LOG.warnf("JWKS fetch failed (%s); keeping the keys known so far", e.getClass().getSimpleName());
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return false;
        }
    }
}
