package io.pinbff.pin;

import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.pinbff.config.PinBffConfig;
import io.pinbff.error.ApiException;
import io.pinbff.error.ErrorCode;
import io.pinbff.events.EventBus;
import io.pinbff.sql.Sql;
import io.pinbff.solaris.SolarisGateway;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import org.jboss.logging.Logger;

/**
 * The current Solaris PIN key, one for all instances: held in memory here, shared through the
 * {@code pin_key} row. Whoever fetches a new key from Solaris (the background refresh when the shared
 * key is older than {@code refresh-after}, an app presenting an unknown key ID, Solaris refusing a key
 * as {@code invalid_key}) stores it and announces it on the event bus; every instance then reloads the
 * row, so all serve the same key (and ETag) within a second. An instance that missed messages reloads
 * the row when the bus reconnects.
 *
 * Refreshes for unknown key IDs are rate-limited ({@code min-forced-refresh-interval}) so a client
 * spraying key IDs cannot make us hammer Solaris; a refusal by Solaris itself is not: it refreshes at
 * once, one fetch for all concurrent callers, and a key Solaris refused is never named as current.
 * While Solaris is down the last known key keeps being served.
 */
@ApplicationScoped
public class PinKeyCache {

    private static final Logger LOG = Logger.getLogger(PinKeyCache.class);
    static final String TOPIC = "pin_key";

    private record Cached(PinKey key, Instant fetchedAt) {}

    private final SolarisGateway solaris;
    private final PinBffConfig.KeyCache config;
    private final AgroalDataSource db;
    private final EventBus bus;
    private final ReentrantLock refreshLock = new ReentrantLock();
    private volatile Cached cached;
    private volatile Instant lastAttempt = Instant.EPOCH;

    PinKeyCache(SolarisGateway solaris, PinBffConfig config, MeterRegistry meters, AgroalDataSource db, EventBus bus) {
        this.solaris = solaris;
        this.config = config.keyCache();
        this.db = db;
        this.bus = bus;
        meters.gauge("pinbff_pin_key_age_seconds", this,
                c -> c.cached == null ? -1 : Duration.between(c.cached.fetchedAt(), Instant.now()).toSeconds());
        bus.subscribe(TOPIC, id -> reload());
        bus.onReconnect(this::reload);
    }

    void onStart(@Observes StartupEvent event) {
        // Never block start-up on Solaris.
        // The shared row makes this instance ready at once; the key is still fetched from Solaris at start.
        Thread.ofVirtual().name("pin-key-initial-fetch").start(() -> {
            reload();
            try {
                refresh(cached);
            } catch (ApiException e) {
                LOG.debugf("PIN key fetch at start failed (%s); the background check retries", e.getMessage());
            }
        });
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

    /**
     * Solaris refused {@code refusedKid} as {@code invalid_key}: fetch at once, whatever the rate limit
     * (callers arriving together share one fetch), and name the key Solaris gives now. Should Solaris
     * still name the refused key, the app is told to retry later rather than to use it.
     */
    public ApiException rejectedByUpstream(String refusedKid) {
        Cached seen = held();
        PinKey fresh;
        try {
            fresh = seen.key().kid().equals(refusedKid) ? refresh(seen) : seen.key();
        } catch (ApiException e) {
            return e;
        }
        if (fresh.kid().equals(refusedKid)) {
            return ApiException.retryLater(ErrorCode.UPSTREAM_UNAVAILABLE,
                    "Solaris refused its own current PIN key; try again shortly.", 2);
        }
        return outdated(fresh);
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
                return now.key(); // someone refreshed (here or on another instance) while we waited
            }
            lastAttempt = Instant.now();
            PinKey key = PinKey.fromSolaris(solaris.latestPinKey());
            if (key == null) {
                throw ApiException.retryLater(ErrorCode.UPSTREAM_UNAVAILABLE, "Solaris sent no usable PIN key.", 5);
            }
            if (now == null || !now.key().equals(key)) {
                LOG.infof("Solaris PIN key is now %s", key.kid());
            }
            Instant fetchedAt = Instant.now();
            synchronized (this) {
                cached = new Cached(key, fetchedAt);
            }
            share(key, fetchedAt);
            return key;
        } finally {
            refreshLock.unlock();
        }
    }

    /** Stores the key for every instance and announces it (delivered when the row is committed). */
    private void share(PinKey key, Instant fetchedAt) {
        try {
            Sql.transaction(db, c -> {
                Sql.update(c, "insert into pin_key (id, kid, n, e, fetched_at) values (1, ?, ?, ?, ?) "
                        + "on conflict (id) do update set kid = excluded.kid, n = excluded.n, e = excluded.e, "
                        + "fetched_at = excluded.fetched_at", key.kid(), key.n(), key.e(), fetchedAt);
                EventBus.publish(c, TOPIC, key.kid()); // delivered when the row is committed
                return null;
            });
        } catch (RuntimeException e) {
            LOG.warnf("Could not share the PIN key (%s); serving it from this instance", e.getClass().getSimpleName());
        }
    }

    /** Takes the shared key when it differs from ours or is newer. */
    void reload() {
        List<Cached> rows;
        try {
            rows = Sql.autoCommit(db, c -> Sql.query(c, "select kid, n, e, fetched_at from pin_key where id = 1",
                    rs -> new Cached(new PinKey(rs.getString(1), "RSA", "enc", PinKey.ALG, rs.getString(2), rs.getString(3)),
                            rs.getTimestamp(4).toInstant())));
        } catch (RuntimeException e) {
            LOG.debugf("Shared PIN key not readable (%s)", e.getClass().getSimpleName());
            return;
        }
        if (rows.isEmpty()) {
            return;
        }
        PinKey key = rows.get(0).key();
        Instant fetchedAt = rows.get(0).fetchedAt();
        // No refresh lock here: the bus thread must not wait for a slow Solaris call. Only a newer row wins.
        synchronized (this) {
            Cached now = cached;
            if (now == null || fetchedAt.isAfter(now.fetchedAt())) {
                if (now != null && !now.key().equals(key)) {
                    LOG.infof("Solaris PIN key is now %s (learned from another instance)", key.kid());
                }
                cached = new Cached(key, fetchedAt);
            }
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
