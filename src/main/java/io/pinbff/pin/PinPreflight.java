package io.pinbff.pin;

import io.pinbff.error.ApiException;
import io.pinbff.error.ErrorCode;
import io.pinbff.solaris.SolarisAnswer;
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

    /** What a refused PIN write, sent with {@code keyId}, means to the app. */
    public ApiException rejection(SolarisAnswer<?> answer, String keyId) {
        String code = answer.errorCode();
        if ("invalid_key".equals(code)) {
            return keys.rejectedByUpstream(keyId);
        }
        if (answer.status() == 404) {
            return ApiException.of(ErrorCode.CARD_NOT_FOUND, "No such card.");
        }
        ApiException rejected = ApiException.of(ErrorCode.PIN_CHANGE_REJECTED,
                "Solaris refused the PIN change" + (code == null ? "." : " (" + code + ")."));
        return code == null ? rejected : rejected.with("upstream_code", code);
    }
}
