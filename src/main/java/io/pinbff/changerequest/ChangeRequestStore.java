package io.pinbff.changerequest;

import io.micrometer.core.instrument.MeterRegistry;
import io.pinbff.error.ApiException;
import io.pinbff.events.EventBus;
import io.pinbff.error.ErrorCode;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.persistence.OptimisticLockException;
import jakarta.persistence.PersistenceException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Every write to change requests, each in its own short transaction (never held across a Solaris
 * call). Status changes are optimistic (the entity's version): a change that lost a race is
 * re-applied to the newer row, and the state machine keeps it from moving a status backwards.
 */
@ApplicationScoped
public class ChangeRequestStore {

    /** What a change does to a request; returns the audit outcome, or null to write nothing. */
    @FunctionalInterface
    public interface Change {
        String apply(ChangeRequest request, Instant now);
    }

    private static final int OPTIMISTIC_RETRIES = 5;

    /** Event-bus topic: the ID of a change request whose row changed (sent on commit). */
    public static final String TOPIC = "change_request";

    private final EntityManager em;
    private final Clock clock;
    private final MeterRegistry meters;
    private final EventBus bus;
    private final PolledRows polled;

    ChangeRequestStore(EntityManager em, Clock clock, MeterRegistry meters, EventBus bus, PolledRows polled) {
        this.em = em;
        this.clock = clock;
        this.meters = meters;
        this.bus = bus;
        this.polled = polled;
    }

    /**
     * Takes the card's one open slot for a new request (status ACCEPTED, no Solaris ID yet), after
     * expiring a stale one; 409 {@code change_request_pending} when the card has an open request.
     */
    public ChangeRequest reserve(String cardId, String personId, Duration ttl) {
        try {
            return QuarkusTransaction.requiringNew().call(() -> {
                Instant now = Instant.now(clock);
                expire(em.createQuery("from ChangeRequest where cardId = :card and status in :open and expiresAt <= :now",
                        ChangeRequest.class).setParameter("card", cardId).setParameter("open", openStatuses())
                        .setParameter("now", now).getResultList(), now);
                em.flush();
                ChangeRequest request = new ChangeRequest();
                request.id = UUID.randomUUID();
                request.cardId = cardId;
                request.personId = personId;
                request.status = ChangeRequestStatus.ACCEPTED;
                request.createdAt = now;
                request.updatedAt = now;
                request.syncedAt = now;
                request.expiresAt = now.plus(ttl);
                request.persist();
                em.flush();
                return request;
            });
        } catch (PersistenceException e) {
            UUID pending = openFor(cardId).orElseThrow(() -> e);
            throw ApiException.of(ErrorCode.CHANGE_REQUEST_PENDING,
                    "The card already has an open change request.").with("pending_id", pending.toString());
        }
    }

    /** The Solaris call for a reservation failed: nothing is left behind. */
    public void release(UUID id) {
        QuarkusTransaction.requiringNew().run(() -> ChangeRequest.deleteById(id));
        polled.forget(id);
    }

    public Optional<ChangeRequest> find(UUID id) {
        return Optional.ofNullable(em.find(ChangeRequest.class, id));
    }

    public Optional<ChangeRequest> find(UUID id, String personId) {
        // A primary-key lookup, no transaction, ownership checked here.
        return Optional.ofNullable(em.find(ChangeRequest.class, id)).filter(r -> r.personId.equals(personId));
    }

    /**
     * The hottest read (status polling): the row as this instance last read it when the event bus
     * has announced no change since (PolledRows), else from PostgreSQL. Ownership checked here.
     */
    public Optional<ChangeRequest> findPolled(UUID id, String personId) {
        ChangeRequest kept = polled.get(id);
        if (kept == null) {
            long readAt = polled.generation();
            kept = em.find(ChangeRequest.class, id);
            if (kept != null) {
                polled.keep(kept, readAt);
            }
        }
        return Optional.ofNullable(kept).filter(r -> r.personId.equals(personId));
    }

    /**
     * Claims the right to refresh an open request from Solaris: true for exactly one caller (across
     * replicas) among those that see it unsynced since {@code staleBefore}.
     */
    public boolean claimSync(UUID id, Instant staleBefore) {
        polled.forget(id); // its synced_at changes here or did on another instance: read the row anew
        return QuarkusTransaction.requiringNew().call(() -> em.createQuery(
                "update ChangeRequest set syncedAt = :now where id = :id and syncedAt < :stale and status in :open")
                .setParameter("now", Instant.now(clock)).setParameter("id", id).setParameter("stale", staleBefore)
                .setParameter("open", openStatuses()).executeUpdate() == 1);
    }

    /** Applies {@code change} to the newest version of the request, recording an audit row. */
    public ChangeRequest update(UUID id, String action, Change change) {
        try {
            return updateWithRetries(id, action, change);
        } finally {
            polled.forget(id); // this instance reads its own write at once, without waiting for the bus
        }
    }

    private ChangeRequest updateWithRetries(UUID id, String action, Change change) {
        for (int attempt = 1;; attempt++) {
            try {
                return QuarkusTransaction.requiringNew().call(() -> {
                    Instant now = Instant.now(clock);
                    ChangeRequest request = ChangeRequest.findById(id);
                    ChangeRequestStatus from = request.status;
                    String outcome = change.apply(request, now);
                    if (outcome != null) {
                        ChangeRequestEvent.record(request, action, from, outcome, now);
                    }
                    if (request.status != from || action.equals("create")) {
                        entered(request.status);
                    }
                    expireIfDue(request, now);
                    bus.publish(TOPIC, id.toString()); // joins this transaction: delivered when it commits
                    return request;
                });
            } catch (RuntimeException e) {
                // Two writers of one row: the loser re-applies its change to the winner's version. The
                // conflict arrives wrapped (QuarkusTransactionException, RollbackException, …).
                if (!isConflict(e) || attempt >= OPTIMISTIC_RETRIES) {
                    throw e;
                }
            }
        }
    }

    private static boolean isConflict(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof OptimisticLockException || t instanceof org.hibernate.StaleStateException) {
                return true;
            }
        }
        return false;
    }

    /** Moves the request forward; a status that is not ahead of the current one is ignored. */
    public static boolean moveTo(ChangeRequest request, ChangeRequestStatus to, Instant now) {
        return change(request, to, now, to != null && request.status.canMoveTo(to));
    }

    /** Records what Solaris reported as the outcome of a confirm, even over a BFF-side expiry. */
    public static boolean settle(ChangeRequest request, ChangeRequestStatus to, Instant now) {
        return change(request, to, now, to != null && request.status.canSettleTo(to));
    }

    private static boolean change(ChangeRequest request, ChangeRequestStatus to, Instant now, boolean allowed) {
        if (allowed) {
            request.status = to;
            request.updatedAt = now;
        }
        return allowed;
    }

    /**
     * Takes one of the request's confirm tries in PostgreSQL before Solaris is called, so however many
     * confirms arrive at once on however many instances, at most {@code max} reach Solaris. Returns the
     * try's number (1..max), or empty when the request is closed, expired or out of tries.
     */
    public java.util.OptionalInt claimConfirmAttempt(UUID id, int max) {
        List<?> claimed = QuarkusTransaction.requiringNew().call(() -> em.createNativeQuery(
                "update change_request set confirm_attempts = confirm_attempts + 1, version = version + 1 "
                        + "where id = :id and confirm_attempts < :max and expires_at > :now "
                        + "and status in ('ACCEPTED', 'AUTHORIZATION_REQUIRED', 'CONFIRMATION_REQUIRED') "
                        + "returning confirm_attempts")
                .setParameter("id", id).setParameter("max", max).setParameter("now", Instant.now(clock)).getResultList());
        return claimed.isEmpty() ? java.util.OptionalInt.empty()
                : java.util.OptionalInt.of(((Number) claimed.get(0)).intValue());
    }

    /** Gives a try back: Solaris certainly did not act on the confirm (it was refused before, or failed). */
    public void releaseConfirmAttempt(UUID id) {
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery(
                "update change_request set confirm_attempts = confirm_attempts - 1, version = version + 1 "
                        + "where id = :id and confirm_attempts > 0")
                .setParameter("id", id).executeUpdate());
    }

    /**
     * Expires open requests past their expiry, a batch at a time. Rows another replica is sweeping
     * are skipped (SKIP LOCKED), so any number of replicas can run this at once.
     */
    public int expireDue(int batch) {
        return QuarkusTransaction.requiringNew().call(() -> {
            Instant now = Instant.now(clock);
            List<ChangeRequest> due = em.createQuery(
                    "from ChangeRequest where status in :open and expiresAt <= :now order by expiresAt", ChangeRequest.class)
                    .setParameter("open", openStatuses()).setParameter("now", now)
                    .setMaxResults(batch)
                    .setLockMode(LockModeType.PESSIMISTIC_WRITE)
                    .setHint("jakarta.persistence.lock.timeout", -2) // SKIP LOCKED
                    .getResultList();
            expire(due, now);
            due.forEach(r -> bus.publish(TOPIC, r.id.toString()));
            return due.size();
        });
    }

    /** The card's open change request, if it has one. */
    public Optional<UUID> openFor(String cardId) {
        return QuarkusTransaction.requiringNew().call(() -> em.createQuery(
                "select id from ChangeRequest where cardId = :card and status in :open", UUID.class)
                .setParameter("card", cardId).setParameter("open", openStatuses()).getResultStream().findFirst());
    }

    private void expire(List<ChangeRequest> requests, Instant now) {
        for (ChangeRequest request : requests) {
            expireIfDue(request, now);
        }
    }

    /** An open request past its expiry becomes EXPIRED, with its audit row, whoever notices first. */
    private void expireIfDue(ChangeRequest request, Instant now) {
        ChangeRequestStatus from = request.status;
        if (from.open() && request.statusAt(now) == ChangeRequestStatus.EXPIRED
                && moveTo(request, ChangeRequestStatus.EXPIRED, now)) {
            ChangeRequestEvent.record(request, "expire", from, "ok", now);
            entered(ChangeRequestStatus.EXPIRED);
        }
    }

    /** {@code pinbff_change_requests_total{status}}: change requests entering each status. */
    private void entered(ChangeRequestStatus status) {
        meters.counter("pinbff_change_requests", "status", status.name()).increment();
    }

    private static List<ChangeRequestStatus> openStatuses() {
        return List.of(ChangeRequestStatus.ACCEPTED, ChangeRequestStatus.AUTHORIZATION_REQUIRED,
                ChangeRequestStatus.CONFIRMATION_REQUIRED);
    }
}
