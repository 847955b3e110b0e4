package io.pinbff.crypto;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 fingerprints (replay, idempotency) and the strong ETags derived from them. */
public final class Sha256 {

    private Sha256() {}

    public static String hex(String text) {
        return HexFormat.of().formatHex(digest(text));
    }

    /** A quoted strong validator: the first 128 bits of the digest. */
    public static String etag(String basis) {
        return '"' + HexFormat.of().formatHex(digest(basis), 0, 16) + '"';
    }

    private static byte[] digest(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }
}
