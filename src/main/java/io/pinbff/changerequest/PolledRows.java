package io.pinbff.changerequest;

import io.pinbff.events.EventBus;
import io.quarkus.cache.Cache;
import io.quarkus.cache.CacheName;
import io.quarkus.cache.CaffeineCache;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Polls answered without PostgreSQL: the last row of a change request this instance read, kept until
 * the row changes. Every write of a change request publishes its ID on the event bus when it commits,
 * whichever instance made it; each instance drops its copy when that arrives, drops all of them when
 * the bus reconnects (a notification may have been missed while it was down), and keeps none while
 * the bus is down. Writes made here drop the copy at once as well, so an app that polls right after
 * its own confirm sees the confirm. {@code quarkus.cache.caffeine."change-request-rows"} bounds the
 * number of rows and how long one is kept (which also bounds how long a row the retention purge
 * deleted can still be seen here).
 *
 * <p>A read that raced a change is never kept: every drop advances a generation; a row read before a
 * drop is not stored, and one stored while a drop arrived is removed again.
 */
@ApplicationScoped
public class PolledRows {

    static final String CACHE = "change-request-rows";

    private final CaffeineCache rows;
    private final EventBus bus;
    private final AtomicLong generation = new AtomicLong();

    PolledRows(@CacheName(CACHE) Cache cache, EventBus bus) {
        this.rows = cache.as(CaffeineCache.class);
        this.bus = bus;
        bus.subscribe(ChangeRequestStore.TOPIC, id -> forget(UUID.fromString(id)));
        bus.onReconnect(this::forgetAll);
    }

    /** The kept row, or null when there is none or the bus cannot tell this instance about changes. */
    ChangeRequest get(UUID id) {
        if (!bus.connected()) {
            return null;
        }
        CompletableFuture<Object> kept = rows.getIfPresent(id);
        return kept == null ? null : (ChangeRequest) kept.getNow(null);
    }

    /** Call before reading the row from PostgreSQL; pass the result to {@link #keep}. */
    long generation() {
        return generation.get();
    }

    /** Keeps a row read from PostgreSQL, unless a change was announced since the read began. */
    void keep(ChangeRequest row, long readAt) {
        if (!bus.connected() || generation.get() != readAt) {
            return;
        }
        rows.put(row.id, CompletableFuture.completedFuture(row));
        if (generation.get() != readAt) {
            rows.invalidate(row.id).await().indefinitely();
        }
    }

    void forget(UUID id) {
        generation.incrementAndGet();
        rows.invalidate(id).await().indefinitely();
    }

    void forgetAll() {
        generation.incrementAndGet();
        rows.invalidateAll().await().indefinitely();
    }
}
