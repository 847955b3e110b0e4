package io.pinbff.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;

import io.pinbff.sandbox.SolarisSandbox;
import io.pinbff.support.AppSide;
import io.pinbff.support.PinBffTest;
import io.quarkus.test.junit.QuarkusTest;
import java.security.KeyPair;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

@QuarkusTest
class DirectPinChangeTest extends PinBffTest {

    @Test
    void changesThePinThroughSolarisWhichDecryptsAndAppliesIt() {
        // A card of its own, so the BFF looks it up (its card cache would otherwise answer) before writing.
        Customer c = newCustomer();
        Map<String, Object> key = bffKey();
        String jwe = AppSide.encryptPin("2580", key);
        Map<String, Object> body = Map.of("device_id", c.device(), "encrypted_pin", jwe, "key_id", key.get("kid"),
                "signature", AppSide.sign(jwe, AppSide.demoDeviceKey()), "device_data", "seon-fingerprint");

        as(c.person()).contentType("application/json").body(body).post("/v1/cards/{id}/pin", c.card()).then().statusCode(204);

        assertThat(sandbox.pinIs(c.card(), "2580")).isTrue();
        assertThat(sandbox.pinChanges(c.card())).isEqualTo(1);
        assertThat(upstreamPinWrites()).isEqualTo(1);
    }

    @Test
    void refusedPinIsPinChangeRejectedWithSolarisCode() {
        asDemo().body(directBody("1234")).post("/v1/cards/{id}/pin", CARD)
                .then().statusCode(422).contentType("application/problem+json")
                .body("code", equalTo("pin_change_rejected"))
                .body("upstream_code", equalTo("weak_pin"))
                .body("status", equalTo(422));
        assertThat(sandbox.pinChanges(CARD)).isZero();
    }

    @Test
    void signatureOfAnUnboundKeyIsRejectedBySolaris() {
        KeyPair stranger = AppSide.newDeviceKey();
        Map<String, Object> body = new java.util.HashMap<>(directBody("2580"));
        body.put("signature", AppSide.sign((String) body.get("encrypted_pin"), stranger.getPrivate()));
        asDemo().body(body).post("/v1/cards/{id}/pin", CARD)
                .then().statusCode(422).body("code", equalTo("pin_change_rejected"))
                .body("upstream_code", equalTo("invalid_signature"));
        assertThat(sandbox.pinChanges(CARD)).isZero();
    }

    @Test
    void unknownDeviceIsRejectedBySolaris() {
        Map<String, Object> body = new java.util.HashMap<>(directBody("2580"));
        body.put("device_id", "no-such-device");
        asDemo().body(body).post("/v1/cards/{id}/pin", CARD)
                .then().statusCode(422).body("upstream_code", equalTo("invalid_device"));
    }

    @Test
    void anotherPersonsCardIsNotFoundAndNeverWritten() {
        asDemo().body(directBody("2580")).post("/v1/cards/{id}/pin", SolarisSandbox.OTHER_CARD_ID)
                .then().statusCode(404).body("code", equalTo("card_not_found"));
        assertThat(upstreamPinWrites()).isZero();
        assertThat(sandbox.pinChanges(SolarisSandbox.OTHER_CARD_ID)).isZero();
    }

    @Test
    void unknownCardIsNotFound() {
        asDemo().body(directBody("2580")).post("/v1/cards/{id}/pin", "ffffffffffffffffffffffffffffffffmcrd")
                .then().statusCode(404).body("code", equalTo("card_not_found"));
        assertThat(upstreamPinWrites()).isZero();
    }

    @Test
    void blockedCardIsNotActive() {
        asDemo().body(directBody("2580")).post("/v1/cards/{id}/pin", SolarisSandbox.BLOCKED_CARD_ID)
                .then().statusCode(409).body("code", equalTo("card_not_active"));
        assertThat(upstreamPinWrites()).isZero();
    }

    @Test
    void unknownKeyIdIsOutdatedAndCarriesTheCurrentKey() {
        String jwe = AppSide.encryptPin("2580", "old-key", sandbox.currentPublicKey());
        Map<String, Object> body = new java.util.HashMap<>(directBody("2580"));
        body.put("encrypted_pin", jwe);
        body.put("key_id", "old-key");
        body.put("signature", AppSide.sign(jwe, AppSide.demoDeviceKey()));
        asDemo().body(body).post("/v1/cards/{id}/pin", CARD)
                .then().statusCode(409).body("code", equalTo("pin_key_outdated"))
                .body("current_key.kid", equalTo(sandbox.currentKid()))
                .body("current_key.alg", equalTo("RSA-OAEP-256"));
        assertThat(upstreamPinWrites()).isZero();
    }

    @Test
    void rotatedKeyIsAcceptedAfterOneRefresh() {
        // A first change: the BFF holds the first key and a valid Solaris token.
        asDemo().body(directBody("1357")).post("/v1/cards/{id}/pin", CARD).then().statusCode(204);
        sandbox.rotateKey();
        long keyFetches = sandbox.count("GET", ".*/pin_keys/latest");
        Map<String, Object> body = directBody("2580");

        // Production rate limit (2 s between refreshes for unknown key IDs): until the BFF may ask Solaris
        // again the answer is 409 naming the key it holds (nothing is written); then one refresh, and 204.
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(200))
                .until(() -> asDemo().body(body).post("/v1/cards/{id}/pin", CARD).statusCode() == 204);

