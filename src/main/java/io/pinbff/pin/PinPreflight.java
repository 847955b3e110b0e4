package io.pinbff.pin;

import io.pinbff.error.ApiException;
import io.pinbff.error.ErrorCode;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The checks every PIN submission passes before anything is written to Solaris, in the contract's
 * order: JWE shape, key, signature format, card ownership and state. One implementation for the
 * direct and the change-request flow.
 */
@ApplicationScoped
public class PinPreflight {

    private final PinKeyCache keys;
    private final CardAccess cards;

    PinPreflight(PinKeyCache keys, CardAccess cards) {
        this.keys = keys;
        this.cards = cards;
    }

    /**
     * The checks that need nothing but the request and the cached PIN key: JWE shape, key, signature format.
     * @param signature the device signature, or null for a flow that has none
     */
    public void checkRequest(String encryptedPin, String keyId, String signature) {
        EncryptedPinCheck.check(encryptedPin, keyId);
        keys.requireCurrent(keyId);
        if (signature != null) {
            SignatureFormat.check("signature", signature);
        }
    }

    /**
     * Runs {@code work} (the PostgreSQL bookkeeping) while the card's ownership and state are checked
     * on a virtual thread of their own (the card lookup: cached, else a Solaris GET), since neither
     * needs the other. The card check still decides first, as if it had run before: when it refuses
     * (404 card_not_found, 409 card_not_active, 503), what {@code work} did is taken back with
     * {@code undo} and the card's refusal is thrown, whatever {@code work} answered; when it passes,
     * {@code work}'s own failure, if any, is thrown.
     */
    public <T> T alongsideCardCheck(String personId, String cardId, Supplier<T> work, Consumer<T> undo) {
        FutureTask<Void> card = new FutureTask<>(() -> {
            cards.requireOwnedActive(cardId, personId);
            return null;
        });
        Thread.ofVirtual().name("card-check").start(card);
        T done = null;
        RuntimeException failed = null;
        try {
            done = work.get();
        } catch (RuntimeException e) {
            failed = e;
        }
        try {
            awaitCardCheck(card);
        } catch (RuntimeException refused) {
            if (failed == null) {
                try {
                    undo.accept(done);
                } catch (RuntimeException e) {
                    refused.addSuppressed(e);
                }
            }
            throw refused;
        }
        if (failed != null) {
            throw failed;
        }
        return done;
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
