package io.pinbff.push;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.pinbff.sandbox.SolarisSandbox;
import io.pinbff.support.AppSide;
import io.pinbff.support.PinBffTest;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Change-request status pushed as server-sent events (contract §5.8), read the way an app reads them. */
@QuarkusTest
class EventStreamTest extends PinBffTest {

    @TestHTTPResource("/")
    URL base;

    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    /** One open stream: its events (id + data) as they arrive, and whether the server ended it. */
    final class Stream implements AutoCloseable {
        final BlockingQueue<String[]> events = new LinkedBlockingQueue<>();
        final HttpResponse<java.util.stream.Stream<String>> response;
        volatile boolean ended;
        volatile int comments;

        Stream(String id, String token, String lastEventId) throws Exception {
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "v1/pin-change-requests/" + id + "/events"))
                    .header("Authorization", "Bearer " + token).header("Accept", "text/event-stream");
            if (lastEventId != null) {
                b.header("Last-Event-ID", lastEventId);
            }
            response = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofLines());
            Thread.ofVirtual().start(() -> {
                String[] current = new String[3];
                try {
                    readLines(current);
                } catch (java.io.UncheckedIOException closedByUs) {
                    // close() below
                }
                ended = true;
            });
        }

        private void readLines(String[] current) {
                response.body().forEach(line -> {
                    if (line.startsWith("id:")) {
                        current[0] = line.substring(3).trim();
                    } else if (line.startsWith("event:")) {
                        current[1] = line.substring(6).trim();
                    } else if (line.startsWith("data:")) {
                        current[2] = line.substring(5).trim();
                    } else if (line.startsWith(":")) {
                        comments++;
                    } else if (line.isEmpty() && current[2] != null) {
                        events.add(current.clone());
                        current[0] = current[1] = current[2] = null;
                    }
                });
        }

        String[] next(Duration within) throws InterruptedException {
            String[] e = events.poll(within.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(e).as("an event within " + within).isNotNull();
            return e;
        }

        @Override
        public void close() {
            response.body().close();
        }
    }

    private String create(String card) {
        String jwe = AppSide.encryptPin("7391", sandbox.currentKid(), sandbox.currentPublicKey());
        return asDemo().body(Map.of("encrypted_pin", jwe, "key_id", sandbox.currentKid()))
                .post("/v1/cards/{id}/pin-change-requests", card).then().statusCode(202).extract().path("id");
    }

    @Test
    void streamShowsEveryStatusOfAFlowAndEndsAfterTheFinalOne() throws Exception {
        String id = create(sandbox.createCard(PERSON, "ACTIVE").id());
        try (Stream stream = new Stream(id, idp.mint(PERSON), null)) {
            assertThat(stream.response.statusCode()).isEqualTo(200);
            assertThat(stream.response.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
            String[] first = stream.next(Duration.ofSeconds(2));
            assertThat(first[1]).isEqualTo("change_request");
            assertThat(first[2]).contains("\"status\":\"AUTHORIZATION_REQUIRED\"").contains("\"id\":\"" + id + "\"");

            asDemo().body(Map.of("delivery_method", "mobile_number")).post("/v1/pin-change-requests/{id}/authorize", id)
                    .then().statusCode(200);
            String[] second = stream.next(Duration.ofSeconds(1));
            assertThat(second[2]).contains("\"status\":\"CONFIRMATION_REQUIRED\"");
            assertThat(Long.parseLong(second[0])).isGreaterThan(Long.parseLong(first[0]));

            asDemo().body(Map.of("tan", SolarisSandbox.SANDBOX_TAN)).post("/v1/pin-change-requests/{id}/confirm", id)
                    .then().statusCode(200);
            String[] third = stream.next(Duration.ofSeconds(1));
            assertThat(third[2]).contains("\"status\":\"COMPLETED\"");
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(2)).until(() -> stream.ended);
            assertThat(stream.events).isEmpty();
            // Nothing but the ChangeRequest on the wire (authorize_url is Solaris' own URL, passed through).
            for (String data : new String[] { first[2], second[2], third[2] }) {
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
        try (Stream stream = new Stream(id, idp.mint(PERSON), null)) {
            seen = stream.next(Duration.ofSeconds(2))[0];
        }
        try (Stream again = new Stream(id, idp.mint(PERSON), seen)) {
            assertThat(again.events.poll(700, TimeUnit.MILLISECONDS)).as("nothing newer than Last-Event-ID").isNull();
            asDemo().body(Map.of("delivery_method", "mobile_number")).post("/v1/pin-change-requests/{id}/authorize", id)
                    .then().statusCode(200);
            String[] next = again.next(Duration.ofSeconds(1));
            assertThat(next[2]).contains("CONFIRMATION_REQUIRED");
            assertThat(Long.parseLong(next[0])).isGreaterThan(Long.parseLong(seen));
        }
    }

    @Test
    void completionAtSolarisArrivesBySync() throws Exception {
        String id = create(sandbox.createCard(PERSON, "ACTIVE").id());
        try (Stream stream = new Stream(id, idp.mint(PERSON), null)) {
            stream.next(Duration.ofSeconds(2));
            long gets = sandbox.count("GET", "/v1/change_requests/.*");
            sandbox.completeOutOfBand(sandbox.lastChangeRequestId());
            String[] done = stream.next(Duration.ofSeconds(10));
            assertThat(done[2]).contains("\"status\":\"COMPLETED\"");
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
        try (Stream stream = new Stream(id, idp.mint(PERSON), null)) {
            assertThat(stream.next(Duration.ofSeconds(2))[2]).contains("COMPLETED");
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(2)).until(() -> stream.ended);
        }
    }

    @Test
    void sixthStreamOfAUserIsRefused() throws Exception {
        String id = create(sandbox.createCard(PERSON, "ACTIVE").id());
        List<Stream> open = new ArrayList<>();
        try {
            for (int i = 0; i < 5; i++) {
                Stream s = new Stream(id, idp.mint(PERSON), null);
                open.add(s);
                assertThat(s.response.statusCode()).isEqualTo(200);
            }
            as(PERSON).get("/v1/pin-change-requests/{id}/events", id).then().statusCode(429)
                    .contentType("application/problem+json").body("code", equalTo("too_many_streams"))
                    .header("Retry-After", org.hamcrest.Matchers.notNullValue());
        } finally {
            open.forEach(Stream::close);
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
