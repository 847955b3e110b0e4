package io.pinbff.solaris;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Solaris' answers read into records exactly as leniently (and as strictly) as the BFF reads them. */
class SolarisBodiesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final SolarisJson bodies = new SolarisJson(JSON);

    private <T> T read(String json, Class<T> type) {
        return bodies.read(bodies.object(json), type);
    }

    @Test
    void fieldsThatAreNotStringsReadAsAbsentAndUnknownFieldsAreIgnored() {
        SolarisJwk jwk = read("{\"kid\":123,\"kty\":\"RSA\",\"n\":{\"x\":1},\"e\":\"AQAB\",\"x5c\":[\"a\"]}", SolarisJwk.class);
        assertThat(jwk).isEqualTo(new SolarisJwk(null, "RSA", null, null, null, "AQAB"));
        SolarisCard card = read("{\"id\":\"c\",\"person_id\":\"p\",\"status\":\"ACTIVE\",\"type\":\"VISA\"}", SolarisCard.class);
        assertThat(card).isEqualTo(new SolarisCard("c", "p", "ACTIVE"));
    }

    @Test
    void aConfirmAnswerCarriesTheOutcomeOfItsPinUpdate() {
        SolarisChangeRequest done = read("{\"id\":\"x\",\"status\":\"COMPLETED\",\"response_code\":\"422\","
                + "\"response_body\":\"{\\\"errors\\\":[{\\\"code\\\":\\\"weak_pin\\\"}]}\"}", SolarisChangeRequest.class);
        assertThat(done.responseCode()).isEqualTo(422);
        assertThat(done.responseBody().code()).isEqualTo("weak_pin");
        SolarisChangeRequest asObject = read("{\"response_code\":400,\"response_body\":{\"errors\":[{\"code\":\"invalid_pin\"}]}}",
                SolarisChangeRequest.class);
        assertThat(asObject.responseBody().code()).isEqualTo("invalid_pin");
        SolarisChangeRequest none = read("{\"status\":\"COMPLETED\",\"response_code\":null,\"response_body\":\"not json\"}",
                SolarisChangeRequest.class);
        assertThat(none.responseCode()).isZero();
        assertThat(none.responseBody().code()).isNull();
        assertThat(read("{}", SolarisChangeRequest.class).responseBody()).isNull();
    }

    @Test
    void errorCodesAreTakenOnlyWhenTheyAreShortPrintableStrings() {
        assertThat(read("{\"errors\":[{\"code\":\"invalid_key\"}]}", SolarisErrors.class).code()).isEqualTo("invalid_key");
        assertThat(read("{\"errors\":[{\"code\":\"" + "x".repeat(65) + "\"}]}", SolarisErrors.class).code()).isNull();
        assertThat(read("{\"errors\":[{\"code\":\"a b\"}]}", SolarisErrors.class).code()).isNull();
        assertThat(read("{\"errors\":[{\"code\":7}]}", SolarisErrors.class).code()).isNull();
        assertThat(read("{\"errors\":{\"code\":\"x\"}}", SolarisErrors.class).code()).isNull();
        assertThat(read("{}", SolarisErrors.class).code()).isNull();
        assertThat(bodies.object("[1]")).isNull();
        assertThat(bodies.object("<html>")).isNull();
    }

    @Test
    void aWebhookBodyIsReadOnlyWhenItIsAJsonObject() {
        assertThat(bodies.readObject("{\"id\":\"c1\",\"status\":\"BLOCKED\"}".getBytes(), SolarisCardNotification.class))
                .contains(new SolarisCardNotification("c1"));
        assertThat(bodies.readObject("{\"id\":42}".getBytes(), SolarisCardNotification.class))
                .contains(new SolarisCardNotification(null));
        assertThat(bodies.readObject("[]".getBytes(), SolarisCardNotification.class)).isEmpty();
        assertThat(bodies.readObject("{".getBytes(), SolarisCardNotification.class)).isEmpty();
        assertThat(bodies.readObject(new byte[0], SolarisCardNotification.class)).isEmpty();
    }

    @Test
    void requestBodiesAreSolarisFieldNamesAndLeaveOutWhatIsAbsent() {
        assertThat(JSON.convertValue(SolarisRequests.Confirm.withTan("p", "212212"), Map.class))
                .containsExactly(Map.entry("person_id", "p"), Map.entry("tan", "212212"));
        assertThat(JSON.convertValue(new SolarisRequests.Authorize("device_signing", "p", null), Map.class))
                .containsExactly(Map.entry("delivery_method", "device_signing"), Map.entry("person_id", "p"));
        assertThat(JSON.convertValue(new SolarisRequests.PinUpdate("d", "jwe", "k", "sig", null), Map.class)).containsOnlyKeys(
                "device_id", "encrypted_pin", "key_id", "signature");
    }
}
