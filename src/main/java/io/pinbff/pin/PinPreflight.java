package io.pinbff.pin;

import io.pinbff.error.ApiException;
import io.pinbff.error.ErrorCode;
import io.pinbff.solaris.SolarisIntake;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * The checks every PIN submission passes before anything is written to Solaris, in the contract's
 * order: JWE shape, key, signature format, card ownership and state — then limits and single use
 * ({@link PinAttempts}). One implementation for the direct and the change-request flow.
 */
@ApplicationScoped
public class PinPreflight {

    private final PinKeyCache keys;
    private final CardAccess cards;
    private final PinAttempts attempts;
    private final SolarisIntake intake;

    PinPreflight(PinKeyCache keys, CardAccess cards, PinAttempts attempts, SolarisIntake intake) {
        this.keys = keys;
        this.cards = cards;
        this.attempts = attempts;
        this.intake = intake;
    }

    /**
     * Checks the request against the cached PIN key (JWE shape, key, signature format), then admits the
     * submission ({@link PinAttempts#admit}: one PostgreSQL round trip) while the card's ownership and
     * state are checked on a virtual thread of their own (the card lookup is a Solaris GET), since
     * neither needs the other. A card this instance holds is checked first, on the caller's thread
     * (a map read; no thread to start and join for it). The card check still decides first, as if it
     * had run before: when it refuses (404 card_not_found, 409 card_not_active, 503), what the
     * admission recorded is taken back and the card's refusal is thrown; when it passes, the
     * admission's own failure, if any, is thrown. The admission's refusals (limits, reuse) are the
     * caller's to raise, with {@link PinAttempts#accept}. The card check's start and the admission hold a {@link SolarisIntake}
     * slot, given back before waiting for the card: under a burst, submissions queue before their first
     * Solaris call, not inside it.
     * @param signature the device signature, or null for a flow that has none
     */
    public PinAttempts.Admission admit(String personId, String cardId, String flow, String encryptedPin, String keyId,
            String signature, String idempotencyKey) {
        EncryptedPinCheck.check(encryptedPin, keyId);
        keys.requireCurrent(keyId);
        if (signature != null) {
            SignatureFormat.check("signature", signature);
        }
        if (cards.requireOwnedActiveIfHeld(cardId, personId)) {
            // Held here: the check is a map read, so it runs first and nothing is recorded for a refused card.
            try (SolarisIntake.Slot slot = intake.enter()) {
                return attempts.admit(personId, cardId, flow, encryptedPin, keyId, idempotencyKey);
            }
        }
        FutureTask<Void> card = new FutureTask<>(() -> {
            cards.requireOwnedActive(cardId, personId);
            return null;
        });
        PinAttempts.Admission admission = null;
        RuntimeException failed = null;
        try (SolarisIntake.Slot slot = intake.enter()) {
            // With the caller's trace context, so the card lookup's Solaris span joins the request's trace.
            Thread.ofVirtual().name("card-check").start(io.opentelemetry.context.Context.current().wrap(card));
            try {
                admission = attempts.admit(personId, cardId, flow, encryptedPin, keyId, idempotencyKey);
            } catch (RuntimeException e) {
                failed = e;
            }
        }
        try {
            awaitCardCheck(card);
        } catch (RuntimeException refused) {
            if (failed == null) {
                try {
                    attempts.withdraw(admission);
                } catch (RuntimeException e) {
                    refused.addSuppressed(e);
                }
            }
            throw refused;
        }
        if (failed != null) {
            throw failed;
        }
        return admission;
    }

    private static void awaitCardCheck(FutureTask<Void> card) {
        try {
            card.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException refused) {
                throw refused;
            }
            throw new IllegalStateException("The card check failed.", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiException.retryLater(ErrorCode.UPSTREAM_UNAVAILABLE, "Interrupted while checking the card.", 1);
        }
    }
}
