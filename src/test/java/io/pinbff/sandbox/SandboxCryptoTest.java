package io.pinbff.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.RSAPublicKey;

import org.jose4j.jwe.ContentEncryptionAlgorithmIdentifiers;
import org.jose4j.jwe.JsonWebEncryption;
import org.jose4j.jwe.KeyManagementAlgorithmIdentifiers;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.pinbff.support.AppSide;

/** Solaris' crypto checks as the sandbox does them, without Quarkus. */
class SandboxCryptoTest {

    private static final String KID = "7ad91cad-8544-4fd2-be48-4729570a394a";
    private static KeyPair solarisKey;

    @BeforeAll
    static void keys() {
        solarisKey = SandboxCrypto.newRsaKeyPair();
    }

    private static RSAPublicKey publicKey() {
        return (RSAPublicKey) solarisKey.getPublic();
    }

    private static PrivateKey privateKey() {
        return solarisKey.getPrivate();
    }

    @Test
    void decryptsThePinTheAppEncrypted() {
        String jwe = AppSide.encryptPin("4826", KID, publicKey());

        assertThat(jwe.split("\\.", -1)).hasSize(5);
        assertThat(SandboxCrypto.decryptPin(jwe, KID, privateKey())).isEqualTo("4826");
    }

    @Test
    void decryptsForTheJwkAsServed() {
        var jwk = new java.util.HashMap<String, Object>();
        jwk.put("kid", KID);
        jwk.put("n", SandboxCrypto.base64Url(publicKey().getModulus()));
        jwk.put("e", SandboxCrypto.base64Url(publicKey().getPublicExponent()));

        assertThat(SandboxCrypto.decryptPin(AppSide.encryptPin("5830", jwk), KID, privateKey())).isEqualTo("5830");
    }

    @Test
    void refusesJweWhoseKidIsNotTheKeyId() {
        String jwe = AppSide.encryptPin("4826", "another-kid", publicKey());

        assertCode(() -> SandboxCrypto.decryptPin(jwe, KID, privateKey()), "invalid_encrypted_pin");
    }

    @Test
    void refusesJweForAnotherKey() {
        RSAPublicKey foreign = (RSAPublicKey) SandboxCrypto.newRsaKeyPair().getPublic();
        String jwe = AppSide.encryptPin("4826", KID, foreign);

        assertCode(() -> SandboxCrypto.decryptPin(jwe, KID, privateKey()), "invalid_encrypted_pin");
    }

    @Test
    void refusesOtherAlgorithms() throws Exception {
        JsonWebEncryption jwe = new JsonWebEncryption();
        jwe.setAlgorithmHeaderValue(KeyManagementAlgorithmIdentifiers.RSA_OAEP); // SHA-1 OAEP
        jwe.setEncryptionMethodHeaderParameter(ContentEncryptionAlgorithmIdentifiers.AES_128_CBC_HMAC_SHA_256);
        jwe.setKeyIdHeaderValue(KID);
        jwe.setKey(publicKey());
        jwe.setPayload("{\"pin\":\"4826\"}");
        String compact = jwe.getCompactSerialization();

        assertCode(() -> SandboxCrypto.decryptPin(compact, KID, privateKey()), "invalid_encrypted_pin");
    }

    @ParameterizedTest
    @ValueSource(strings = { "", "not-a-jwe", "a.b.c.d.e", "a.b.c" })
    void refusesGarbage(String garbage) {
        assertCode(() -> SandboxCrypto.decryptPin(garbage, KID, privateKey()), "invalid_encrypted_pin");
    }

    @ParameterizedTest
    @ValueSource(strings = { "{\"pin\":\"12345\"}", "{\"pin\":\"12a4\"}", "{\"pin\":4826}", "{\"code\":\"4826\"}",
            "4826", "[\"4826\"]", "{\"pin\":\"४८२६\"}" })
    void refusesPayloadsThatAreNotFourDigits(String payload) {
        String jwe = AppSide.encrypt(payload, KID, publicKey());

        assertCode(() -> SandboxCrypto.decryptPin(jwe, KID, privateKey()), "invalid_pin");
    }

    @ParameterizedTest
    @ValueSource(strings = { "0000", "7777", "1234", "0123", "6789", "4321", "9876", "3210" })
    void weakPins(String pin) {
        assertThat(SandboxCrypto.isWeak(pin)).isTrue();
        assertCode(() -> SandboxCrypto.requireStrong(pin), "weak_pin");
    }

    @ParameterizedTest
    @ValueSource(strings = { "4826", "1235", "1243", "0987", "9012", "1122", "2580" })
    void acceptablePins(String pin) {
        assertThat(SandboxCrypto.isWeak(pin)).isFalse();
    }

    @Test
    void verifiesTheDeviceSignatureOverTheJwe() {
        KeyPair device = AppSide.newDeviceKey();
        String jwe = AppSide.encryptPin("4826", KID, publicKey());
        String signature = AppSide.sign(jwe, device.getPrivate());

        assertThat(signature).startsWith("30").matches("[0-9a-f]+");
        assertThat(SandboxCrypto.verifyDeviceSignature(device.getPublic(), jwe, signature)).isTrue();
    }

    @Test
    void refusesBadSignatures() {
        KeyPair device = AppSide.newDeviceKey();
        KeyPair otherDevice = AppSide.newDeviceKey();
        String text = AppSide.encryptPin("4826", KID, publicKey());
        String signature = AppSide.sign(text, device.getPrivate());

        assertThat(SandboxCrypto.verifyDeviceSignature(device.getPublic(), text + "x", signature)).isFalse();
        assertThat(SandboxCrypto.verifyDeviceSignature(otherDevice.getPublic(), text, signature)).isFalse();
        assertThat(SandboxCrypto.verifyDeviceSignature(device.getPublic(), text, "zz" + signature.substring(2))).isFalse();
        assertThat(SandboxCrypto.verifyDeviceSignature(device.getPublic(), text, "abc")).isFalse();
        assertThat(SandboxCrypto.verifyDeviceSignature(device.getPublic(), text, "00".repeat(64))).isFalse();
        assertThat(SandboxCrypto.verifyDeviceSignature(device.getPublic(), text, "")).isFalse();
    }

    @Test
    void demoDeviceKeysArePairs() throws Exception {
        PublicKey demoPublic;
        try (InputStream in = getClass().getClassLoader().getResourceAsStream(SolarisSandbox.DEMO_DEVICE_KEY_RESOURCE)) {
            demoPublic = SandboxCrypto.readEcPublicKeyPem(new String(in.readAllBytes(), StandardCharsets.US_ASCII));
        }
        String signature = AppSide.sign("string-to-sign", AppSide.demoDeviceKey());

        assertThat(SandboxCrypto.verifyDeviceSignature(demoPublic, "string-to-sign", signature)).isTrue();
    }

    @Test
    void pinHashesDependOnTheCard() {
        assertThat(SandboxCrypto.pinHash("a", "4826")).isEqualTo(SandboxCrypto.pinHash("a", "4826"))
                .isNotEqualTo(SandboxCrypto.pinHash("b", "4826")).doesNotContain("4826");
    }

    private static void assertCode(Runnable action, String code) {
        assertThatThrownBy(action::run).isInstanceOfSatisfying(SolarisError.class,
                e -> assertThat(e.code()).isEqualTo(code));
    }
}
