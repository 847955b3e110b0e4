package io.pinbff.pin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.pinbff.solaris.SolarisJwk;
import org.junit.jupiter.api.Test;

/** A Solaris key is served only within the bounds the contract states for PinKey. */
class PinKeyTest {

    private static SolarisJwk jwk(String kid, String n, String e) {
        return new SolarisJwk(kid, "RSA", "enc", "RS256", n, e);
    }

    @Test
    void aWellFormedKeyIsServedWithTheNormalisedAlgorithm() {
        PinKey key = PinKey.fromSolaris(jwk("key-1 2024", "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAF_-w", "AQAB"));
        assertNotNull(key);
        assertEquals("RSA-OAEP-256", key.alg());
        assertEquals("key-1 2024", key.kid());
    }

    @Test
    void keysOutsideTheServedBoundsAreNotUsable() {
        String n = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc";
        assertNull(PinKey.fromSolaris(jwk(null, n, "AQAB")));
        assertNull(PinKey.fromSolaris(jwk("", n, "AQAB")));
        assertNull(PinKey.fromSolaris(jwk("k".repeat(PinKey.MAX_KID + 1), n, "AQAB")));
        assertNotNull(PinKey.fromSolaris(jwk("k".repeat(PinKey.MAX_KID), n, "AQAB")));
        assertNull(PinKey.fromSolaris(jwk("k\u00e9y", n, "AQAB")));
        assertNull(PinKey.fromSolaris(jwk("k\ny", n, "AQAB")));
        assertNull(PinKey.fromSolaris(jwk("k", "A".repeat(PinKey.MAX_N + 1), "AQAB")));
        assertNull(PinKey.fromSolaris(jwk("k", n + "==", "AQAB")));
        assertNull(PinKey.fromSolaris(jwk("k", n, "A".repeat(PinKey.MAX_E + 1))));
        assertNull(PinKey.fromSolaris(jwk("k", n, "AQ+B")));
        assertNull(PinKey.fromSolaris(jwk("k", n, "")));
    }
}
