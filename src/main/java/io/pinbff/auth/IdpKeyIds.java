package io.pinbff.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pinbff.config.PinBffConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Which key IDs the bank's identity provider publishes. A token whose {@code kid} is not known
 * makes this fetch the JWKS again — at most once per {@code pinbff.auth.min-jwks-refresh-interval},
 * one fetch at a time — and only then may SmallRye JWT (whose own forced refresh is counted in
 * whole minutes, too slow for the contract's 15 s) refresh its key cache. Written by hand for that
 * reason: the rate limit is the contract's, the library has no setting fine enough for it.
 */
@ApplicationScoped
public class IdpKeyIds {

    private static final Logger LOG = Logger.getLogger(IdpKeyIds.class);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final ObjectMapper json;
    private final URI jwks;
    private final Duration minInterval;
    private final ReentrantLock lock = new ReentrantLock();
    private volatile Set<String> kids = Set.of();
    private volatile Instant lastFetch = Instant.EPOCH;

    IdpKeyIds(ObjectMapper json, @ConfigProperty(name = "auth.jwks-url") String jwksUrl, PinBffConfig config) {
        this.json = json;
        this.jwks = URI.create(jwksUrl);
        this.minInterval = config.auth().minJwksRefreshInterval();
    }

    /** Whether {@code kid} is published, fetching the JWKS first when it is not known and the rate limit allows. */
    public boolean published(String kid) {
        if (kids.contains(kid)) {
            return true;
        }
        if (!mayFetch()) {
            return false;
        }
        lock.lock();
        try {
            if (kids.contains(kid)) {
                return true;
            }
            if (!mayFetch()) {
                return false;
            }
            lastFetch = Instant.now();
            kids = fetch();
            return kids.contains(kid);
        } finally {
            lock.unlock();
        }
    }

    private boolean mayFetch() {
        return !lastFetch.plus(minInterval).isAfter(Instant.now());
    }

    private Set<String> fetch() {
        try {
            HttpResponse<String> answer = http.send(HttpRequest.newBuilder(jwks).timeout(Duration.ofSeconds(3)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (answer.statusCode() != 200) {
                LOG.warnf("JWKS answered %d; keeping the key IDs known so far", answer.statusCode());
                return kids;
            }
            Set<String> found = new HashSet<>();
            for (JsonNode key : json.readTree(answer.body()).path("keys")) {
                if (key.path("kid").isTextual()) {
                    found.add(key.path("kid").asText());
                }
            }
            return Set.copyOf(found);
        } catch (Exception e) {
            LOG.warnf("JWKS fetch failed (%s); keeping the key IDs known so far", e.getClass().getSimpleName());
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return kids;
        }
    }
}
