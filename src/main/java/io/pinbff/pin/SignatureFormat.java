package io.pinbff.pin;

import io.pinbff.error.ApiException;
import io.pinbff.error.ErrorCode;
import java.util.HexFormat;

/**
 * Checks that a device signature is hex-encoded DER of an ECDSA signature (SEQUENCE of two
 * positive INTEGERs, P-256 sized). Verifying it is Solaris' job: it holds the device keys.
 */
public final class SignatureFormat {

    public static final int MAX_HEX_LENGTH = 200;

    private SignatureFormat() {}

    public static void check(String field, String hex) {
        if (hex.isEmpty() || hex.length() > MAX_HEX_LENGTH || hex.length() % 2 != 0 || !isHex(hex)) {
            throw invalid(field, field + " must be hex-encoded (at most " + MAX_HEX_LENGTH + " characters).");
        }
        if (!isDerEcdsa(HexFormat.of().parseHex(hex))) {
            throw invalid(field, field + " is not a DER-encoded ECDSA signature.");
        }
    }

    static boolean isDerEcdsa(byte[] der) {
        if (der.length < 8 || der[0] != 0x30) {
            return false;
        }
        int seqLength = der[1] & 0xff;
        if (seqLength >= 0x80 || seqLength != der.length - 2) {
            return false; // P-256 signatures never need long-form lengths
        }
        int next = integerEnd(der, 2);
        return next > 0 && integerEnd(der, next) == der.length;
    }

    /** Index after a minimal, positive DER INTEGER of at most 33 bytes starting at {@code at}; -1 if there is none. */
    private static int integerEnd(byte[] der, int at) {
        if (at + 2 > der.length || der[at] != 0x02) {
            return -1;
        }
        int length = der[at + 1] & 0xff;
        int start = at + 2;
        if (length < 1 || length > 33 || start + length > der.length) {
            return -1;
        }
        if ((der[start] & 0x80) != 0) {
            return -1; // negative
        }
        if (length > 1 && der[start] == 0 && (der[start + 1] & 0x80) == 0) {
            return -1; // not minimal
        }
        return start + length;
    }

    private static boolean isHex(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
                return false;
            }
        }
        return true;
    }

    private static ApiException invalid(String field, String message) {
        return ApiException.invalid(ErrorCode.INVALID_SIGNATURE, field, message);
    }
}