        assertThat(sandbox.count("GET", ".*/pin_keys/latest")).isEqualTo(keyFetches + 1);
        assertThat(bffKey().get("kid")).isEqualTo(sandbox.currentKid());
    }

    @Test
    void solarisRejectingTheKeyMidFlightIsOutdatedWithTheNewKey() {
        Map<String, Object> body = directBody("2580"); // made for the key the BFF has cached
        bffKey();
        String oldKid = sandbox.currentKid();
        // Rotation lands between the BFF's check and Solaris' (the BFF has not refreshed yet).
        sandbox.faults().delayNext(1, Duration.ofMillis(1), ".*/card.*");
        String newKid = sandbox.rotateKey();
        assertThat(newKid).isNotEqualTo(oldKid);
        // The BFF still holds the old key as current, so it forwards; Solaris says invalid_key.
        asDemo().body(body).post("/v1/cards/{id}/pin", CARD)
                .then().statusCode(409).body("code", equalTo("pin_key_outdated"))
                .body("current_key.kid", equalTo(newKid));
    }

    /** The defect the old test profile hid: a rotation right after another forced refresh still names the new key. */
    @Test
    void keyRefusedBySolarisRightAfterAForcedRefreshIsRefreshedAtOnce() {
        Map<String, Object> body = directBody("2580"); // for the key the BFF holds
        Map<String, Object> unknownKid = new java.util.HashMap<>(directBody("2581"));
        unknownKid.put("key_id", "no-such-key");
        unknownKid.put("encrypted_pin", AppSide.encryptPin("2581", "no-such-key", sandbox.currentPublicKey()));
        asDemo().body(unknownKid).post("/v1/cards/{id}/pin", CARD).then().statusCode(409); // a forced refresh just now
        String newKid = sandbox.rotateKey();
        long keyFetches = sandbox.count("GET", ".*/pin_keys/latest");
        asDemo().body(body).post("/v1/cards/{id}/pin", CARD)
                .then().statusCode(409).body("code", equalTo("pin_key_outdated")).body("current_key.kid", equalTo(newKid));
        assertThat(sandbox.count("GET", ".*/pin_keys/latest")).isEqualTo(keyFetches + 1);
        assertThat(bffKey().get("kid")).isEqualTo(newKid);
    }

    @Test
    void expiredSolarisTokenIsReplacedAndTheCallRepeatedOnce() {
        asDemo().body(directBody("2580")).post("/v1/cards/{id}/pin", CARD).then().statusCode(204);
        int tokens = sandbox.tokensIssued();
        sandbox.expireAllTokens();

        asDemo().body(directBody("3691")).post("/v1/cards/{id}/pin", CARD).then().statusCode(204);

        assertThat(sandbox.tokensIssued()).isEqualTo(tokens + 1);
        assertThat(sandbox.pinIs(CARD, "3691")).isTrue();
    }

    @Test
    void solaris5xxIsUpstreamUnavailableWithRetryAfter() {
        sandbox.faults().failNext(1, 502, ".*/pin_update_requests");
        asDemo().body(directBody("2580")).post("/v1/cards/{id}/pin", CARD)
                .then().statusCode(503).body("code", equalTo("upstream_unavailable"))
                .header("Retry-After", notNullValue());
        assertThat(upstreamPinWrites()).as("a PIN write is never retried").isEqualTo(1);
    }

    @Test
    void hangingSolarisPinWriteIsUpstreamTimeoutAndNotRetried() {
        // Production write budget (5 s); Solaris would answer after 8 s. A card of its own: the late
        // write may still land at the sandbox while the next test runs.
        Customer c = newCustomer();
        sandbox.faults().delayNext(1, Duration.ofSeconds(8), ".*/pin_update_requests");
        long started = System.nanoTime();
        as(c.person()).contentType("application/json").body(directBody("2580", c.device()))
                .post("/v1/cards/{id}/pin", c.card())
                .then().statusCode(504).body("code", equalTo("upstream_timeout"));
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("answers at the write budget, not when Solaris does")
                .isBetween(Duration.ofSeconds(5), Duration.ofSeconds(7));
        assertThat(upstreamPinWrites()).isEqualTo(1);
    }

    @Test
    void malformedSolarisAnswerIsUpstreamUnavailable() {
        Customer c = newCustomer(); // a card the BFF has not cached yet, so it is looked up
        sandbox.faults().malformedNext(3, ".*/cards/[^/]+$");
        as(c.person()).contentType("application/json").body(directBody("2580", c.device()))
                .post("/v1/cards/{id}/pin", c.card())
                .then().statusCode(503).body("code", equalTo("upstream_unavailable"));
        assertThat(upstreamPinWrites()).isZero();
    }

    @Test
    void errorsNameTheWireFieldAndNeverEchoTheInput() {
        Map<String, Object> body = new java.util.HashMap<>(directBody("2580"));
        body.remove("device_id");
        body.put("key_id", 42);
        String jwe = (String) body.get("encrypted_pin");
        String response = asDemo().body(body).post("/v1/cards/{id}/pin", CARD)
                .then().statusCode(400).body("code", equalTo("invalid_request"))
                .body("errors.field", hasItem("device_id"))
                .body("errors.field", hasItem("key_id"))
                .extract().asString();
        assertThat(response).doesNotContain(jwe.substring(0, 20)).doesNotContain((String) body.get("signature"));
    }
}
