package io.pinbff.races;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.pinbff.changerequest.ChangeRequestStore;
import io.pinbff.sandbox.SolarisSandbox;
import io.pinbff.support.AppSide;
import io.pinbff.support.PinBffTest;
import io.pinbff.support.ShiftedTime;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Simultaneous requests against the real PostgreSQL and the sandbox, with the contract's default
 * limits (5 per card per day, 10 per user per hour, 3 confirm tries): what review found racing.
 */
@QuarkusTest
class RacesTest extends PinBffTest {

    @Inject
    ChangeRequestStore store;

    @Test
    void perUserLimitHoldsForSimultaneousChangesToDifferentCards() throws Exception {
        Customer c = newCustomer();
        List<String> cards = new ArrayList<>(List.of(c.card()));
        for (int i = 1; i < 14; i++) {
            cards.add(sandbox.createCard(c.person(), "ACTIVE").id());
        }
        List<Callable<Response>> calls = new ArrayList<>();
        for (String card : cards) {
            Map<String, Object> body = directBody("2580", c.device());
            calls.add(() -> as(c.person()).contentType("application/json").body(body).post("/v1/cards/{id}/pin", card));
        }
        List<Response> answers = allAtOnce(calls);
        assertThat(answers).extracting(Response::statusCode).filteredOn(s -> s == 204).hasSize(10);
        assertThat(answers).filteredOn(r -> r.statusCode() != 204)
                .allSatisfy(r -> {
                    assertThat(r.statusCode()).isEqualTo(429);
                    assertThat(r.jsonPath().getString("code")).isEqualTo("too_many_attempts");
                    assertThat(r.header("Retry-After")).isNotNull();
                });
        assertThat(upstreamPinWrites()).isEqualTo(10);
        assertThat(db.rows("select count(*) as n from pin_submission where person_id = ?", c.person()).get(0).get("n"))
                .isEqualTo(10L);
    }

    @Test
    void sameJweSentTwiceAtOnceReachesSolarisOnce() throws Exception {
        for (int round = 0; round < 5; round++) {
            Customer a = newCustomer();
            Customer b = newCustomer();
            Map<String, Object> body = directBody("2580", a.device());
            Map<String, Object> sameJwe = new LinkedHashMap<>(body);
            sameJwe.put("device_id", b.device());
            long before = upstreamPinWrites();
            List<Response> answers = allAtOnce(List.of(
                    () -> as(a.person()).contentType("application/json").body(body).post("/v1/cards/{id}/pin", a.card()),
                    () -> as(b.person()).contentType("application/json").body(sameJwe).post("/v1/cards/{id}/pin", b.card())));
            assertThat(answers).extracting(Response::statusCode).containsExactlyInAnyOrder(204, 409);
            assertThat(answers).filteredOn(r -> r.statusCode() == 409)
                    .extracting(r -> r.jsonPath().getString("code")).containsExactly("encrypted_pin_reused");
            assertThat(upstreamPinWrites() - before).isEqualTo(1);
        }
    }

