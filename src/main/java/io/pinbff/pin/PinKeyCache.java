package io.pinbff.pin;

import io.micrometer.core.instrument.MeterRegistry;
import io.pinbff.config.PinBffConfig;
import io.pinbff.error.ApiException;
import io.pinbff.error.ErrorCode;
import io.pinbff.solaris.SolarisGateway;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import org.jboss.logging.Logger;

/**
 * The current Solaris PIN key, held in memory. Fetched at start and retried in the background until
 * one is cached; refreshed in the background when old; refreshed on demand when an app presents a
 * key ID we do not know (at most once per {@code min-forced-refresh-interval}, so a client spraying
 * key IDs cannot make us hammer Solaris). Concurrent refreshes collapse into one upstream call.
 * While Solaris is down the last known key keeps being served.
 */
@ApplicationScoped
public class PinKeyCache {

    private static final Logger LOG = Logger.getLogger(PinKeyCache.class);

    private record Cached(PinKey key, Instant fetchedAt) {}

    private final SolarisGateway solaris;
    private final PinBffConfig.KeyCache config;
    private final ReentrantLock refreshLock = new ReentrantLock();
    private volatile Cached cached;
    private volatile Instant lastAttempt = Instant.EPOCH;

    PinKeyCache(SolarisGateway solaris, PinBffConfig config, MeterRegistry meters) {
        this.solaris = solaris;
        this.config = config.keyCache();
        meters.gauge("pinbff_pin_key_age_seconds", this,
                c -> c.cached == null ? -1 : Duration.between(c.cached.fetchedAt(), Instant.now()).toSeconds());
    }

    void onStart(@Observes StartupEvent event) {
        // Never block start-up on Solaris: the scheduled check below fetches the key within seconds.
        Thread.ofVirtual().name("pin-key-initial-fetch").start(this::backgroundCheck);
    }

    @Scheduled(every = "${pinbff.key-cache.check-every:5s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void backgroundCheck() {
        Cached current = cached;
        if (current == null || current.fetchedAt().plus(config.refreshAfter()).isBefore(Instant.now())) {
            try {
                refresh(current);
            } catch (ApiException e) {
                LOG.debugf("PIN key refresh failed (%s); %s", e.getMessage(),
                        current == null ? "no key cached yet, retrying" : "serving the last known key");
            }
        }
    }

    /** The key, if one has ever been fetched. */
    public Optional<PinKey> current() {
        Cached c = cached;
        return c == null ? Optional.empty() : Optional.of(c.key());
    }

    /** The key to serve: cached, or fetched now if none is; 503 when there is none at all. */
    public PinKey serve() {
        return held().key();
    }

    /**
     * Checks that {@code keyId} is the current key, refreshing once (rate-limited) when it is not;
     * 409 {@code pin_key_outdated} with the current key when it still is not.
     */
    public PinKey requireCurrent(String keyId) {
        Cached seen = held();
        if (seen.key().kid().equals(keyId)) {
            return seen.key();
        }
        PinKey fresh = forcedRefresh(seen);
        if (fresh.kid().equals(keyId)) {
            return fresh;
        }
        throw outdated(fresh);
    }

    /** Solaris rejected a key we believed current: refresh (rate-limited) and say which key is current now. */
    public ApiException rejectedByUpstream() {
        return outdated(forcedRefresh(held()));
    }

    private Cached held() {
        Cached c = cached;
        if (c != null) {
            return c;
        }
        try {
            refresh(null);
        } catch (ApiException e) {
            throw noKey();
        }
        return cached;
    }

    /** A refresh on behalf of a caller that saw {@code seen}; collapses into any refresh made since. */
    private PinKey forcedRefresh(Cached seen) {
        if (cached == seen && lastAttempt.plus(config.minForcedRefreshInterval()).isAfter(Instant.now())) {
            return seen.key();
        }
        try {
            return refresh(seen);
        } catch (ApiException e) {
            return cached.key();
        }
    }

    private PinKey refresh(Cached seen) {
        refreshLock.lock();
        try {
            Cached now = cached;
            if (now != null && now != seen) {
                return now.key(); // someone else refreshed while we waited for the lock
            }
            lastAttempt = Instant.now();
            PinKey key = PinKey.fromSolaris(solaris.latestPinKey());
            if (key == null) {
                throw ApiException.retryLater(ErrorCode.UPSTREAM_UNAVAILABLE, "Solaris sent no usable PIN key.", 5);
            }
            if (now == null || !now.key().equals(key)) {
                LOG.infof("Solaris PIN key is now %s", key.kid());
            }
            cached = new Cached(key, Instant.now());
            return key;
        } finally {
            refreshLock.unlock();
        }
    }

    private static ApiException outdated(PinKey current) {
        return ApiException.of(ErrorCode.PIN_KEY_OUTDATED,
                "key_id is not the current Solaris PIN key; encrypt the PIN again with current_key.")
                .with("current_key", current);
    }

    private static ApiException noKey() {
        return ApiException.retryLater(ErrorCode.UPSTREAM_UNAVAILABLE, "No Solaris PIN key is available yet.", 5);
    }
}
