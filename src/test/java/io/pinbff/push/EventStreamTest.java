package io.pinbff.push;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.pinbff.sandbox.SolarisSandbox;
import io.pinbff.support.AppSide;
import io.pinbff.support.PinBffTest;
import io.pinbff.support.SseStream;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Change-request status pushed as server-sent events ({@code GET /v1/pin-change-requests/{id}/events}
 * in openapi/pin-bff.yaml), read the way an app reads them. */
@QuarkusTest
class EventStreamTest extends PinBffTest {

    @TestHTTPResource("/")
    URL base;

    private SseStream stream(String id, String token, String lastEventId) throws Exception {
        return new SseStream(base + "v1/pin-change-requests/" + id + "/events", token, lastEventId);
    }

    private String create(String card) {
        String jwe = AppSide.encryptPin("7391", sandbox.currentKid(), sandbox.currentPublicKey());
        return asDemo().body(Map.of("encrypted_pin", jwe, "key_id", sandbox.currentKid()))
                .post("/v1/cards/{id}/pin-change-requests", card).then().statusCode(202).extract().path("id");
    }

    @Test
    void streamShowsEveryStatusOfAFlowAndEndsAfterTheFinalOne() throws Exception {
        String id = create(sandbox.createCard(PERSON, "ACTIVE").id());
        try (SseStream stream = stream(id, idp.mint(PERSON), null)) {
            assertThat(stream.response.statusCode()).isEqualTo(200);
            assertThat(stream.response.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
            SseStream.Event first = stream.next(Duration.ofSeconds(2));
            assertThat(first.name()).isEqualTo("change_request");
            assertThat(first.data()).contains("\"status\":\"AUTHORIZATION_REQUIRED\"").contains("\"id\":\"" + id + "\"");

            asDemo().body(Map.of("delivery_method", "mobile_number")).post("/v1/pin-change-requests/{id}/authorize", id)
                    .then().statusCode(200);
            SseStream.Event second = stream.next(Duration.ofSeconds(1));
            assertThat(second.data()).contains("\"status\":\"CONFIRMATION_REQUIRED\"");
            assertThat(Long.parseLong(second.id())).isGreaterThan(Long.parseLong(first.id()));

            asDemo().body(Map.of("tan", SolarisSandbox.SANDBOX_TAN)).post("/v1/pin-change-requests/{id}/confirm", id)
                    .then().statusCode(200);
            SseStream.Event third = stream.next(Duration.ofSeconds(1));
            assertThat(third.data()).contains("\"status\":\"COMPLETED\"");
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(2)).until(() -> stream.ended);
            assertThat(stream.events).isEmpty();
            // Nothing but the ChangeRequest on the wire (authorize_url is Solaris' own URL, passed through).
            for (String data : new String[] { first.data(), second.data(), third.data() }) {
                assertThat(io.restassured.path.json.JsonPath.from(data).getMap("").keySet())
                        .isSubsetOf("id", "card_id", "status", "created_at", "updated_at", "expires_at", "authorize_url",
                                "string_to_sign");
            }
        }
    }

    @Test
    void lastEventIdResumesWithoutRepeats() throws Exception {
        String id = create(sandbox.createCard(PERSON, "ACTIVE").id());
        String seen;
        try (SseStream stream = stream(id, idp.mint(PERSON), null)) {
            seen = stream.next(Duration.ofSeconds(2)).id();
        }
        try (SseStream again = stream(id, idp.mint(PERSON), seen)) {
            assertThat(again.events.poll(700, TimeUnit.MILLISECONDS)).as("nothing newer than Last-Event-ID").isNull();
            asDemo().body(Map.of("delivery_method", "mobile_number")).post("/v1/pin-change-requests/{id}/authorize", id)
                    .then().statusCode(200);
            SseStream.Event next = again.next(Duration.ofSeconds(1));
            assertThat(next.data()).contains("CONFIRMATION_REQUIRED");
            assertThat(Long.parseLong(next.id())).isGreaterThan(Long.parseLong(seen));
        }
    }

    @Test
    void completionAtSolarisArrivesBySync() throws Exception {
        String id = create(sandbox.createCard(PERSON, "ACTIVE").id());
        try (SseStream stream = stream(id, idp.mint(PERSON), null)) {
            stream.next(Duration.ofSeconds(2));
            long gets = sandbox.count("GET", "/v1/change_requests/.*");
            sandbox.completeOutOfBand(sandbox.lastChangeRequestId());
            SseStream.Event done = stream.next(Duration.ofSeconds(10));
            assertThat(done.data()).contains("\"status\":\"COMPLETED\"");
            // One upstream GET per 5 s at most while the stream waited.
            assertThat(sandbox.count("GET", "/v1/change_requests/.*") - gets).isBetween(1L, 2L);
        }
    }

    @Test
    void alreadyFinalRequestGetsOneEventAndTheEnd() throws Exception {
        sandbox.setInitialChangeRequestStatus("CONFIRMATION_REQUIRED");
        String id = create(sandbox.createCard(PERSON, "ACTIVE").id());
        asDemo().body(Map.of("tan", SolarisSandbox.SANDBOX_TAN)).post("/v1/pin-change-requests/{id}/confirm", id)
                .then().statusCode(200);
        try (SseStream stream = stream(id, idp.mint(PERSON), null)) {
            assertThat(stream.next(Duration.ofSeconds(2)).data()).contains("COMPLETED");
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(2)).until(() -> stream.ended);
        }
    }

    @Test
    void sixthStreamOfAUserIsRefused() throws Exception {
        String id = create(sandbox.createCard(PERSON, "ACTIVE").id());
        List<SseStream> open = new ArrayList<>();
        try {
            for (int i = 0; i < 5; i++) {
                SseStream s = stream(id, idp.mint(PERSON), null);
                open.add(s);
                assertThat(s.response.statusCode()).isEqualTo(200);
            }
            as(PERSON).get("/v1/pin-change-requests/{id}/events", id).then().statusCode(429)
                    .contentType("application/problem+json").body("code", equalTo("too_many_streams"))
                    .header("Retry-After", org.hamcrest.Matchers.notNullValue());
        } finally {
            open.forEach(SseStream::close);
        }
    }

    @Test
    void problemsBeforeTheStreamStarts() {
        String id = create(sandbox.createCard(PERSON, "ACTIVE").id());
        given().get("/v1/pin-change-requests/{id}/events", id).then().statusCode(401)
                .contentType("application/problem+json").body("code", equalTo("unauthorized"));
        given().auth().oauth2(idp.mint(Map.of("sub", "x"), Duration.ofMinutes(5)))
                .get("/v1/pin-change-requests/{id}/events", id).then().statusCode(403).body("code", equalTo("forbidden"));
        as(SolarisSandbox.OTHER_PERSON_ID).get("/v1/pin-change-requests/{id}/events", id).then().statusCode(404)
                .contentType("application/problem+json").body("code", equalTo("change_request_not_found"));
    }
}
