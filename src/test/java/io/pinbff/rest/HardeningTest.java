package io.pinbff.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;

import io.pinbff.support.AppSide;
import io.pinbff.support.PinBffTest;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Idempotency, single-use PINs, attempt limits, fault tolerance and hostile input. */
@QuarkusTest
class HardeningTest extends PinBffTest {

    private Response direct(Customer c, Map<String, Object> body, String idempotencyKey) {
        var request = as(c.person()).contentType("application/json").body(body);
        if (idempotencyKey != null) {
            request = request.header("Idempotency-Key", idempotencyKey);
        }
        return request.post("/v1/cards/{id}/pin", c.card());
    }

    private long pinWritesFor(String card) {
        return sandbox.count("POST", "/v1/cards/" + card + "/pin_update_requests");
    }

    @Test
    void sameIdempotencyKeyAndBodyReplaysWithoutCallingSolarisAgain() {
        Customer c = newCustomer();
        Map<String, Object> body = directBody("2580", c.device());
        String key = UUID.randomUUID().toString();
        direct(c, body, key).then().statusCode(204);
        direct(c, body, key).then().statusCode(204).header("Idempotent-Replayed", "true");
        assertThat(pinWritesFor(c.card())).isEqualTo(1);
    }

    @Test
    void sameIdempotencyKeyWithAnotherBodyIsRefused() {
        Customer c = newCustomer();
        String key = UUID.randomUUID().toString();
        direct(c, directBody("2580", c.device()), key).then().statusCode(204);
        direct(c, directBody("3691", c.device()), key).then().statusCode(422)
                .body("code", equalTo("idempotency_key_reused"));
        assertThat(pinWritesFor(c.card())).isEqualTo(1);
    }

    @Test
    void idempotencyKeysAreScopedToTheCaller() {
        Customer a = newCustomer();
        Customer b = newCustomer();
        String key = "shared-key-" + UUID.randomUUID();
        direct(a, directBody("2580", a.device()), key).then().statusCode(204);
        direct(b, directBody("2580", b.device()), key).then().statusCode(204);
        assertThat(sandbox.pinIs(b.card(), "2580")).isTrue();
    }

