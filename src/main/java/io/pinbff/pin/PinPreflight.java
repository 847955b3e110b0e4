package io.pinbff.pin;

import jakarta.enterprise.context.ApplicationScoped;

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

    /** @param signature the device signature, or null for a flow that has none */
    public void check(String personId, String cardId, String encryptedPin, String keyId, String signature) {
        EncryptedPinCheck.check(encryptedPin, keyId);
        keys.requireCurrent(keyId);
        if (signature != null) {
            SignatureFormat.check("signature", signature);
        }
        cards.requireOwnedActive(cardId, personId);
    }
}
