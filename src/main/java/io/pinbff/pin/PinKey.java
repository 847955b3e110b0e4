package io.pinbff.pin;

import com.fasterxml.jackson.databind.JsonNode;
import io.pinbff.crypto.Sha256;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * The Solaris PIN-encryption key as the app must use it. Solaris labels the key {@code RS256};
 * it is an RSA-OAEP-256 encryption key, so {@code alg} is normalised here.
 */
@RegisterForReflection
public record PinKey(String kid, String kty, String use, String alg, String n, String e) {

    public static final String ALG = "RSA-OAEP-256";

    /** From Solaris' JWK; null when the answer is not an RSA key with kid, n and e. */
    static PinKey fromSolaris(JsonNode jwk) {
        String kid = text(jwk, "kid");
        String n = text(jwk, "n");
        String e = text(jwk, "e");
        String kty = text(jwk, "kty");
        if (kid == null || kid.isEmpty() || n == null || n.isEmpty() || e == null || e.isEmpty() || !"RSA".equals(kty)) {
            return null;
        }
        return new PinKey(kid, "RSA", "enc", ALG, n, e);
    }

    /** A strong validator over everything the app uses, so a rotation changes it. */
    public String etag() {
        return Sha256.etag(kid + '.' + n + '.' + e);
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isTextual() ? value.asText() : null;
    }
}