    @Test
    void eightSimultaneousWrongTansReachSolarisAtMostThreeTimes() throws Exception {
        String card = sandbox.createCard(PERSON, "ACTIVE").id();
        String id = createRequest(card, "6284");
        asDemo().body(Map.of("delivery_method", "mobile_number")).post("/v1/pin-change-requests/{id}/authorize", id)
                .then().statusCode(200);
        // Solaris answers each confirm after 300 ms, so all eight are in flight together.
        sandbox.faults().delayAlways(Duration.ofMillis(300), ".*/confirm");
        long before = sandbox.count("POST", ".*/confirm");
        List<Callable<Response>> calls = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            calls.add(() -> asDemo().body(Map.of("tan", "000000")).post("/v1/pin-change-requests/{id}/confirm", id));
        }
        List<Response> answers = allAtOnce(calls);
        sandbox.faults().clear();
        assertThat(sandbox.count("POST", ".*/confirm") - before).isEqualTo(3);
        assertThat(answers).filteredOn(r -> r.statusCode() == 422)
                .extracting(r -> r.jsonPath().getString("code")).containsOnly("confirmation_failed").hasSize(3);
        assertThat(answers).filteredOn(r -> r.statusCode() != 422).allSatisfy(r -> {
            assertThat(r.statusCode()).isEqualTo(409);
            assertThat(r.jsonPath().getString("code")).isIn("request_in_progress", "change_request_closed");
        });
        as(PERSON).get("/v1/pin-change-requests/{id}", id).then().statusCode(200).body("status", equalTo("FAILED"));
        assertThat(db.rows("select confirm_attempts from change_request where id = ?", UUID.fromString(id)).get(0)
                .get("confirm_attempts")).isEqualTo(3);
    }

    @Test
    void confirmWhosePinUpdateSolarisRefusedIsRejectedAndFailed() {
        String card = sandbox.createCard(PERSON, "ACTIVE").id();
        String id = createRequest(card, "3917");
        asDemo().body(Map.of("delivery_method", "mobile_number")).post("/v1/pin-change-requests/{id}/authorize", id)
                .then().statusCode(200);
        sandbox.setCardStatus(card, "BLOCKED"); // Solaris completes the request, but its PIN update answers 422
        asDemo().body(Map.of("tan", SolarisSandbox.SANDBOX_TAN)).post("/v1/pin-change-requests/{id}/confirm", id)
                .then().statusCode(422).contentType("application/problem+json")
                .body("code", equalTo("pin_change_rejected")).body("upstream_code", equalTo("invalid_card_status"));
        as(PERSON).get("/v1/pin-change-requests/{id}", id).then().statusCode(200).body("status", equalTo("FAILED"));
        assertThat(sandbox.pinIs(card, "3917")).isFalse();
        assertThat(db.rows("select action, to_status, outcome from change_request_event where change_request_id = ? order by id",
                UUID.fromString(id))).extracting(r -> r.get("action") + ":" + r.get("to_status") + ":" + r.get("outcome"))
                .endsWith("confirm:FAILED:pin_update_refused:invalid_card_status");
    }

    /** Two updates of one change request read the same version and commit together: both take effect. */
    @Test
    void updatesCommittingTogetherAreBothAppliedNeverA500() throws Exception {
        String card = sandbox.createCard(PERSON, "ACTIVE").id();
        UUID id = UUID.fromString(createRequest(card, "4826"));
        CountDownLatch bothRead = new CountDownLatch(2);
        ChangeRequestStore.Change change = (request, now) -> {
            bothRead.countDown();
            try {
                bothRead.await(5, TimeUnit.SECONDS); // the second read happens before the first commit
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            request.confirmAttempts++;
            return "test";
        };
        List<Integer> attempts = allAtOnce(List.of(
                () -> store.update(id, "test", change).confirmAttempts,
                () -> store.update(id, "test", change).confirmAttempts));
        assertThat(attempts).containsExactlyInAnyOrder(1, 2);
        assertThat(db.rows("select confirm_attempts from change_request where id = ?", id).get(0).get("confirm_attempts"))
                .isEqualTo(2);
        assertThat(db.rows("select count(*) as n from change_request_event where change_request_id = ? and action = 'test'", id)
                .get(0).get("n")).isEqualTo(2L);
    }

    @Test
    void afterA504TheSameRequestWithTheSameKeyReachesSolarisAgain() {
        Customer c = newCustomer();
        Map<String, Object> body = directBody("2580", c.device());
        String key = "retry-" + UUID.randomUUID();
        sandbox.faults().delayNext(1, Duration.ofSeconds(8), ".*/pin_update_requests");
        as(c.person()).contentType("application/json").header("Idempotency-Key", key).body(body)
                .post("/v1/cards/{id}/pin", c.card())
                .then().statusCode(504).body("code", equalTo("upstream_timeout"));
        as(c.person()).contentType("application/json").header("Idempotency-Key", key).body(body)
                .post("/v1/cards/{id}/pin", c.card()).then().statusCode(204);
        assertThat(sandbox.count("POST", "/v1/cards/" + c.card() + "/pin_update_requests")).isEqualTo(2);
        // Without the key, the same JWE is reuse: its first outcome is unknown.
        as(c.person()).contentType("application/json").body(body).post("/v1/cards/{id}/pin", c.card())
                .then().statusCode(409).body("code", equalTo("encrypted_pin_reused"));
        assertThat(db.rows("select count(*) as n from pin_submission where card_id = ?", c.card()).get(0).get("n"))
                .isEqualTo(1L);
    }

    @Test
    void confirmRacingTheExpiryEndsCompletedNeverExpired() throws Exception {
        String card = sandbox.createCard(PERSON, "ACTIVE").id();
        sandbox.setInitialChangeRequestStatus("CONFIRMATION_REQUIRED");
        String id = createRequest(card, "7153");
        ShiftedTime time = ShiftedTime.install();
        sandbox.faults().delayNext(1, Duration.ofMillis(800), ".*/confirm");
        ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
        try {
            Future<Response> confirm = pool.submit(() -> asDemo().body(Map.of("tan", SolarisSandbox.SANDBOX_TAN))
                    .post("/v1/pin-change-requests/{id}/confirm", id));
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(3))
                    .until(() -> sandbox.count("POST", ".*/confirm") == 1);
            time.advance(Duration.ofMinutes(16));
            store.expireDue(200); // the sweep expires it (and whatever else other tests left open) while Solaris confirms
            assertThat(db.rows("select status from change_request where id = ?::uuid", id).get(0).get("status"))
                    .isEqualTo("EXPIRED");
            confirm.get().then().statusCode(200).body("status", equalTo("COMPLETED"));
        } finally {
            pool.shutdown();
        }
        as(PERSON).get("/v1/pin-change-requests/{id}", id).then().body("status", equalTo("COMPLETED"));
        assertThat(sandbox.pinIs(card, "7153")).isTrue();
    }

    @Test
    void expiryNoticedByAPollWritesItsAuditRow() {
        String card = sandbox.createCard(PERSON, "ACTIVE").id();
        String id = createRequest(card, "2468");
        ShiftedTime time = ShiftedTime.install();
        time.advance(Duration.ofMinutes(16));
        as(PERSON).get("/v1/pin-change-requests/{id}", id).then().statusCode(200).body("status", equalTo("EXPIRED"));
        assertThat(db.rows("select action, from_status, to_status, outcome from change_request_event "
                + "where change_request_id = ? order by id", UUID.fromString(id)))
                .extracting(r -> r.get("action") + ":" + r.get("from_status") + ":" + r.get("to_status") + ":" + r.get("outcome"))
                .containsExactly("create:ACCEPTED:AUTHORIZATION_REQUIRED:ok", "expire:AUTHORIZATION_REQUIRED:EXPIRED:ok");
    }

    private String createRequest(String card, String pin) {
        String jwe = AppSide.encryptPin(pin, sandbox.currentKid(), sandbox.currentPublicKey());
        return asDemo().body(Map.of("encrypted_pin", jwe, "key_id", sandbox.currentKid()))
                .post("/v1/cards/{id}/pin-change-requests", card).then().statusCode(202).extract().path("id");
    }

    /** Starts every call, then releases them together, and collects the answers. */
    private static <T> List<T> allAtOnce(List<Callable<T>> calls) throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<T>> futures = new ArrayList<>();
            for (Callable<T> call : calls) {
                futures.add(pool.submit(() -> {
                    go.await();
                    return call.call();
                }));
            }
            go.countDown();
            List<T> results = new ArrayList<>();
            for (Future<T> f : futures) {
                results.add(f.get(30, TimeUnit.SECONDS));
            }
            return results;
        }
    }
}
