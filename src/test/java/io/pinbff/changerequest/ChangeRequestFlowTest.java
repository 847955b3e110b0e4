package io.pinbff.changerequest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import io.pinbff.sandbox.SolarisSandbox;
import io.pinbff.support.AppSide;
import io.pinbff.support.Db;
import io.pinbff.support.PinBffTest;
import io.pinbff.support.ShiftedTime;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
class ChangeRequestFlowTest extends PinBffTest {

    @Inject
    ChangeRequests changeRequests;

    String card;

    @BeforeEach
    void freshCard() {
        card = sandbox.createCard(PERSON, "ACTIVE").id();
    }

    private Response create(String pin) {
        String jwe = AppSide.encryptPin(pin, sandbox.currentKid(), sandbox.currentPublicKey());
        return asDemo().body(Map.of("encrypted_pin", jwe, "key_id", sandbox.currentKid()))
                .post("/v1/cards/{id}/pin-change-requests", card);
    }

    private String createdId(String pin) {
        return create(pin).then().statusCode(202).extract().path("id");
    }

    @Test
    void deviceSigningFlowCompletesAndSolarisAppliesThePin() {
        Response created = create("7391");
        created.then().statusCode(202)
                .body("status", equalTo("AUTHORIZATION_REQUIRED"))
                .body("card_id", equalTo(card))
                .body("authorize_url", notNullValue())
                .body("id", matchesPattern("[0-9a-f-]{36}"));
        String id = created.path("id");
        assertThat(created.header("Location")).isEqualTo("/v1/pin-change-requests/" + id);
        String solarisId = sandbox.lastChangeRequestId();
        assertThat(created.asString()).doesNotContain(solarisId.substring(0, 20) + "csc");

        JsonPath authorized = asDemo().body(Map.of("delivery_method", "device_signing", "device_id", DEVICE))
                .post("/v1/pin-change-requests/{id}/authorize", id)
                .then().statusCode(200).body("status", equalTo("CONFIRMATION_REQUIRED")).extract().jsonPath();
        String challenge = authorized.getString("string_to_sign");
        assertThat(challenge).isNotBlank();

        asDemo().body(Map.of("device_id", DEVICE, "signature", AppSide.sign(challenge, AppSide.demoDeviceKey())))
                .post("/v1/pin-change-requests/{id}/confirm", id)
                .then().statusCode(200).body("status", equalTo("COMPLETED"));

        assertThat(sandbox.pinIs(card, "7391")).isTrue();
        as(PERSON).get("/v1/pin-change-requests/{id}", id).then().statusCode(200).body("status", equalTo("COMPLETED"));
        List<Map<String, Object>> trail = db.rows(
                "select action, from_status, to_status, outcome from change_request_event where change_request_id = ? order by id",
                UUID.fromString(id));
        assertThat(trail).extracting(r -> r.get("action") + ":" + r.get("to_status") + ":" + r.get("outcome"))
                .containsExactly("create:AUTHORIZATION_REQUIRED:ok", "authorize:CONFIRMATION_REQUIRED:ok",
                        "confirm:COMPLETED:ok");
        Map<String, Object> row = db.rows("select * from change_request where id = ?", UUID.fromString(id)).get(0);
        assertThat(row.get("solaris_id")).isEqualTo(solarisId);
        assertThat(row.get("person_id")).isEqualTo(PERSON);
    }

    @Test
    void mobileNumberFlowCompletesWithTheTan() {
        String id = createdId("8024");
        asDemo().body(Map.of("delivery_method", "mobile_number"))
                .post("/v1/pin-change-requests/{id}/authorize", id)
                .then().statusCode(200).body("status", equalTo("CONFIRMATION_REQUIRED"))
                .body("string_to_sign", nullValue());
        asDemo().body(Map.of("tan", SolarisSandbox.SANDBOX_TAN)).post("/v1/pin-change-requests/{id}/confirm", id)
                .then().statusCode(200).body("status", equalTo("COMPLETED"));
        assertThat(sandbox.pinIs(card, "8024")).isTrue();
    }

    @Test
    void requestCreatedReadyForConfirmationIsConfirmedDirectly() {
        sandbox.setInitialChangeRequestStatus("CONFIRMATION_REQUIRED");
        String id = create("5193").then().statusCode(202).body("status", equalTo("CONFIRMATION_REQUIRED")).extract().path("id");
        asDemo().body(Map.of("tan", SolarisSandbox.SANDBOX_TAN)).post("/v1/pin-change-requests/{id}/confirm", id)
                .then().statusCode(200).body("status", equalTo("COMPLETED"));
        assertThat(sandbox.pinIs(card, "5193")).isTrue();
    }

