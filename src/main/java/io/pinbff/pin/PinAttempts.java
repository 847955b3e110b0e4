package io.pinbff.pin;

import io.micrometer.core.instrument.MeterRegistry;
import io.pinbff.changerequest.TimeSource;
import io.pinbff.config.PinBffConfig;
import io.pinbff.crypto.Sha256;
import io.pinbff.error.ApiException;
import io.pinbff.error.ErrorCode;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;

/**
 * Attempt limits and single-use encrypted PINs, held in PostgreSQL so they hold across replicas.
 * A per-card advisory lock makes "count, then record" atomic: two replicas cannot both let the
 * fifth attempt through.
 */
@ApplicationScoped
public class PinAttempts {

    private final EntityManager em;
    private final TimeSource time;
    private final PinBffConfig.Limits limits;
    private final MeterRegistry meters;

    PinAttempts(EntityManager em, TimeSource time, PinBffConfig config, MeterRegistry meters) {
        this.em = em;
        this.time = time;
        this.limits = config.limits();
        this.meters = meters;
    }

    /** Checks the limits, then the replay; records the submission. Returns its fingerprint. */
    public String record(String personId, String cardId, String flow, String encryptedPin) {
        String fingerprint = fingerprint(encryptedPin);
        QuarkusTransaction.requiringNew().run(() -> {
            Instant now = time.now();
            em.createNativeQuery("select cast(pg_advisory_xact_lock(hashtextextended(:card, 0)) as text)")
                    .setParameter("card", cardId).getSingleResult();
            limit("card", "card_id", cardId, limits.perCard(), limits.perCardWindow(), now);
            limit("user", "person_id", personId, limits.perUser(), limits.perUserWindow(), now);
            Number seen = (Number) em.createNativeQuery("select count(*) from pin_submission where fingerprint = :f")
                    .setParameter("f", fingerprint).getSingleResult();
            if (seen.longValue() > 0) {
                throw ApiException.of(ErrorCode.ENCRYPTED_PIN_REUSED,
                        "This encrypted PIN was already submitted; encrypt the PIN again.");
            }
            em.createNativeQuery("insert into pin_submission (fingerprint, person_id, card_id, flow, submitted_at) "
                    + "values (:f, :p, :c, :flow, :at)")
                    .setParameter("f", fingerprint).setParameter("p", personId).setParameter("c", cardId)
                    .setParameter("flow", flow).setParameter("at", Timestamp.from(now)).executeUpdate();
        });
        return fingerprint;
    }

    /**
     * Sends a recorded submission. When Solaris certainly did not act on it (a 5xx, or it was never
     * sent: circuit open, bulkhead full) the record is dropped, so the app may retry the same JWE
     * and the attempt does not count. A timeout keeps it: the outcome is unknown.
     */
    public <T> T send(String fingerprint, java.util.function.Supplier<T> call) {
        try {
            return call.get();
        } catch (ApiException e) {
            if (e.code() == ErrorCode.UPSTREAM_UNAVAILABLE) {
                forget(fingerprint);
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

    private static Instant toInstant(Object value) {
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
