package io.pinbff.pin;

import io.pinbff.crypto.Sha256;
import io.pinbff.solaris.SolarisJwk;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.regex.Pattern;

/**
 * The Solaris PIN-encryption key as the app must use it. Solaris labels the key {@code RS256};
 * it is an RSA-OAEP-256 encryption key, so {@code alg} is normalised here.
 */
@RegisterForReflection
public record PinKey(String kid, String kty, String use, String alg, String n, String e) {

    public static final String ALG = "RSA-OAEP-256";

    /** Bounds of the key as served (openapi/pin-bff.yaml, PinKey; kid and e as the pin_key table holds them). */
    static final int MAX_KID = 200;
    static final int MAX_N = 4096;
    static final int MAX_E = 64;
    private static final Pattern KID = Pattern.compile("[\\x20-\\x7E]{1," + MAX_KID + "}");
    private static final Pattern BASE64URL = Pattern.compile("[A-Za-z0-9_-]+");

    /** From Solaris' JWK; null when the answer is not an RSA key with kid, n and e within the served bounds. */
    static PinKey fromSolaris(SolarisJwk jwk) {
        String kid = jwk.kid();
        String n = jwk.n();
        String e = jwk.e();
        String kty = jwk.kty();
        if (kid == null || !KID.matcher(kid).matches() || !base64url(n, MAX_N) || !base64url(e, MAX_E)
                || !"RSA".equals(kty)) {
            return null;
        }
        return new PinKey(kid, "RSA", "enc", ALG, n, e);
    }

    /** A strong validator over everything the app uses, so a rotation changes it. */
    public String etag() {
        return Sha256.etag(kid + '.' + n + '.' + e);
    }

    private static boolean base64url(String value, int maxLength) {
        return value != null && !value.isEmpty() && value.length() <= maxLength && BASE64URL.matcher(value).matches();
    }
}