    @Test
    void wrongTanThreeTimesFailsTheRequest() {
        String id = createdId("6284");
        asDemo().body(Map.of("delivery_method", "mobile_number")).post("/v1/pin-change-requests/{id}/authorize", id)
                .then().statusCode(200);
        for (int remaining = 2; remaining >= 0; remaining--) {
            asDemo().body(Map.of("tan", "000000")).post("/v1/pin-change-requests/{id}/confirm", id)
                    .then().statusCode(422).body("code", equalTo("confirmation_failed"))
                    .body("attempts_remaining", equalTo(remaining));
        }
        as(PERSON).get("/v1/pin-change-requests/{id}", id).then().body("status", equalTo("FAILED"));
        asDemo().body(Map.of("tan", SolarisSandbox.SANDBOX_TAN)).post("/v1/pin-change-requests/{id}/confirm", id)
                .then().statusCode(409).body("code", equalTo("change_request_closed"));
        assertThat(sandbox.pinIs(card, "6284")).isFalse();
        assertThat(sandbox.count("POST", ".*/confirm")).isEqualTo(3);
    }

    @Test
    void secondRequestWhileOneIsOpenIsPendingWithoutCallingSolaris() {
        String first = createdId("3058");
        long creates = sandbox.count("POST", ".*/sca_pin_update_requests");
        create("3059").then().statusCode(409).body("code", equalTo("change_request_pending"))
                .body("pending_id", equalTo(first));
        assertThat(sandbox.count("POST", ".*/sca_pin_update_requests")).isEqualTo(creates);
        assertThat(db.rows("select id from change_request where card_id = ?", card)).hasSize(1);
    }

    @Test
    void failedSolarisCreateLeavesNothingBehind() {
        sandbox.faults().failNext(1, 500, ".*/sca_pin_update_requests");
        create("3061").then().statusCode(503).body("code", equalTo("upstream_unavailable"));
        assertThat(db.rows("select id from change_request where card_id = ?", card)).isEmpty();
        createdId("3062");
    }

    @Test
    void anotherPersonCannotSeeOrTouchTheRequest() {
        String id = createdId("4170");
        String other = SolarisSandbox.OTHER_PERSON_ID;
        as(other).get("/v1/pin-change-requests/{id}", id).then().statusCode(404)
                .body("code", equalTo("change_request_not_found"));
        as(other).contentType("application/json").body(Map.of("delivery_method", "mobile_number"))
                .post("/v1/pin-change-requests/{id}/authorize", id).then().statusCode(404)
                .body("code", equalTo("change_request_not_found"));
        as(other).contentType("application/json").body(Map.of("tan", SolarisSandbox.SANDBOX_TAN))
                .post("/v1/pin-change-requests/{id}/confirm", id).then().statusCode(404);
        assertThat(sandbox.count("POST", ".*/(authorize|confirm)")).isZero();
        as(PERSON).get("/v1/pin-change-requests/{id}", UUID.randomUUID()).then().statusCode(404)
                .body("code", equalTo("change_request_not_found"));
    }

    @Test
    void openRequestPastItsExpiryReadsExpiredAndIsSwept() {
        String id = createdId("9137");
        ShiftedTime time = ShiftedTime.install();
        time.advance(Duration.ofMinutes(16));
        as(PERSON).get("/v1/pin-change-requests/{id}", id).then().statusCode(200).body("status", equalTo("EXPIRED"));
        asDemo().body(Map.of("delivery_method", "mobile_number")).post("/v1/pin-change-requests/{id}/authorize", id)
                .then().statusCode(409).body("code", equalTo("change_request_closed"));

        String other = sandbox.createCard(PERSON, "ACTIVE").id();
        card = other;
        createdId("9138");
        time.advance(Duration.ofMinutes(16));
        changeRequests.sweepExpired();
        assertThat(db.rows("select status from change_request where card_id = ?", other))
                .extracting(r -> r.get("status")).containsExactly("EXPIRED");
        assertThat(db.rows("select action from change_request_event where card_id = ? and action = 'expire'", other)).hasSize(1);
        createdId("9139"); // the card is free again
    }

    @Test
    void completionOutOfBandShowsUpWhenPolled() {
        String id = createdId("2749");
        sandbox.completeOutOfBand(sandbox.lastChangeRequestId());
        as(PERSON).get("/v1/pin-change-requests/{id}", id).then().body("status", equalTo("AUTHORIZATION_REQUIRED"));
        ShiftedTime.install().advance(Duration.ofSeconds(6));
        as(PERSON).get("/v1/pin-change-requests/{id}", id).then().statusCode(200).body("status", equalTo("COMPLETED"));
        assertThat(sandbox.pinIs(card, "2749")).isTrue();
    }

    @Test
    void pollingAnswersNotModifiedForTheCurrentTag() {
        String id = createdId("6402");
        Response first = as(PERSON).get("/v1/pin-change-requests/{id}", id);
        String etag = first.header("ETag");
        as(PERSON).header("If-None-Match", etag).get("/v1/pin-change-requests/{id}", id)
                .then().statusCode(304).header("ETag", etag);
        asDemo().body(Map.of("delivery_method", "mobile_number")).post("/v1/pin-change-requests/{id}/authorize", id);
        as(PERSON).header("If-None-Match", etag).get("/v1/pin-change-requests/{id}", id)
                .then().statusCode(200).header("ETag", not(equalTo(etag)));
    }

