package io.pinbff.pin;

import io.micrometer.core.instrument.MeterRegistry;
import io.pinbff.config.PinBffConfig;
import io.pinbff.crypto.Sha256;
import io.pinbff.error.ApiException;
import io.pinbff.error.ErrorCode;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Attempt limits and single-use encrypted PINs, held in PostgreSQL so they hold across replicas.
 * Advisory locks per person and per card make "count, then record" atomic: two replicas cannot both
 * let the fifth attempt through, whichever of the person's cards they are for.
 */
@ApplicationScoped
public class PinAttempts {

    private final EntityManager em;
    private final Clock clock;
    private final PinBffConfig.Limits limits;
    private final MeterRegistry meters;

    PinAttempts(EntityManager em, Clock clock, PinBffConfig config, MeterRegistry meters) {
        this.em = em;
        this.clock = clock;
        this.limits = config.limits();
        this.meters = meters;
    }

    /** A recorded submission; {@code fresh} when this request recorded it (not a retry under the same key). */
    public record Submission(String fingerprint, boolean fresh) {}

    /**
     * Checks the limits, then the replay, and records the submission, under advisory locks on the
     * person and the card: simultaneous submissions for any of a person's cards, on any instance, are
     * counted one after the other, so the per-user limit holds as well as the per-card one. The same
     * JWE sent twice at once is inserted once; the other gets 409 {@code encrypted_pin_reused}. A
     * submission already recorded by the same person under the same {@code Idempotency-Key} is a retry
     * of a request whose outcome was not final: it passes without counting again. {@code keyId} (the PIN
     * key the JWE is for, already checked to be the current one) tells the purge when single use no
     * longer needs the row: a JWE for a key that is no longer current is refused before the replay check.
     */
    public Submission record(String personId, String cardId, String flow, String encryptedPin, String keyId,
            String idempotencyKey) {
        String fingerprint = fingerprint(encryptedPin);
        return QuarkusTransaction.requiringNew().call(() -> {
            Instant now = Instant.now(clock);
            em.createNativeQuery("select cast(pg_advisory_xact_lock(hashtextextended('person:' || :person, 0)) as text), "
                    + "cast(pg_advisory_xact_lock(hashtextextended('card:' || :card, 0)) as text)")
                    .setParameter("person", personId).setParameter("card", cardId).getSingleResult();
            if (idempotencyKey != null && retriedUnderSameKey(fingerprint, personId, idempotencyKey)) {
                return new Submission(fingerprint, false);
            }
            limit("card", "card_id", cardId, limits.perCard(), limits.perCardWindow(), now);
            limit("user", "person_id", personId, limits.perUser(), limits.perUserWindow(), now);
            int inserted = em.createNativeQuery("insert into pin_submission (fingerprint, person_id, card_id, flow, submitted_at, idem_key, key_id) "
                    + "values (:f, :p, :c, :flow, :at, :k, :kid) on conflict (fingerprint) do nothing")
                    .setParameter("f", fingerprint).setParameter("p", personId).setParameter("c", cardId)
                    .setParameter("flow", flow).setParameter("at", Timestamp.from(now))
                    .setParameter("k", idempotencyKey).setParameter("kid", keyId).executeUpdate();
            if (inserted == 0) {
                throw ApiException.of(ErrorCode.ENCRYPTED_PIN_REUSED,
                        "This encrypted PIN was already submitted; encrypt the PIN again.");
            }
            return new Submission(fingerprint, true);
        });
    }

    private boolean retriedUnderSameKey(String fingerprint, String personId, String idempotencyKey) {
        return !em.createNativeQuery("select 1 from pin_submission where fingerprint = :f and person_id = :p and idem_key = :k")
                .setParameter("f", fingerprint).setParameter("p", personId).setParameter("k", idempotencyKey)
                .getResultList().isEmpty();
    }

    /**
     * Sends a recorded submission. When Solaris certainly did not act on it (a 5xx, or it was never
     * sent: circuit open, bulkhead full) a record this request made is dropped, so the app may retry
     * the same JWE and the attempt does not count. A timeout keeps it: the outcome is unknown.
     */
    public <T> T send(Submission submission, java.util.function.Supplier<T> call) {
        try {
            return call.get();
        } catch (ApiException e) {
            if (e.code() == ErrorCode.UPSTREAM_UNAVAILABLE && submission.fresh()) {
                forget(submission.fingerprint());
            }
            throw e;
        }
    }

    private void forget(String fingerprint) {
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery("delete from pin_submission where fingerprint = :f")
                .setParameter("f", fingerprint).executeUpdate());
    }

    private void limit(String scope, String column, String value, int max, Duration window, Instant now) {
        Object[] row = (Object[]) em.createNativeQuery("select count(*), min(submitted_at) from pin_submission where "
                + column + " = :v and submitted_at > :since")
                .setParameter("v", value).setParameter("since", Timestamp.from(now.minus(window))).getSingleResult();
        long count = ((Number) row[0]).longValue();
        if (count >= max) {
            Instant oldest = toInstant(row[1]);
            long retryAfter = Math.max(1, Duration.between(now, oldest.plus(window)).toSeconds() + 1);
            meters.counter("pinbff_rate_limit_rejections", "scope", scope).increment();
            throw ApiException.retryLater(ErrorCode.TOO_MANY_ATTEMPTS, scope.equals("card")
                    ? "Too many PIN changes for this card; try again later."
                    : "Too many PIN changes; try again later.", retryAfter);
        }
    }

    /** A timestamp column as the native query hands it over (driver and Hibernate differ in the type). */
    static Instant toInstant(Object value) {
        if (value instanceof Timestamp ts) {
            return ts.toInstant();
        }
        if (value instanceof java.time.OffsetDateTime odt) {
            return odt.toInstant();
        }
        return value instanceof Instant i ? i : Instant.now();
    }

    static String fingerprint(String encryptedPin) {
        return Sha256.hex(encryptedPin);
    }
}
