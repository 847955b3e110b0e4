package io.pinbff.changerequest;

import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.pinbff.error.ApiException;
import io.pinbff.error.ErrorCode;
import io.pinbff.events.EventBus;
import io.pinbff.sql.Sql;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;

/**
 * Every write to change requests, each in its own short transaction on a plain JDBC connection (never
 * held across a Solaris call; no ORM: each method is the statements it needs). A change locks the row
 * ({@code select … for update}) for the few statements that read it, apply the change, write it back
 * with its audit row and announce it on the event bus (delivered on commit), so concurrent changes
 * from any number of replicas are applied one after the other to the newest row, and the state
 * machine keeps a status from moving backwards.
 */
@ApplicationScoped
public class ChangeRequestStore {

    /** What a change does to a request; returns the audit outcome, or null to write nothing. */
    @FunctionalInterface
    public interface Change {
        String apply(ChangeRequest request, Instant now);
    }

    /** Event-bus topic: the ID of a change request whose row changed (sent on commit). */
    public static final String TOPIC = "change_request";

    private static final String COLUMNS = "id, solaris_id, card_id, person_id, status, authorize_url, string_to_sign, "
            + "delivery_method, device_id, confirm_attempts, created_at, updated_at, expires_at, synced_at, version";
    private static final String OPEN = "('ACCEPTED', 'AUTHORIZATION_REQUIRED', 'CONFIRMATION_REQUIRED')";

    private final AgroalDataSource db;
    private final Clock clock;
    private final MeterRegistry meters;
    private final PolledRows polled;

    ChangeRequestStore(AgroalDataSource db, Clock clock, MeterRegistry meters, PolledRows polled) {
        this.db = db;
        this.clock = clock;
        this.meters = meters;
        this.polled = polled;
    }

    /**
     * Takes the card's one open slot for a new request (status ACCEPTED, no Solaris ID yet), after
     * expiring a stale one; 409 {@code change_request_pending} when the card has an open request.
     */
    public ChangeRequest reserve(String cardId, String personId, Duration ttl) {
        try {
            return Sql.transaction(db, c -> {
                Instant now = Instant.now(clock);
                List<ChangeRequest> stale = select(c, "where card_id = ? and status in " + OPEN + " and expires_at <= ? for update",
                        cardId, now);
                for (ChangeRequest request : stale) {
                    if (expireIfDue(c, request, now)) {
                        write(c, request);
                    }
                }
                ChangeRequest request = new ChangeRequest();
                request.id = UUID.randomUUID();
                request.cardId = cardId;
                request.personId = personId;
                request.status = ChangeRequestStatus.ACCEPTED;
                request.createdAt = now;
                request.updatedAt = now;
                request.syncedAt = now;
                request.expiresAt = now.plus(ttl);
                Sql.update(c, "insert into change_request (id, card_id, person_id, status, confirm_attempts, created_at, "
                        + "updated_at, expires_at, synced_at, version) values (?, ?, ?, ?, 0, ?, ?, ?, ?, 0)",
                        request.id, cardId, personId, request.status.name(), now, now, request.expiresAt, now);
                return request;
            });
        } catch (Sql.Failure e) {
            if (!"23505".equals(e.sqlState)) { // unique_violation: change_request_one_open_per_card
                throw e;
            }
            UUID pending = openFor(cardId).orElseThrow(() -> e);
            throw ApiException.of(ErrorCode.CHANGE_REQUEST_PENDING,
                    "The card already has an open change request.").with("pending_id", pending.toString());
        }
    }

    /** The Solaris call for a reservation failed: nothing is left behind. */
    public void release(UUID id) {
        Sql.autoCommit(db, c -> Sql.update(c, "delete from change_request where id = ?", id));
        polled.forget(id);
    }

    public Optional<ChangeRequest> find(UUID id) {
        return Optional.ofNullable(Sql.autoCommit(db, c -> byId(c, id, false)));
    }

    public Optional<ChangeRequest> find(UUID id, String personId) {
        // A primary-key lookup, ownership checked here.
        return find(id).filter(r -> r.personId.equals(personId));
    }