    @Test
    void concurrentPollsOfAStaleRequestRefreshFromSolarisOnce() throws Exception {
        String id = createdId("5820");
        ShiftedTime.install().advance(Duration.ofSeconds(6));
        long before = sandbox.count("GET", "/v1/change_requests/.*");
        ExecutorService pool = Executors.newFixedThreadPool(10);
        try {
            List<Future<Integer>> polls = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                polls.add(pool.submit(() -> as(PERSON).get("/v1/pin-change-requests/{id}", id).statusCode()));
            }
            for (Future<Integer> poll : polls) {
                assertThat(poll.get()).isEqualTo(200);
            }
        } finally {
            pool.shutdown();
        }
        assertThat(sandbox.count("GET", "/v1/change_requests/.*")).isEqualTo(before + 1);
    }

    @Test
    void concurrentConfirmAndPollsNeverMoveTheStatusBack() throws Exception {
        String id = createdId("1597");
        asDemo().body(Map.of("delivery_method", "mobile_number")).post("/v1/pin-change-requests/{id}/authorize", id)
                .then().statusCode(200);
        ShiftedTime time = ShiftedTime.install();
        // A slow Solaris answer to the poll's refresh, still saying CONFIRMATION_REQUIRED, lands after the confirm.
        sandbox.faults().delayNext(1, Duration.ofMillis(400), "/v1/change_requests/[^/]+$");
        time.advance(Duration.ofSeconds(6));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            Future<String> poll = pool.submit(() -> as(PERSON).get("/v1/pin-change-requests/{id}", id).path("status"));
            Thread.sleep(100);
            Future<Integer> confirm = pool.submit(() -> asDemo().body(Map.of("tan", SolarisSandbox.SANDBOX_TAN))
                    .post("/v1/pin-change-requests/{id}/confirm", id).statusCode());
            assertThat(confirm.get()).isEqualTo(200);
            poll.get();
        } finally {
            pool.shutdown();
        }
        time.advance(Duration.ofSeconds(6));
        as(PERSON).get("/v1/pin-change-requests/{id}", id).then().body("status", equalTo("COMPLETED"));
        assertThat(db.rows("select status from change_request where id = ?", UUID.fromString(id)))
                .extracting(r -> r.get("status")).containsExactly("COMPLETED");
    }

    @Test
    void auditTrailAndRowsHoldNoPinMaterial() {
        String jwe = AppSide.encryptPin("4711", sandbox.currentKid(), sandbox.currentPublicKey());
        String id = asDemo().body(Map.of("encrypted_pin", jwe, "key_id", sandbox.currentKid()))
                .post("/v1/cards/{id}/pin-change-requests", card).then().statusCode(202).extract().path("id");
        JsonPath authorized = asDemo().body(Map.of("delivery_method", "device_signing", "device_id", DEVICE))
                .post("/v1/pin-change-requests/{id}/authorize", id).then().extract().jsonPath();
        String signature = AppSide.sign(authorized.getString("string_to_sign"), AppSide.demoDeviceKey());
        asDemo().body(Map.of("device_id", DEVICE, "signature", signature))
                .post("/v1/pin-change-requests/{id}/confirm", id).then().statusCode(200);
        asDemo().header("Idempotency-Key", "dump-" + id).body(Map.of("tan", "987654"))
                .post("/v1/pin-change-requests/{id}/confirm", id).then().statusCode(409);

        String everything = db.dumpAll();
        for (String part : jwe.split("\\.")) {
            if (part.length() >= 16) {
                assertThat(everything).doesNotContain(part.substring(0, 16));
            }
        }
        assertThat(everything).doesNotContain(signature.substring(0, 24)).doesNotContain("987654");
        // The idempotency fingerprint of the TAN-holding body is keyed: its unkeyed SHA-256 (10^6 guesses
        // away from the TAN) is nowhere.
        assertThat(db.rows("select request_hash from idempotency_record where idem_key = ?", "dump-" + id)).hasSize(1);
        assertThat(everything).doesNotContain(io.pinbff.crypto.Sha256.hex(
                "POST /v1/pin-change-requests/" + id + "/confirm\n{\"tan\":\"987654\"}"));
    }

    @Test
    void statusesOnlyMoveForward() {
        assertThat(ChangeRequestStatus.ACCEPTED.canMoveTo(ChangeRequestStatus.CONFIRMATION_REQUIRED)).isTrue();
        assertThat(ChangeRequestStatus.CONFIRMATION_REQUIRED.canMoveTo(ChangeRequestStatus.AUTHORIZATION_REQUIRED)).isFalse();
        assertThat(ChangeRequestStatus.COMPLETED.canMoveTo(ChangeRequestStatus.FAILED)).isFalse();
        assertThat(ChangeRequestStatus.EXPIRED.canMoveTo(ChangeRequestStatus.COMPLETED)).isFalse();
        assertThat(ChangeRequestStatus.AUTHORIZATION_REQUIRED.canMoveTo(ChangeRequestStatus.EXPIRED)).isTrue();
    }
}
