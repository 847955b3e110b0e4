package io.pinbff.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** HMAC-SHA256 against the RFC 4231 test vectors (4.2–4.8), and its hex form over UTF-8 text. */
class HmacSha256Test {

    private static final HexFormat HEX = HexFormat.of();

    private static byte[] repeat(int value, int times) {
        byte[] bytes = new byte[times];
        Arrays.fill(bytes, (byte) value);
        return bytes;
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    private static String hmac(byte[] key, byte[] data) {
        return HEX.formatHex(HmacSha256.of(key, data));
    }

    @Test
    void rfc4231TestCase1() {
        assertThat(hmac(repeat(0x0b, 20), ascii("Hi There")))
                .isEqualTo("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    }

    @Test
    void rfc4231TestCase2KeyShorterThanTheOutput() {
        assertThat(hmac(ascii("Jefe"), ascii("what do ya want for nothing?")))
                .isEqualTo("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }

    @Test
    void rfc4231TestCase3CombinedLengthOver64Bytes() {
        assertThat(hmac(repeat(0xaa, 20), repeat(0xdd, 50)))
                .isEqualTo("773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");
    }

    @Test
    void rfc4231TestCase4() {
        assertThat(hmac(HEX.parseHex("0102030405060708090a0b0c0d0e0f10111213141516171819"), repeat(0xcd, 50)))
                .isEqualTo("82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b");
    }

    @Test
    void rfc4231TestCase5TruncatedTo128Bits() {
        assertThat(hmac(repeat(0x0c, 20), ascii("Test With Truncation")))
                .startsWith("a3b6167473100ee06e0c796c2955552b");
    }

    @Test
    void rfc4231TestCase6KeyLargerThanTheBlock() {
        assertThat(hmac(repeat(0xaa, 131), ascii("Test Using Larger Than Block-Size Key - Hash Key First")))
                .isEqualTo("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
    }

    @Test
    void rfc4231TestCase7KeyAndDataLargerThanTheBlock() {
        String data = "This is a test using a larger than block-size key and a larger than block-size data."
                + " The key needs to be hashed before being used by the HMAC algorithm.";
        assertThat(hmac(repeat(0xaa, 131), ascii(data)))
                .isEqualTo("9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
    }

    @Test
    void hexIsTheLowerCaseHmacOfTheUtf8Text() {
        assertThat(HmacSha256.hex(ascii("Jefe"), "what do ya want for nothing?"))
                .isEqualTo("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
        // python3: hmac.new(b"Jefe", "Grüße".encode(), hashlib.sha256).hexdigest()
        assertThat(HmacSha256.hex(ascii("Jefe"), "Grüße"))
                .isEqualTo("a590c6b05a59862d7035ce11aabf62d172e7989b4c783624e079795e7201ff82");
    }

    @Test
    void theKeyMatters() {
        assertThat(HmacSha256.hex(ascii("key-a"), "body")).isNotEqualTo(HmacSha256.hex(ascii("key-b"), "body"));
    }
}
