package io.pinbff.sandbox;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;

import org.jose4j.json.JsonUtil;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jwa.AlgorithmConstraints.ConstraintType;
import org.jose4j.jwe.ContentEncryptionAlgorithmIdentifiers;
import org.jose4j.jwe.JsonWebEncryption;
import org.jose4j.jwe.KeyManagementAlgorithmIdentifiers;

/**
 * What Solaris does with the app's crypto, without any Quarkus: decrypting the PIN JWE, the PIN
 * policy, and checking device signatures. Plain static code so that it can be unit tested.
 */
public final class SandboxCrypto {

    public static final String JWE_ALG = KeyManagementAlgorithmIdentifiers.RSA_OAEP_256;
    public static final String JWE_ENC = ContentEncryptionAlgorithmIdentifiers.AES_256_CBC_HMAC_SHA_512;

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final HexFormat HEX = HexFormat.of();

    private SandboxCrypto() {
    }

    /**
     * Decrypts the compact JWE and returns the 4-digit PIN.
     *
     * @throws SolarisError {@code invalid_encrypted_pin} (400) for anything wrong with the JWE
     *         itself, {@code invalid_pin} (422) when the plaintext is not {@code {"pin":"dddd"}}
     */
    public static String decryptPin(String compactJwe, String expectedKid, PrivateKey key) {
        String payload;
        try {
            JsonWebEncryption jwe = new JsonWebEncryption();
            // exactly the pair Solaris documents; everything else (incl. "none"-like tricks) is refused
            jwe.setAlgorithmConstraints(new AlgorithmConstraints(ConstraintType.PERMIT, JWE_ALG));
            jwe.setContentEncryptionAlgorithmConstraints(new AlgorithmConstraints(ConstraintType.PERMIT, JWE_ENC));
            jwe.setCompactSerialization(compactJwe);
            if (!JWE_ALG.equals(jwe.getAlgorithmHeaderValue())
                    || !JWE_ENC.equals(jwe.getEncryptionMethodHeaderParameter())
                    || !expectedKid.equals(jwe.getKeyIdHeaderValue())) {
                throw invalidEncryptedPin();
            }
            jwe.setKey(key);
            payload = jwe.getPayload();
        } catch (SolarisError e) {
            throw e;
        } catch (Exception e) {
            // jose4j's messages may quote the input: never pass them on
            throw invalidEncryptedPin();
        }
        return pinOf(payload);
    }

    private static String pinOf(String payload) {
        Object pin;
        try {
            Map<String, Object> json = JsonUtil.parseJson(payload);
            pin = json == null ? null : json.get("pin");
        } catch (Exception e) {
            pin = null;
        }
        if (!(pin instanceof String p) || !p.matches("[0-9]{4}")) {
            throw SolarisError.unprocessable("invalid_pin", "Invalid PIN",
                    "The encrypted payload must be {\"pin\":\"<4 digits>\"}");
        }
        return p;
    }

    /** Solaris' PIN policy: no four equal digits, no ascending or descending run. */
    public static boolean isWeak(String pin) {
        boolean same = true, up = true, down = true;
        for (int i = 1; i < pin.length(); i++) {
            int step = pin.charAt(i) - pin.charAt(i - 1);
            same &= step == 0;
            up &= step == 1;
            down &= step == -1;
        }
        return same || up || down;
    }

    public static void requireStrong(String pin) {
        if (isWeak(pin)) {
            throw SolarisError.unprocessable("weak_pin", "Weak PIN", "The PIN is too easy to guess");
        }
    }

    /** hex(DER(ECDSA-P256-SHA256)) over the ASCII bytes of {@code text}; false for any malformed input. */
    public static boolean verifyDeviceSignature(PublicKey deviceKey, String text, String hexSignature) {
        if (deviceKey == null || text == null || hexSignature == null
                || hexSignature.isEmpty() || hexSignature.length() % 2 != 0) {
            return false;
        }
        try {
            byte[] der = HEX.parseHex(hexSignature);
            Signature verifier = Signature.getInstance("SHA256withECDSA");
            verifier.initVerify(deviceKey);
            verifier.update(text.getBytes(StandardCharsets.US_ASCII));
            return verifier.verify(der);
        } catch (IllegalArgumentException | GeneralSecurityException e) {
            return false;
        }
    }

    /** Stored instead of the PIN: salted with the card id so equal PINs of two cards differ. */
    public static String pinHash(String cardId, String pin) {
        return sha256Hex(cardId + ":" + pin);
    }

    public static String sha256Hex(String text) {
        try {
            return HEX.formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String randomHex(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return HEX.formatHex(b);
    }

    public static String randomBase64Url(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    public static KeyPair newRsaKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Reads an X.509 SubjectPublicKeyInfo PEM ("BEGIN PUBLIC KEY") holding an EC key. */
    public static PublicKey readEcPublicKeyPem(String pem) {
        String base64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        try {
            return KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(base64)));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not an EC public key PEM", e);
        }
    }

    public static String base64Url(BigInteger value) {
        byte[] bytes = value.toByteArray();
        // big-endian unsigned, as JWK wants: drop the sign byte BigInteger may add
        if (bytes.length > 1 && bytes[0] == 0) {
            bytes = Arrays.copyOfRange(bytes, 1, bytes.length);
        }
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static SolarisError invalidEncryptedPin() {
        return new SolarisError(400, "invalid_encrypted_pin", "Invalid Encrypted PIN",
                "encrypted_pin is not a JWE for the given key (RSA-OAEP-256, A256CBC-HS512)");
    }
}
