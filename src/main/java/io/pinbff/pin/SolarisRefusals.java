package io.pinbff.pin;

import io.pinbff.error.ApiException;
import io.pinbff.error.ErrorCode;
import io.pinbff.solaris.SolarisAnswer;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Set;

/**
 * The one mapping from Solaris refusing a call (a 4xx with its {@code errors[0].code}) to the
 * contract's error codes, for the direct and the change-request flow alike. Solaris' own code is
 * passed on as {@code upstream_code}.
 */
@ApplicationScoped
public class SolarisRefusals {

    private static final Set<String> WRONG_CONFIRMATION = Set.of("invalid_tan", "invalid_signature");

    private final PinKeyCache keys;

    SolarisRefusals(PinKeyCache keys) {
        this.keys = keys;
    }

    /**
     * A refused PIN write (direct, or the creation of a change request) sent with {@code keyId}: a
     * key Solaris no longer takes is 409 {@code pin_key_outdated} with the current key, an unknown
     * card 404 {@code card_not_found}, anything else 422 {@code pin_change_rejected}.
     */
    public ApiException ofPinWrite(SolarisAnswer<?> answer, String keyId) {
        String code = answer.errorCode();
        if ("invalid_key".equals(code)) {
            return keys.rejectedByUpstream(keyId);
        }
        if (answer.status() == 404) {
            return ApiException.of(ErrorCode.CARD_NOT_FOUND, "No such card.");
        }
        return rejected("PIN change", code);
    }

    /** A wrong TAN or device signature: the confirm used up one of the change request's tries. */
    public static boolean wrongConfirmation(String code) {
        return WRONG_CONFIRMATION.contains(code);
    }

    /** 422 {@code pin_change_rejected}: Solaris refused {@code what}, for the reason {@code code} (may be null). */
    public static ApiException rejected(String what, String code) {
        ApiException rejected = ApiException.of(ErrorCode.PIN_CHANGE_REJECTED,
                "Solaris refused the " + what + (code == null ? "." : " (" + code + ")."));
        return code == null ? rejected : rejected.with("upstream_code", code);
    }
}
