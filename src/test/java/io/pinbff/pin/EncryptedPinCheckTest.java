package io.pinbff.pin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.pinbff.error.ApiException;
import io.pinbff.error.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The JWE pre-flight check without a Quarkus boot: a compact JWE of exactly five unpadded base64url
 * segments, non-empty header, encrypted key, IV and tag, alg RSA-OAEP-256 / enc A256CBC-HS512,
 * kid = key_id, none of zip/jku/jwk/x5u, at most 4 KiB. Every refusal is 400 invalid_encrypted_pin
 * on the field encrypted_pin.
 */
class EncryptedPinCheckTest {

    private static final String KEY_ID = "key-2024-01";
    private static final String KEY = "c29tZS1lbmNyeXB0ZWQta2V5";
    private static final String IV = "aXYtaXYtaXYtaXYtaXYtaQ";
    private static final String CIPHERTEXT = "Y2lwaGVydGV4dA";
    private static final String TAG = "dGFnLXRhZy10YWctdGFnLXRhZw";

    private static String b64(String text) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String header(String json) {
        return b64(json);
    }

    private static String validHeader() {
        return header("{\"alg\":\"RSA-OAEP-256\",\"enc\":\"A256CBC-HS512\",\"kid\":\"" + KEY_ID + "\"}");
    }

    private static String jwe(String header) {
        return String.join(".", header, KEY, IV, CIPHERTEXT, TAG);
    }

