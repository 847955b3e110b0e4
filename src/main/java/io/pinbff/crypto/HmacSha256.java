package io.pinbff.crypto;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** HMAC-SHA256: webhook signatures, and keyed fingerprints of request content that may hold a TAN. */
public final class HmacSha256 {

    private HmacSha256() {}

    public static byte[] of(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is always available", e);
        }
    }

    public static String hex(byte[] key, String text) {
        return HexFormat.of().formatHex(of(key, text.getBytes(StandardCharsets.UTF_8)));
    }
}