    @Test
    void concurrentDuplicatesWithOneKeyMakeOneSolarisCall() throws Exception {
        Customer c = newCustomer();
        Map<String, Object> body = directBody("2580", c.device());
        String key = UUID.randomUUID().toString();
        sandbox.faults().delayNext(1, Duration.ofMillis(400), ".*/pin_update_requests");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Integer>> answers = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                answers.add(pool.submit(() -> direct(c, body, key).statusCode()));
            }
            for (Future<Integer> answer : answers) {
                assertThat(answer.get()).isEqualTo(204);
            }
        } finally {
            pool.shutdown();
        }
        assertThat(pinWritesFor(c.card())).isEqualTo(1);
    }

    @Test
    void changeRequestCreateIsIdempotentToo() {
        Customer c = newCustomer();
        String jwe = AppSide.encryptPin("7391", sandbox.currentKid(), sandbox.currentPublicKey());
        Map<String, Object> body = Map.of("encrypted_pin", jwe, "key_id", sandbox.currentKid());
        String key = UUID.randomUUID().toString();
        Response first = as(c.person()).contentType("application/json").header("Idempotency-Key", key).body(body)
                .post("/v1/cards/{id}/pin-change-requests", c.card());
        first.then().statusCode(202);
        as(c.person()).contentType("application/json").header("Idempotency-Key", key).body(body)
                .post("/v1/cards/{id}/pin-change-requests", c.card())
                .then().statusCode(202).body("id", equalTo(first.path("id")))
                .header("Location", first.header("Location"));
        assertThat(sandbox.count("POST", ".*/sca_pin_update_requests")).isEqualTo(1);
    }

    @Test
    void anEncryptedPinIsSingleUse() {
        Customer c = newCustomer();
        Map<String, Object> body = directBody("2580", c.device());
        direct(c, body, null).then().statusCode(204);
        direct(c, body, null).then().statusCode(409).body("code", equalTo("encrypted_pin_reused"));
        assertThat(pinWritesFor(c.card())).isEqualTo(1);
    }

    @Test
    void aFailedSolarisCallDoesNotUseUpTheEncryptedPin() {
        Customer c = newCustomer();
        Map<String, Object> body = directBody("2580", c.device());
        sandbox.faults().failNext(1, 500, ".*/pin_update_requests");
        direct(c, body, null).then().statusCode(503);
        direct(c, body, null).then().statusCode(204);
        assertThat(sandbox.pinIs(c.card(), "2580")).isTrue();
    }

    @Test
    void perCardLimitAnswers429WithRetryAfter() {
        Customer c = newCustomer();
        for (int i = 0; i < 5; i++) {
            direct(c, directBody("25" + (80 + i), c.device()), null).then().statusCode(204);
        }
        direct(c, directBody("2590", c.device()), null).then().statusCode(429)
                .body("code", equalTo("too_many_attempts")).header("Retry-After", notNullValue());
        assertThat(pinWritesFor(c.card())).isEqualTo(5);
    }

    @Test
    void perUserLimitSpansCards() {
        Customer c = newCustomer();
        for (int i = 0; i < 10; i++) {
            String card = sandbox.createCard(c.person(), "ACTIVE").id();
            as(c.person()).contentType("application/json").body(directBody("36" + (10 + i), c.device()))
                    .post("/v1/cards/{id}/pin", card).then().statusCode(204);
        }
        String eleventh = sandbox.createCard(c.person(), "ACTIVE").id();
        as(c.person()).contentType("application/json").body(directBody("3699", c.device()))
                .post("/v1/cards/{id}/pin", eleventh).then().statusCode(429).body("code", equalTo("too_many_attempts"));
    }

    @Test
    void circuitBreakerFailsFastAfterRepeatedFailuresAndRecovers() {
        Customer c = newCustomer();
        sandbox.faults().failAlways(500);
        for (int i = 0; i < 12; i++) {
            direct(c, directBody("1470", c.device()), null).then().statusCode(503);
        }
        long callsWhenOpen = sandbox.calls().size();
        long started = System.nanoTime();
        direct(c, directBody("1470", c.device()), null).then().statusCode(503)
                .body("code", equalTo("upstream_unavailable")).header("Retry-After", notNullValue());
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(500));
        assertThat(sandbox.calls().size()).as("no call reaches Solaris while the breaker is open").isEqualTo(callsWhenOpen);
        sandbox.faults().clear();
    }

    @Test
    void slowButTimelySolarisIsFine() {
        Customer c = newCustomer();
        sandbox.faults().delayNext(1, Duration.ofMillis(500), ".*/pin_update_requests");
        direct(c, directBody("2580", c.device()), null).then().statusCode(204);
    }

    @Test
    void connectionResetIsUpstreamUnavailable() {
        Customer c = newCustomer();
        sandbox.faults().resetNext(1, ".*/pin_update_requests");
        direct(c, directBody("2580", c.device()), null).then().statusCode(503).body("code", equalTo("upstream_unavailable"));
        assertThat(pinWritesFor(c.card())).isEqualTo(1);
    }

    // --- hostile input: each gets a problem+json answer and leaves nothing behind ---

    @Test
    void hostileBodiesAreRefusedCleanly() {
        Customer c = newCustomer();
        String url = "/v1/cards/" + c.card() + "/pin";
        String token = idp.mint(c.person());
        Map<String, Object> valid = directBody("2580", c.device());
        String big = "{\"device_data\":\"" + "x".repeat(70 * 1024) + "\"}";
        expectProblem(given().auth().oauth2(token).contentType("application/json").body(big).post(url), 413, "invalid_request");
        expectProblem(given().auth().oauth2(token).contentType("text/plain").body("hello").post(url), 415, "unsupported_media_type");
        expectProblem(given().auth().oauth2(token).contentType("application/json")
                .body(new byte[] { '{', '"', 'a', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}' }).post(url), 400, "invalid_request");
        expectProblem(given().auth().oauth2(token).contentType("application/json").body("[".repeat(5000) + "]".repeat(5000)).post(url),
                400, "invalid_request");
        expectProblem(given().auth().oauth2(token).contentType("application/json").body("{not json").post(url), 400, "invalid_request");
        Map<String, Object> numbers = new HashMap<>(valid);
        numbers.put("device_id", 12345);
        expectProblem(given().auth().oauth2(token).contentType("application/json").body(numbers).post(url), 400, "invalid_request")
                .then().body("errors.field", hasItem("device_id"));
        Map<String, Object> control = new HashMap<>(valid);
        control.put("device_id", "dev\u0000ice");
        expectProblem(given().auth().oauth2(token).contentType("application/json").body(control).post(url), 400, "invalid_request");
        Map<String, Object> nul = new HashMap<>(valid);
        nul.put("key_id", null);
        expectProblem(given().auth().oauth2(token).contentType("application/json").body(nul).post(url), 400, "invalid_request");
        assertThat(pinWritesFor(c.card())).isZero();
        assertThat(db.rows("select * from pin_submission")).isEmpty();
    }

    @Test
    void hostilePathIdsAreRefused() {
        String token = idp.mint(PERSON);
        for (String id : List.of("abc';drop table change_request;--", "a".repeat(65), "..%2F..%2Fetc")) {
            Response r = given().auth().oauth2(token).contentType("application/json").body(directBody("2580"))
                    .urlEncodingEnabled(false).post("/v1/cards/" + id.replace("'", "%27").replace(";", "%3B").replace(" ", "%20") + "/pin");
            assertThat(r.statusCode()).isIn(400, 404);
            assertThat(r.contentType()).startsWith("application/problem+json");
        }
        given().auth().oauth2(token).get("/v1/pin-change-requests/{id}", "x'or'1'='1").then().statusCode(400)
                .body("code", equalTo("invalid_request"));
        assertThat(upstreamPinWrites()).isZero();
    }

    @Test
    void jweHeadersOutsideTheAllowListAreRefusedBeforeSolaris() {
        Customer c = newCustomer();
        String kid = sandbox.currentKid();
        for (String header : List.of(
                "{\"alg\":\"none\",\"enc\":\"A256CBC-HS512\",\"kid\":\"" + kid + "\"}",
                "{\"alg\":\"RSA1_5\",\"enc\":\"A256CBC-HS512\",\"kid\":\"" + kid + "\"}",
                "{\"alg\":\"dir\",\"enc\":\"A256CBC-HS512\",\"kid\":\"" + kid + "\"}",
                "{\"alg\":\"RSA-OAEP-256\",\"enc\":\"A128GCM\",\"kid\":\"" + kid + "\"}",
                "{\"alg\":\"RSA-OAEP-256\",\"enc\":\"A256CBC-HS512\",\"kid\":\"" + kid + "\",\"zip\":\"DEF\"}",
                "{\"alg\":\"RSA-OAEP-256\",\"enc\":\"A256CBC-HS512\",\"kid\":\"" + kid + "\",\"jku\":\"https://evil.example/k\"}",
                "{\"alg\":\"RSA-OAEP-256\",\"enc\":\"A256CBC-HS512\",\"kid\":\"another-kid\"}")) {
            String real = AppSide.encryptPin("2580", kid, sandbox.currentPublicKey());
            String forged = Base64.getUrlEncoder().withoutPadding().encodeToString(header.getBytes(StandardCharsets.UTF_8))
                    + real.substring(real.indexOf('.'));
            Map<String, Object> body = new HashMap<>(directBody("2580", c.device()));
            body.put("encrypted_pin", forged);
            body.put("signature", AppSide.sign(forged, AppSide.demoDeviceKey()));
            direct(c, body, null).then().statusCode(400).body("code", equalTo("invalid_encrypted_pin"))
                    .body("errors.field", hasItem("encrypted_pin"));
        }
        Map<String, Object> fourParts = new HashMap<>(directBody("2580", c.device()));
        fourParts.put("encrypted_pin", "a.b.c.d");
        direct(c, fourParts, null).then().statusCode(400).body("code", equalTo("invalid_encrypted_pin"));
        Map<String, Object> badSignature = new HashMap<>(directBody("2580", c.device()));
        badSignature.put("signature", "3045zz");
        direct(c, badSignature, null).then().statusCode(400).body("code", equalTo("invalid_signature"));
        badSignature.put("signature", "30440220" + "11".repeat(32) + "0220" + "22".repeat(31));
        direct(c, badSignature, null).then().statusCode(400).body("code", equalTo("invalid_signature"));
        assertThat(pinWritesFor(c.card())).isZero();
    }

    private static Response expectProblem(Response r, int status, String code) {
        r.then().statusCode(status).contentType("application/problem+json").body("code", equalTo(code));
        return r;
    }
}
