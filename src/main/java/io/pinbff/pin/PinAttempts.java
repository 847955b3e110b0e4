package io.pinbff.pin;

import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.pinbff.config.PinBffConfig;
import io.pinbff.crypto.Sha256;
import io.pinbff.error.ApiException;
import io.pinbff.error.ErrorCode;
import io.pinbff.sql.Sql;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.util.Locale;

/**
 * Attempt limits and single-use encrypted PINs, held in PostgreSQL so they hold across replicas.
 * Advisory locks per person and per card make "count, then record" atomic: two replicas cannot both
 * let the fifth attempt through, whichever of the person's cards they are for. The whole of it is one
 * round trip: the function {@code pin_submission_admit} (V6), called over a plain JDBC connection in
 * auto-commit mode (no JTA transaction, no Hibernate session on this path).
 */
@ApplicationScoped
public class PinAttempts {

    private static final String ADMIT = "select outcome, retry_after_seconds from pin_submission_admit(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

    private final AgroalDataSource db;
    private final Clock clock;
    private final PinBffConfig.Limits limits;
    private final MeterRegistry meters;

    PinAttempts(AgroalDataSource db, Clock clock, PinBffConfig config, MeterRegistry meters) {
        this.db = db;
        this.clock = clock;
        this.limits = config.limits();
        this.meters = meters;
    }

    /** A recorded submission; {@code fresh} when this request recorded it (not a retry under the same key). */
    public record Submission(String fingerprint, boolean fresh) {}

    /** What {@code pin_submission_admit} decided; nothing is refused until {@link #accept} is called. */
    public record Admission(String fingerprint, Outcome outcome, long retryAfterSeconds) {}

    /** The function's answers (V6__one_round_trip_admission.sql). */
    public enum Outcome { RECORDED, RETRIED, REUSED, CARD_LIMIT, USER_LIMIT }

    /**
     * Checks the limits, then the replay, and records the submission, under advisory locks on the
     * person and the card: simultaneous submissions for any of a person's cards, on any instance, are
     * counted one after the other, so the per-user limit holds as well as the per-card one. The same
     * JWE sent twice at once is inserted once; the other gets 409 {@code encrypted_pin_reused}. A
     * submission already recorded by the same person under the same {@code Idempotency-Key} is a retry
     * of a request whose outcome was not final: it passes without counting again. {@code keyId} (the PIN
     * key the JWE is for, already checked to be the current one) tells the purge when single use no
     * longer needs the row: a JWE for a key that is no longer current is refused before the replay check.
     * Nothing is refused here: the caller decides with {@link #accept} (or takes the record back with
     * {@link #withdraw}).
     */
    public Admission admit(String personId, String cardId, String flow, String encryptedPin, String keyId,
            String idempotencyKey) {
        String fingerprint = fingerprint(encryptedPin);
        return Sql.autoCommit(db, c -> Sql.query(c, ADMIT,
                row -> new Admission(fingerprint, Outcome.valueOf(row.getString(1).toUpperCase(Locale.ROOT)), row.getLong(2)),
                personId, cardId, flow, fingerprint, keyId, idempotencyKey, Instant.now(clock), limits.perCard(),
                limits.perCardWindow().toMillis() / 1000.0, limits.perUser(), limits.perUserWindow().toMillis() / 1000.0)
                .get(0));
    }

    /** The submission an admission allowed, or its refusal: 429 {@code too_many_attempts}, 409 {@code encrypted_pin_reused}. */
    public Submission accept(Admission admission) {
        return switch (admission.outcome()) {
            case RECORDED -> new Submission(admission.fingerprint(), true);
            case RETRIED -> new Submission(admission.fingerprint(), false);
            case REUSED -> throw ApiException.of(ErrorCode.ENCRYPTED_PIN_REUSED,
                    "This encrypted PIN was already submitted; encrypt the PIN again.");
            case CARD_LIMIT -> throw limited("card", "Too many PIN changes for this card; try again later.", admission);
            case USER_LIMIT -> throw limited("user", "Too many PIN changes; try again later.", admission);
        };
    }

    /** Takes back what {@link #admit} recorded (a check that ran alongside it refused the request): it does not count. */
    public void withdraw(Admission admission) {
        if (admission.outcome() == Outcome.RECORDED) {
            forget(admission.fingerprint());
        }
    }

    private ApiException limited(String scope, String message, Admission admission) {
        meters.counter("pinbff_rate_limit_rejections", "scope", scope).increment();
        return ApiException.retryLater(ErrorCode.TOO_MANY_ATTEMPTS, message, admission.retryAfterSeconds());
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
        Sql.autoCommit(db, c -> Sql.update(c, "delete from pin_submission where fingerprint = ?", fingerprint));
    }

    static String fingerprint(String encryptedPin) {
        return Sha256.hex(encryptedPin);
    }
}