    /**
     * The hottest read (status polling): the row as this instance last read it when the event bus
     * has announced no change since (PolledRows), else from PostgreSQL. Ownership checked here.
     */
    public Optional<ChangeRequest> findPolled(UUID id, String personId) {
        ChangeRequest kept = polled.get(id);
        if (kept == null) {
            long readAt = polled.generation();
            kept = Sql.autoCommit(db, c -> byId(c, id, false));
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
        return Sql.autoCommit(db, c -> Sql.update(c, "update change_request set synced_at = ? where id = ? and synced_at < ? and status in " + OPEN,
                Instant.now(clock), id, staleBefore)) == 1;
    }

    /** Applies {@code change} to the newest version of the request, recording an audit row. */
    public ChangeRequest update(UUID id, String action, Change change) {
        try {
            return Sql.transaction(db, c -> {
                Instant now = Instant.now(clock);
                ChangeRequest request = byId(c, id, true);
                if (request == null) {
                    throw new IllegalStateException("No change request " + id);
                }
                Object[] before = request.mutable();
                ChangeRequestStatus from = request.status;
                String outcome = change.apply(request, now);
                if (outcome != null) {
                    ChangeRequestEvent.record(c, request, action, from, outcome, now);
                }
                if (request.status != from || action.equals("create")) {
                    entered(request.status);
                }
                expireIfDue(c, request, now);
                if (!Arrays.equals(before, request.mutable())) {
                    write(c, request);
                }
                EventBus.publish(c, TOPIC, id.toString()); // delivered when this transaction commits
                return request;
            });
        } finally {
            polled.forget(id); // this instance reads its own write at once, without waiting for the bus
        }
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
    public OptionalInt claimConfirmAttempt(UUID id, int max) {
        List<Integer> claimed = Sql.autoCommit(db, c -> Sql.query(c, "update change_request set confirm_attempts = confirm_attempts + 1, "
                + "version = version + 1 where id = ? and confirm_attempts < ? and expires_at > ? and status in " + OPEN
                + " returning confirm_attempts", rs -> rs.getInt(1), id, max, Instant.now(clock)));
        return claimed.isEmpty() ? OptionalInt.empty() : OptionalInt.of(claimed.get(0));
    }

    /** Gives a try back: Solaris certainly did not act on the confirm (it was refused before, or failed). */
    public void releaseConfirmAttempt(UUID id) {
        Sql.autoCommit(db, c -> Sql.update(c, "update change_request set confirm_attempts = confirm_attempts - 1, version = version + 1 "
                + "where id = ? and confirm_attempts > 0", id));
    }

    /**
     * Expires open requests past their expiry, a batch at a time. Rows another replica is sweeping
     * are skipped (SKIP LOCKED), so any number of replicas can run this at once.
     */
    public int expireDue(int batch) {
        return Sql.transaction(db, c -> {
            Instant now = Instant.now(clock);
            List<ChangeRequest> due = select(c, "where status in " + OPEN + " and expires_at <= ? order by expires_at limit "
                    + Math.max(1, batch) + " for update skip locked", now);
            for (ChangeRequest request : due) {
                if (expireIfDue(c, request, now)) {
                    write(c, request);
                }
                EventBus.publish(c, TOPIC, request.id.toString());
            }
            return due.size();
        });
    }

    /** The card's open change request, if it has one. */
    public Optional<UUID> openFor(String cardId) {
        return Sql.autoCommit(db, c -> Sql.query(c, "select id from change_request where card_id = ? and status in " + OPEN,
                rs -> rs.getObject(1, UUID.class), cardId)).stream().findFirst();
    }

    /** An open request past its expiry becomes EXPIRED, with its audit row, whoever notices first. */
    private boolean expireIfDue(Connection c, ChangeRequest request, Instant now) throws SQLException {
        ChangeRequestStatus from = request.status;
        if (from.open() && request.statusAt(now) == ChangeRequestStatus.EXPIRED
                && moveTo(request, ChangeRequestStatus.EXPIRED, now)) {
            ChangeRequestEvent.record(c, request, "expire", from, "ok", now);
            entered(ChangeRequestStatus.EXPIRED);
            return true;
        }
        return false;
    }

    /** Writes the row's changeable columns back; its version goes up by one. */
    private static void write(Connection c, ChangeRequest r) throws SQLException {
        List<Long> version = Sql.query(c, "update change_request set solaris_id = ?, status = ?, authorize_url = ?, "
                + "string_to_sign = ?, delivery_method = ?, device_id = ?, confirm_attempts = ?, updated_at = ?, expires_at = ?, "
                + "synced_at = ?, version = version + 1 where id = ? returning version", rs -> rs.getLong(1),
                r.solarisId, r.status.name(), r.authorizeUrl, r.stringToSign, r.deliveryMethod, r.deviceId, r.confirmAttempts,
                r.updatedAt, r.expiresAt, r.syncedAt, r.id);
        if (!version.isEmpty()) {
            r.version = version.get(0);
        }
    }

    private static ChangeRequest byId(Connection c, UUID id, boolean lock) throws SQLException {
        List<ChangeRequest> rows = select(c, "where id = ?" + (lock ? " for update" : ""), id);
        return rows.isEmpty() ? null : rows.get(0);
    }

    private static List<ChangeRequest> select(Connection c, String where, Object... parameters) throws SQLException {
        return Sql.query(c, "select " + COLUMNS + " from change_request " + where, ChangeRequestStore::row, parameters);
    }

    private static ChangeRequest row(ResultSet rs) throws SQLException {
        ChangeRequest r = new ChangeRequest();
        r.id = rs.getObject(1, UUID.class);
        r.solarisId = rs.getString(2);
        r.cardId = rs.getString(3);
        r.personId = rs.getString(4);
        r.status = ChangeRequestStatus.valueOf(rs.getString(5));
        r.authorizeUrl = rs.getString(6);
        r.stringToSign = rs.getString(7);
        r.deliveryMethod = rs.getString(8);
        r.deviceId = rs.getString(9);
        r.confirmAttempts = rs.getInt(10);
        r.createdAt = rs.getTimestamp(11).toInstant();
        r.updatedAt = rs.getTimestamp(12).toInstant();
        r.expiresAt = rs.getTimestamp(13).toInstant();
        r.syncedAt = rs.getTimestamp(14).toInstant();
        r.version = rs.getLong(15);
        return r;
    }

    /** {@code pinbff_change_requests_total{status}}: change requests entering each status. */
    private void entered(ChangeRequestStatus status) {
        meters.counter("pinbff_change_requests", "status", status.name()).increment();
    }
}
