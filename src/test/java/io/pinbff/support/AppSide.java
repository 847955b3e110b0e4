package io.pinbff.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;

import org.jose4j.jwe.ContentEncryptionAlgorithmIdentifiers;
import org.jose4j.jwe.JsonWebEncryption;
import org.jose4j.jwe.KeyManagementAlgorithmIdentifiers;
import org.jose4j.lang.JoseException;

/**
 * What the mobile app does, for tests and the demo client: encrypt the PIN to Solaris' key
 * (RSA-OAEP-256 + A256CBC-HS512, kid header) and sign with the device's restricted EC P-256 key.
 */
public final class AppSide {

    public static final String DEMO_DEVICE_KEY_RESOURCE = "demo-device-private.pem";

    private AppSide() {
    }

    /** Compact JWE of {"pin":"<pin>"} for the JWK as served (by Solaris or the BFF): kid, n, e. */
    public static String encryptPin(String pin, Map<String, Object> jwk) {
        return encryptPin(pin, (String) jwk.get("kid"), rsaKey(jwk));
    }

    public static String encryptPin(String pin, String kid, RSAPublicKey key) {
        return encrypt("{\"pin\":\"" + pin.replace("\\", "\\\\").replace("\"", "\\\"") + "\"}", kid, key);
    }

    /** Any plaintext, e.g. a malformed PIN payload a test wants Solaris to refuse. */
    public static String encrypt(String plaintext, String kid, RSAPublicKey key) {
        JsonWebEncryption jwe = new JsonWebEncryption();
        jwe.setAlgorithmHeaderValue(KeyManagementAlgorithmIdentifiers.RSA_OAEP_256);
        jwe.setEncryptionMethodHeaderParameter(ContentEncryptionAlgorithmIdentifiers.AES_256_CBC_HMAC_SHA_512);
        if (kid != null) {
            jwe.setKeyIdHeaderValue(kid);
        }
        jwe.setKey(key);
        jwe.setPayload(plaintext);
        try {
            return jwe.getCompactSerialization();
        } catch (JoseException e) {
            throw new IllegalStateException("cannot encrypt", e);
        }
    }

    /** A fresh device-binding key (EC P-256). */
    public static KeyPair newDeviceKey() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** hex(DER(ECDSA-P256-SHA256)) over the ASCII bytes of the text, as Solaris expects. */
    public static String sign(String text, PrivateKey ecKey) {
        try {
            Signature signer = Signature.getInstance("SHA256withECDSA");
            signer.initSign(ecKey);
            signer.update(text.getBytes(StandardCharsets.US_ASCII));
            return HexFormat.of().formatHex(signer.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The private key of the sandbox's seeded device {@code demo-device-1} (PKCS#8 PEM on the test classpath). */
    public static PrivateKey demoDeviceKey() {
        try (InputStream in = AppSide.class.getClassLoader().getResourceAsStream(DEMO_DEVICE_KEY_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + DEMO_DEVICE_KEY_RESOURCE);
            }
            String pem = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
            String base64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
            return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The RSA public key of a JWK (n, e base64url). */
    public static RSAPublicKey rsaKey(Map<String, Object> jwk) {
        try {
            BigInteger n = new BigInteger(1, Base64.getUrlDecoder().decode((String) jwk.get("n")));
            BigInteger e = new BigInteger(1, Base64.getUrlDecoder().decode((String) jwk.get("e")));
            return (RSAPublicKey) KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(n, e));
        } catch (GeneralSecurityException ex) {
            throw new IllegalStateException(ex);
        }
    }
}
