package io.pinbff.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.pinbff.crypto.HmacSha256;
import io.pinbff.sandbox.SolarisSandbox;
import io.pinbff.support.AppSide;
import io.pinbff.support.PinBffTest;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * {@code Idempotency-Key} on every POST: the order of its checks, what is stored (a keyed fingerprint
 * of method, path and canonical body; the answer, including a refused body), replays that do not run
 * the endpoint again, and outcomes that are not kept.
 */
@QuarkusTest
class IdempotencyTest extends PinBffTest {

    private RequestSpecification keyed(Customer c, String key) {
        return as(c.person()).contentType("application/json").header("Idempotency-Key", key);
    }

    private String createRequest(Customer c) {
        String jwe = AppSide.encryptPin("7391", sandbox.currentKid(), sandbox.currentPublicKey());
        return as(c.person()).contentType("application/json")
                .body(Map.of("encrypted_pin", jwe, "key_id", sandbox.currentKid()))
                .post("/v1/cards/{id}/pin-change-requests", c.card()).then().statusCode(202).extract().path("id");
    }

    @Test
    void authorizeAndConfirmAreReplayedWithoutReachingSolarisAgain() {
        Customer c = newCustomer();
        String id = createRequest(c);
        String authorizeKey = UUID.randomUUID().toString();
        Response authorized = keyed(c, authorizeKey).body(Map.of("delivery_method", "mobile_number"))
                .post("/v1/pin-change-requests/{id}/authorize", id);
        authorized.then().statusCode(200).header("Idempotent-Replayed", nullValue());
        keyed(c, authorizeKey).body(Map.of("delivery_method", "mobile_number"))
                .post("/v1/pin-change-requests/{id}/authorize", id)
                .then().statusCode(200).header("Idempotent-Replayed", "true")
                .body("status", equalTo(authorized.path("status"))).body("id", equalTo(id));
        assertThat(sandbox.count("POST", ".*/change_requests/.*/authorize")).isEqualTo(1);

        String confirmKey = UUID.randomUUID().toString();
        keyed(c, confirmKey).body(Map.of("tan", SolarisSandbox.SANDBOX_TAN))
                .post("/v1/pin-change-requests/{id}/confirm", id).then().statusCode(200).body("status", equalTo("COMPLETED"));
        keyed(c, confirmKey).body(Map.of("tan", SolarisSandbox.SANDBOX_TAN))
                .post("/v1/pin-change-requests/{id}/confirm", id)
                .then().statusCode(200).header("Idempotent-Replayed", "true").body("status", equalTo("COMPLETED"));
        assertThat(sandbox.count("POST", ".*/change_requests/.*/confirm")).isEqualTo(1);
    }

    @Test
    void theFingerprintIsKeyedAndCoversMethodPathAndCanonicalBody() throws Exception {
        Customer c = newCustomer();
        Map<String, Object> body = directBody("2580", c.device());
        String key = UUID.randomUUID().toString();
        // Keys in reverse order and spaced out: the same request as the canonical form.
        StringBuilder raw = new StringBuilder("{ ");
        new TreeMap<>(body).descendingMap().forEach((k, v) -> raw.append(raw.length() > 2 ? " ,\n" : "")
                .append('"').append(k).append("\" : \"").append(v).append('"'));
        raw.append(" }");
        keyed(c, key).body(raw.toString()).post("/v1/cards/{id}/pin", c.card()).then().statusCode(204);
        keyed(c, key).body(body).post("/v1/cards/{id}/pin", c.card()).then().statusCode(204)
                .header("Idempotent-Replayed", "true");
        String canonical = new ObjectMapper().writeValueAsString(new TreeMap<>(body));
        String expected = HmacSha256.hex("test-fingerprint-secret".getBytes(StandardCharsets.UTF_8),
                "POST /v1/cards/" + c.card() + "/pin\n" + canonical);
        assertThat(db.rows("select request_hash from idempotency_record where person_id = ? and idem_key = ?",
                c.person(), key)).extracting(r -> r.get("request_hash")).containsExactly(expected);
        assertThat(upstreamPinWrites()).isEqualTo(1);
    }

    @Test
    void checksRunInOrderTokenThenPathIdThenKeyThenBody() {
        String badKey = "k".repeat(256);
        String noPersonId = idp.mint(Map.of("sub", "someone"), Duration.ofMinutes(5));
        given().auth().oauth2(noPersonId).contentType("application/json").header("Idempotency-Key", badKey).body("[]")
                .post("/v1/cards/{id}/pin", "bad.id").then().statusCode(403).body("code", equalTo("forbidden"));

        Customer c = newCustomer();
        keyed(c, badKey).body("[]").post("/v1/cards/{id}/pin", "bad.id").then().statusCode(400)
                .body("code", equalTo("invalid_request")).body("errors[0].field", equalTo("card_id"));
        keyed(c, badKey).body("[]").post("/v1/pin-change-requests/{id}/confirm", "bad.id").then().statusCode(400)
                .body("errors[0].field", equalTo("id"));
        keyed(c, badKey).body("[]").post("/v1/cards/{id}/pin", c.card()).then().statusCode(400)
                .body("code", equalTo("invalid_request")).body("errors[0].field", equalTo("Idempotency-Key"));
        assertThat(db.rows("select * from idempotency_record where person_id = ?", c.person())).isEmpty();
    }

    @Test
    void aRefusedBodyIsAnAnswerToo() {
        Customer c = newCustomer();
        String key = UUID.randomUUID().toString();
        keyed(c, key).body("{\"key_id\": 5}").post("/v1/cards/{id}/pin", c.card()).then().statusCode(400)
                .body("code", equalTo("invalid_request")).header("Idempotent-Replayed", nullValue());
        keyed(c, key).body("{\"key_id\": 5}").post("/v1/cards/{id}/pin", c.card()).then().statusCode(400)
                .contentType("application/problem+json").body("code", equalTo("invalid_request"))
                .header("Idempotent-Replayed", "true");
        keyed(c, key).body(directBody("2580", c.device())).post("/v1/cards/{id}/pin", c.card()).then().statusCode(422)
                .body("code", equalTo("idempotency_key_reused"));
        assertThat(upstreamPinWrites()).isZero();
    }

    @Test
    void a503IsNotKeptAndUnkeyedRequestsLeaveNothing() {
        Customer c = newCustomer();
        Map<String, Object> body = directBody("2580", c.device());
        String key = UUID.randomUUID().toString();
        sandbox.faults().failNext(1, 503, ".*/pin_update_requests");
        keyed(c, key).body(body).post("/v1/cards/{id}/pin", c.card()).then().statusCode(503)
                .body("code", equalTo("upstream_unavailable"));
        assertThat(db.rows("select * from idempotency_record where person_id = ?", c.person())).isEmpty();
        keyed(c, key).body(body).post("/v1/cards/{id}/pin", c.card()).then().statusCode(204)
                .header("Idempotent-Replayed", nullValue());
        assertThat(sandbox.pinIs(c.card(), "2580")).isTrue();

        Customer d = newCustomer();
        as(d.person()).contentType("application/json").body(directBody("3691", d.device()))
                .post("/v1/cards/{id}/pin", d.card()).then().statusCode(204);
        assertThat(db.rows("select * from idempotency_record where person_id = ?", d.person())).isEmpty();
    }
}