    private static ApiException refusal(String jwe) {
        ApiException e = catchThrowableOfType(ApiException.class, () -> EncryptedPinCheck.check(jwe, KEY_ID));
        assertThat(e).as("refused: %s", jwe).isNotNull();
        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ENCRYPTED_PIN);
        assertThat(e.errors()).singleElement().satisfies(f -> assertThat(f.field()).isEqualTo("encrypted_pin"));
        return e;
    }

    @Test
    void aWellFormedJweForTheKeyPasses() {
        assertThatCode(() -> EncryptedPinCheck.check(jwe(validHeader()), KEY_ID)).doesNotThrowAnyException();
    }

    @Test
    void extraHeaderFieldsThatAreNotForbiddenAreAccepted() {
        String header = header("{\"alg\":\"RSA-OAEP-256\",\"enc\":\"A256CBC-HS512\",\"kid\":\"" + KEY_ID
                + "\",\"typ\":\"JOSE\",\"cty\":\"json\"}");
        assertThatCode(() -> EncryptedPinCheck.check(jwe(header), KEY_ID)).doesNotThrowAnyException();
    }

    @Test
    void theCiphertextSegmentMayBeEmpty() {
        String jwe = String.join(".", validHeader(), KEY, IV, "", TAG);
        assertThatCode(() -> EncryptedPinCheck.check(jwe, KEY_ID)).doesNotThrowAnyException();
    }

    @Test
    void exactlyFourKibIsAcceptedAndOneCharacterMoreIsNot() {
        String base = jwe(validHeader());
        // pad the ciphertext so the whole string is exactly MAX_LENGTH, keeping it valid base64url (length % 4 != 1)
        int fill = EncryptedPinCheck.MAX_LENGTH - base.length();
        String atLimit = String.join(".", validHeader(), KEY, IV, CIPHERTEXT + "A".repeat(fill), TAG);
        if (atLimit.split("\\.")[3].length() % 4 == 1) { // keep the segment decodable; move one char to the tag
            atLimit = String.join(".", validHeader(), KEY, IV, CIPHERTEXT + "A".repeat(fill - 2), TAG + "AA");
        }
        assertThat(atLimit).hasSize(EncryptedPinCheck.MAX_LENGTH);
        String ok = atLimit;
        assertThatCode(() -> EncryptedPinCheck.check(ok, KEY_ID)).doesNotThrowAnyException();

        assertThat(EncryptedPinCheck.MAX_LENGTH).isEqualTo(4096);
        ApiException e = refusal(String.join(".", validHeader(), KEY, IV, CIPHERTEXT + "A".repeat(fill + 4), TAG));
        assertThat(e.getMessage()).contains("at most 4096");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 4, 6, 7})
    void anythingButFiveSegmentsIsRefused(int segments) {
        String[] parts = {validHeader(), KEY, IV, CIPHERTEXT, TAG, TAG, TAG};
        String jwe = String.join(".", java.util.Arrays.copyOf(parts, segments));
        assertThat(refusal(jwe).getMessage()).contains("five");
    }

    @Test
    void aTrailingDotMakesASixthSegment() {
        refusal(jwe(validHeader()) + ".");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 4})
    void theHeaderKeyIvAndTagMustNotBeEmpty(int emptied) {
        String[] parts = {validHeader(), KEY, IV, CIPHERTEXT, TAG};
        parts[emptied] = "";
        assertThat(refusal(String.join(".", parts)).getMessage()).contains("must not be empty");
    }

    @ParameterizedTest
    @ValueSource(strings = {"c29tZQ==", "c29tZQ=", "c29t ZQ", "c29t+ZQ", "c29t/ZQ", "c29tZ\nQ", "c29tZQé"})
    void paddedStandardOrWhitespacedBase64IsRefused(String key) {
        String jwe = String.join(".", validHeader(), key, IV, CIPHERTEXT, TAG);
        assertThat(refusal(jwe).getMessage()).contains("base64url");
    }

    @Test
    void aSegmentWhoseLengthCannotBeBase64IsRefused() {
        // 5 characters: 4n+1 is never the length of unpadded base64
        refusal(String.join(".", validHeader(), "abcde", IV, CIPHERTEXT, TAG));
    }

    @ParameterizedTest
    @ValueSource(strings = {"not json", "[1,2]", "\"alg\"", "null", "{\"alg\":"})
    void aHeaderThatIsNotAJsonObjectIsRefused(String json) {
        assertThat(refusal(jwe(header(json))).getMessage()).contains("not a JSON object");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"alg\":\"RSA-OAEP\",\"enc\":\"A256CBC-HS512\",\"kid\":\"key-2024-01\"}",
            "{\"alg\":\"RSA1_5\",\"enc\":\"A256CBC-HS512\",\"kid\":\"key-2024-01\"}",
            "{\"alg\":\"dir\",\"enc\":\"A256CBC-HS512\",\"kid\":\"key-2024-01\"}",
            "{\"alg\":\"rsa-oaep-256\",\"enc\":\"A256CBC-HS512\",\"kid\":\"key-2024-01\"}",
            "{\"alg\":\"RSA-OAEP-256\",\"enc\":\"A256GCM\",\"kid\":\"key-2024-01\"}",
            "{\"alg\":\"RSA-OAEP-256\",\"enc\":\"A128CBC-HS256\",\"kid\":\"key-2024-01\"}",
            "{\"enc\":\"A256CBC-HS512\",\"kid\":\"key-2024-01\"}",
            "{\"alg\":\"RSA-OAEP-256\",\"kid\":\"key-2024-01\"}",
            "{\"alg\":[\"RSA-OAEP-256\"],\"enc\":\"A256CBC-HS512\",\"kid\":\"key-2024-01\"}"
    })
    void onlyRsaOaep256WithA256CbcHs512IsAccepted(String json) {
        assertThat(refusal(jwe(header(json))).getMessage()).contains("RSA-OAEP-256").contains("A256CBC-HS512");
    }

    @ParameterizedTest
    @ValueSource(strings = {"zip", "jku", "jwk", "x5u"})
    void headersThatPointElsewhereOrCompressAreRefused(String name) {
        String json = "{\"alg\":\"RSA-OAEP-256\",\"enc\":\"A256CBC-HS512\",\"kid\":\"" + KEY_ID + "\",\"" + name + "\":\"x\"}";
        assertThat(refusal(jwe(header(json))).getMessage()).contains("'" + name + "'");
    }

    @Test
    void aForbiddenHeaderIsRefusedWhateverItsValue() {
        String json = "{\"alg\":\"RSA-OAEP-256\",\"enc\":\"A256CBC-HS512\",\"kid\":\"" + KEY_ID + "\",\"zip\":null}";
        refusal(jwe(header(json)));
    }

    @Test
    void theKidMustEqualTheKeyId() {
        String other = header("{\"alg\":\"RSA-OAEP-256\",\"enc\":\"A256CBC-HS512\",\"kid\":\"key-2023-12\"}");
        assertThat(refusal(jwe(other)).getMessage()).contains("kid must equal key_id");
        String missing = header("{\"alg\":\"RSA-OAEP-256\",\"enc\":\"A256CBC-HS512\"}");
        refusal(jwe(missing));
        String numeric = header("{\"alg\":\"RSA-OAEP-256\",\"enc\":\"A256CBC-HS512\",\"kid\":7}");
        assertThatCode(() -> EncryptedPinCheck.check(jwe(numeric), "7")).isInstanceOf(ApiException.class);
    }

    @Test
    void theRefusalNeverEchoesTheJwe() {
        String jwe = jwe(header("{\"alg\":\"RSA-OAEP-256\",\"enc\":\"A256CBC-HS512\",\"kid\":\"other\"}"));
        ApiException e = refusal(jwe);
        assertThat(e.getMessage()).doesNotContain(KEY).doesNotContain(TAG).doesNotContain(CIPHERTEXT);
    }
}
