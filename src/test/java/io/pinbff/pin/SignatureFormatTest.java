package io.pinbff.pin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.pinbff.error.ApiException;
import io.pinbff.error.ErrorCode;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The device-signature format check without a Quarkus boot: hex (either case), at most 200
 * characters, of a DER SEQUENCE of two minimal positive INTEGERs (an ECDSA P-256 signature).
 * Every refusal is 400 invalid_signature on the field that was checked.
 */
class SignatureFormatTest {

    /** DER SEQUENCE { INTEGER r, INTEGER s } of the given hex contents (short-form lengths). */
    private static String der(String r, String s) {
        String body = "02" + len(r) + r + "02" + len(s) + s;
        return "30" + len(body) + body;
    }

    private static String len(String hex) {
        return String.format("%02x", hex.length() / 2);
    }

    /** 32 bytes; and 33 bytes whose leading zero keeps the 0x80 byte positive. */
    private static final String R = "01" + "ab".repeat(31);
    private static final String S = "0080" + "cd".repeat(31);

    private static ApiException refusal(String field, String hex) {
        ApiException e = catchThrowableOfType(ApiException.class, () -> SignatureFormat.check(field, hex));
        assertThat(e).as("refused: %s", hex).isNotNull();
        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_SIGNATURE);
        assertThat(e.errors()).singleElement().satisfies(f -> assertThat(f.field()).isEqualTo(field));
        return e;
    }

    @Test
    void aRealP256SignatureFromTheJdkPasses() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        Signature signer = Signature.getInstance("SHA256withECDSA");
        signer.initSign(generator.generateKeyPair().getPrivate());
        for (int i = 0; i < 20; i++) { // r and s vary in length (leading zero or not): cover several
            signer.update(("message " + i).getBytes());
            String hex = HexFormat.of().formatHex(signer.sign());
            assertThatCode(() -> SignatureFormat.check("signature", hex)).doesNotThrowAnyException();
            assertThatCode(() -> SignatureFormat.check("signature", hex.toUpperCase())).doesNotThrowAnyException();
        }
    }

    @Test
    void aHandBuiltSequenceOfTwoPositiveIntegersPasses() {
        assertThatCode(() -> SignatureFormat.check("signature", der(R, S))).doesNotThrowAnyException();
        assertThatCode(() -> SignatureFormat.check("signature", der("01", "7f"))).doesNotThrowAnyException();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "abc", "zz", "30 06", "0x3006020101020101", "3006020101020101g0"})
    void anythingButNonEmptyEvenLengthHexIsRefused(String hex) {
        assertThat(refusal("signature", hex).getMessage()).contains("hex-encoded");
    }

    @Test
    void atMost200HexCharacters() {
        assertThat(SignatureFormat.MAX_HEX_LENGTH).isEqualTo(200);
        // 202 hex characters are refused before any parsing
        assertThat(refusal("signature", "30".repeat(101)).getMessage()).contains("at most 200");
        // exactly 200 is parsed (and then refused for not being DER)
        assertThat(refusal("signature", "30".repeat(100)).getMessage()).contains("not a DER-encoded ECDSA");
    }

    @Test
    void theFieldNameIsTheOneChecked() {
        assertThat(refusal("device_signature", "xyz").getMessage()).startsWith("device_signature ");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "3106020101020101",                 // SET, not SEQUENCE
            "3007020101020101",                 // sequence length too long
            "3005020101020101",                 // sequence length too short
            "300602010102010100",               // trailing byte
            "3006030101020101",                 // first element not an INTEGER
            "3006020101030101",                 // second element not an INTEGER
            "30060201010201",                   // truncated
            "3006020002020101",                 // zero-length INTEGER
            "3006020181020101",                 // negative r
            "3006020101020181",                 // negative s
            "300702020001020101",               // r with a needless leading zero
            "3008020101020101" + "0000",        // a third element
            "3003020101",                       // one INTEGER only
            "30810602010102010100"              // long-form length
    })
    void anythingButTwoMinimalPositiveIntegersInASequenceIsRefused(String hex) {
        assertThat(refusal("signature", hex).getMessage()).contains("not a DER-encoded ECDSA");
    }

    @Test
    void integersLongerThan33BytesAreRefused() {
        String r34 = "01" + "00".repeat(33);
        assertThat(SignatureFormat.isDerEcdsa(HexFormat.of().parseHex(der(r34, "01")))).isFalse();
        String r33 = "00" + "80".repeat(32);
        assertThat(SignatureFormat.isDerEcdsa(HexFormat.of().parseHex(der(r33, r33)))).isTrue();
    }

    @Test
    void fewerThanEightBytesAreNeverASignature() {
        assertThat(SignatureFormat.isDerEcdsa(HexFormat.of().parseHex("30050201010201"))).isFalse();
        assertThat(SignatureFormat.isDerEcdsa(new byte[0])).isFalse();
    }
}
