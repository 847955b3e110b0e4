package io.pinbff.changerequest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.pinbff.sandbox.SolarisSandbox;
import io.pinbff.support.AppSide;
import io.pinbff.support.Management;
import io.pinbff.support.PinBffTest;
import io.pinbff.support.ShiftedTime;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Status polls of an unchanged change request are answered from this instance's copy of the row, and
 * any change — made here, or announced on the event bus by another instance — is seen at once.
 */
@QuarkusTest
class PolledRowsTest extends PinBffTest {

    private static final Pattern HITS = Pattern.compile(
            "cache_gets_total\\{[^}]*cache=\"change-request-rows\"[^}]*result=\"hit\"[^}]*} ([0-9.E]+)");

    /** A new change request, on a new card of the demo person, awaiting authorisation. */
    private String openRequest(String pin) {
        String card = sandbox.createCard(PERSON, "ACTIVE").id();
        String jwe = AppSide.encryptPin(pin, sandbox.currentKid(), sandbox.currentPublicKey());
        return asDemo().body(Map.of("encrypted_pin", jwe, "key_id", sandbox.currentKid()))
                .post("/v1/cards/{id}/pin-change-requests", card).then().statusCode(202).extract().path("id");
    }

    private String completedRequest() {
        String id = openRequest("8024");
        asDemo().body(Map.of("delivery_method", "mobile_number")).post("/v1/pin-change-requests/{id}/authorize", id)
                .then().statusCode(200);
        asDemo().body(Map.of("tan", SolarisSandbox.SANDBOX_TAN)).post("/v1/pin-change-requests/{id}/confirm", id)
                .then().statusCode(200).body("status", equalTo("COMPLETED"));
        return id;
    }

    private static double hits() {
        Matcher m = HITS.matcher(Management.given().get("/q/metrics").asString());
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    @Test
    void unchangedRequestIsPolledFromTheKeptRow() {
        String id = completedRequest();
        String etag = as(PERSON).get("/v1/pin-change-requests/{id}", id).then().statusCode(200)
                .body("status", equalTo("COMPLETED")).extract().header("ETag");
        double before = hits();
        for (int i = 0; i < 20; i++) {
            as(PERSON).header("If-None-Match", etag).get("/v1/pin-change-requests/{id}", id).then().statusCode(304);
        }
        assertThat(hits() - before).as("polls answered from the kept row").isGreaterThanOrEqualTo(20);
        // Ownership is still checked on the kept row: another person gets 404 as for a missing request.
        as("0f1e2d3c4b5a69788796a5b4c3d2e1f0cper").get("/v1/pin-change-requests/{id}", id).then().statusCode(404)
                .body("code", equalTo("change_request_not_found"));
    }

    @Test
    void aChangeAnnouncedOnTheBusIsSeenAtOnce() {
        String id = completedRequest();
        as(PERSON).get("/v1/pin-change-requests/{id}", id).then().statusCode(200).body("status", equalTo("COMPLETED"));
        // Another instance changed the row: PostgreSQL and its notification are all this instance sees.
        db.execute("update change_request set status = 'FAILED', updated_at = updated_at + interval '1 second', "
                + "version = version + 1 where id = cast(? as uuid)", id);
        db.rows("select pg_notify('pinbff_events', ?)", "change_request:" + id);
        Awaitility.await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(20)).untilAsserted(() ->
                as(PERSON).get("/v1/pin-change-requests/{id}", id).then().statusCode(200).body("status", equalTo("FAILED")));
    }

    @Test
    void thisInstancesOwnWriteIsSeenByTheNextPoll() {
        String id = openRequest("5193");
        as(PERSON).get("/v1/pin-change-requests/{id}", id).then().statusCode(200).body("status", equalTo("AUTHORIZATION_REQUIRED"));
        asDemo().body(Map.of("delivery_method", "mobile_number")).post("/v1/pin-change-requests/{id}/authorize", id)
                .then().statusCode(200).body("status", equalTo("CONFIRMATION_REQUIRED"));
        // No waiting for the bus: the very next poll shows the authorisation.
        as(PERSON).get("/v1/pin-change-requests/{id}", id).then().statusCode(200).body("status", equalTo("CONFIRMATION_REQUIRED"));
        asDemo().body(Map.of("tan", SolarisSandbox.SANDBOX_TAN)).post("/v1/pin-change-requests/{id}/confirm", id)
                .then().statusCode(200);
        as(PERSON).get("/v1/pin-change-requests/{id}", id).then().statusCode(200).body("status", equalTo("COMPLETED"));
    }

    @Test
    void aKeptOpenRequestPastItsExpiryIsExpiredByThePollNotAnsweredFromTheCopy() {
        String id = openRequest("6318");
        as(PERSON).get("/v1/pin-change-requests/{id}", id).then().statusCode(200).body("status", equalTo("AUTHORIZATION_REQUIRED"));
        as(PERSON).get("/v1/pin-change-requests/{id}", id).then().statusCode(200); // now from the kept row
        ShiftedTime.install().advance(Duration.ofMinutes(16));
        as(PERSON).get("/v1/pin-change-requests/{id}", id).then().statusCode(200).body("status", equalTo("EXPIRED"));
        // Written, with its audit row — not merely shown as expired from the copy.
        assertThat(db.rows("select status from change_request where id = cast(? as uuid)", id))
                .extracting(r -> r.get("status")).containsExactly("EXPIRED");
        assertThat(db.rows("select action from change_request_event where change_request_id = cast(? as uuid) and action = 'expire'", id))
                .hasSize(1);
    }
}
