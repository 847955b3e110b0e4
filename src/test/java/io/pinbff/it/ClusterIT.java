package io.pinbff.it;

import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Two processes of the packaged jar on one PostgreSQL database, production defaults: valid tokens are
 * accepted from the first request after ready, a newly published IdP key is never answered 401, and
 * an Idempotency-Key held by an instance that was killed mid-request is taken over by the other once
 * its lease (write budget + 10 s) runs out, and the write reaches Solaris again. Also: a PIN key rotation
 * learned by one instance and served by the other, a webhook on one dropping the other's card cache,
 * limits, idempotency and the one-open-request rule across instances, the expiry sweep on both
 * (the only non-default setting: PINBFF_CHANGE_REQUESTS_SWEEP_EVERY=1s, so the sweep test is short).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT {

    static FakeSolaris solaris;
    static PackagedApp a;
    static PackagedApp b;
    static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .executor(Executors.newVirtualThreadPerTaskExecutor()).build();

    @BeforeAll
    static void start() throws Exception {
        solaris = new FakeSolaris();
        String db = PackagedApp.freshDatabase("pinbff_it_cluster");
        a = PackagedApp.start("cluster-a", solaris.env(db));
        b = PackagedApp.start("cluster-b", solaris.env(db));
        a.awaitReady(Duration.ofSeconds(60));
        b.awaitReady(Duration.ofSeconds(60));
    }

    @AfterAll
    static void stop() throws Exception {
        PackagedApp.closeAll(a, b, solaris);
    }

    @Test
    @Order(1)
    void hundredValidTokensRightAfterReadyAreAllAccepted() throws Exception {
        List<HttpRequest> requests = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            requests.add(keyRequest(a, solaris.tokenForOwnerOf("start-" + i + "mcrd", 1)));
        }
        assertThat(statuses(requests)).as("a fresh instance refuses no valid token").containsOnly(200);
    }

    @Test
    @Order(2)
    void newlyPublishedIdpKeyIsNeverRefusedAs401AndFetchedAtMostOncePer10s() throws Exception {
        int fetchesBefore = solaris.jwksFetches();
        long start = System.nanoTime();
        solaris.publishSecondIdpKey();
        List<HttpRequest> requests = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            requests.add(keyRequest(a, solaris.tokenForOwnerOf("rotation-" + i + "mcrd", 2)));
        }
        List<Integer> first = statuses(requests);
        assertThat(first).as("valid tokens with the new key: 200, or 503 + Retry-After while it cannot be fetched")
                .doesNotContain(401).isSubsetOf(200, 503);
        List<Integer> later = first;
        while (later.contains(503) && System.nanoTime() - start < Duration.ofSeconds(15).toNanos()) {
            Thread.sleep(500);
            later = statuses(requests);
            assertThat(later).doesNotContain(401);
        }
        assertThat(later).as("accepted within 15 s of publication").containsOnly(200);
        long seconds = Math.max(1, Duration.ofNanos(System.nanoTime() - start).toSeconds());
        // Both instances together: each fetches at most once per 10 s.
        assertThat(solaris.jwksFetches() - fetchesBefore).isLessThanOrEqualTo(2 * (int) (seconds / 10 + 1));
    }

    @Test
    @Order(9) // last: it kills instance B
    void idempotencyKeyOfAKilledInstanceIsTakenOverAfterItsLease() throws Exception {
        String card = "crash-" + UUID.randomUUID().toString().substring(0, 8) + "mcrd";
        String token = solaris.tokenForOwnerOf(card, 1);
        String body = solaris.directBody("2580");
        String key = "crash-" + UUID.randomUUID();
        solaris.pinWrites(4000); // the write is in flight at Solaris when instance B dies
        CompletableFuture<HttpResponse<String>> onB = CLIENT.sendAsync(change(b, card, token, body, key),
                HttpResponse.BodyHandlers.ofString());
        String writePath = "/v1/cards/" + card + "/pin_update_requests";
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (writes(writePath) == 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(writes(writePath)).as("B's write reached Solaris").isEqualTo(1);
        b.kill();
        long killedAt = System.nanoTime();
        assertThat(onB).failsWithin(Duration.ofSeconds(10));
        solaris.pinWrites(0);

        HttpResponse<String> retry;
        while (true) {
            retry = CLIENT.send(change(a, card, token, body, key), HttpResponse.BodyHandlers.ofString());
            if (retry.statusCode() != 409) {
                break;
            }
            assertThat(retry.body()).contains("request_in_progress");
            assertThat(retry.headers().firstValue("Retry-After")).isPresent();
            assertThat(Duration.ofNanos(System.nanoTime() - killedAt)).as("lease ran out").isLessThan(Duration.ofSeconds(25));
            Thread.sleep(1000);
        }
        System.out.printf("[cluster] key of the killed instance taken over after %d ms%n",
                Duration.ofNanos(System.nanoTime() - killedAt).toMillis());
        assertThat(retry.statusCode()).as(retry.body()).isEqualTo(204);
        assertThat(writes(writePath)).as("the retry reached Solaris again (same encrypted PIN: harmless)").isEqualTo(2);
        HttpResponse<String> replay = CLIENT.send(change(a, card, token, body, key), HttpResponse.BodyHandlers.ofString());
        assertThat(replay.statusCode()).isEqualTo(204);
        assertThat(replay.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(writes(writePath)).isEqualTo(2);
    }

    /**
     * Solaris rotates its key and refuses the old one on a write sent to A (invalid_key): A refreshes at
     * once, answers 409 naming the new key, stores and announces it; B serves it within 1 s. 20 times.
     */
    @Test
    @Order(4)
    void keyRotationLearnedByOneInstanceIsServedByTheOtherWithinASecond() throws Exception {
        solaris.refuseKeyFor("rotcard-[A-Za-z0-9-]+mcrd");
        String run = UUID.randomUUID().toString().substring(0, 8);
        List<Long> millis = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String card = "rotcard-" + run + "-" + i + "mcrd"; // a person of its own each: no attempt limit in the way
            String token = solaris.tokenForOwnerOf(card, 1);
            String body = solaris.directBody("2580"); // encrypted to the key both instances hold now
            String newKid = solaris.rotatePinKey("cluster-pin-key-rot-" + UUID.randomUUID());
            HttpResponse<String> refused = CLIENT.send(change(a, card, token, body, null), HttpResponse.BodyHandlers.ofString());
            long learned = System.nanoTime();
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(409);
            assertThat(refused.body()).contains("pin_key_outdated").contains(newKid);
            while (!kidServedBy(b, token).equals(newKid)) {
                assertThat(Duration.ofNanos(System.nanoTime() - learned)).as("B serves the new key").isLessThan(Duration.ofSeconds(3));
                Thread.sleep(5);
            }
            millis.add(Duration.ofNanos(System.nanoTime() - learned).toMillis());
            assertThat(etagServedBy(a, token)).isEqualTo(etagServedBy(b, token));
        }
        List<Long> sorted = millis.stream().sorted().toList();
        System.out.printf("[cluster] key learned by A served by B after: median %d ms, max %d ms (20 rotations) %s%n",
                sorted.get(sorted.size() / 2), sorted.get(sorted.size() - 1), millis);
        assertThat(sorted.get(sorted.size() - 1)).as("every rotation within 1 s").isLessThanOrEqualTo(1000);
    }

    /** A webhook received by A drops the card from B's cache: a card blocked at Solaris is refused on B at once. */
    @Test
    @Order(5)
    void webhookOnOneInstanceDropsTheCardOnTheOther() throws Exception {
        String card = "hook-" + UUID.randomUUID().toString().substring(0, 8) + "mcrd";
        String token = solaris.tokenForOwnerOf(card, 1);
        assertThat(CLIENT.send(change(b, card, token, solaris.directBody("2580"), null), HttpResponse.BodyHandlers.ofString())
                .statusCode()).isEqualTo(204); // B has the card cached as ACTIVE (TTL 60 s)
        solaris.cards(card, "owner-" + card, "BLOCKED");
        HttpResponse<String> hook = CLIENT.send(solaris.cardWebhook(a.url("/v1/webhooks/solaris"), card, "BLOCKED"),
                HttpResponse.BodyHandlers.ofString());
        assertThat(hook.statusCode()).isEqualTo(200);
        long sent = System.nanoTime();
        HttpResponse<String> onB;
        do {
            onB = CLIENT.send(change(b, card, token, solaris.directBody("2581"), null), HttpResponse.BodyHandlers.ofString());
        } while (onB.statusCode() == 204 && System.nanoTime() - sent < Duration.ofSeconds(1).toNanos());
        assertThat(onB.statusCode()).as(onB.body()).isEqualTo(409);
        assertThat(onB.body()).contains("card_not_active");
    }

    /** 12 changes to 12 cards of one person, sent to both instances at once: exactly 10 pass. */
    @Test
    @Order(6)
    void perUserLimitHoldsAcrossInstances() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String person = "multi-" + run;
        solaris.cards("multi" + run + "-[0-9]+mcrd", person, "ACTIVE");
        String token = solaris.tokenFor(person, 1);
        List<HttpRequest> requests = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            requests.add(change(i % 2 == 0 ? a : b, "multi" + run + "-" + i + "mcrd", token, solaris.directBody("2580"), null));
        }
        List<Integer> statuses = statuses(requests);
        assertThat(statuses.stream().filter(st -> st == 204).count()).as(statuses.toString()).isEqualTo(10);
        assertThat(statuses.stream().filter(st -> st == 429).count()).isEqualTo(2);
    }

    /** The same Idempotency-Key on the other instance replays the answer without a second write. */
    @Test
    @Order(7)
    void idempotentReplayAcrossInstances() throws Exception {
        String card = "idem-" + UUID.randomUUID().toString().substring(0, 8) + "mcrd";
        String token = solaris.tokenForOwnerOf(card, 1);
        String body = solaris.directBody("2580");
        String key = "idem-" + UUID.randomUUID();
        assertThat(CLIENT.send(change(a, card, token, body, key), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(204);
        HttpResponse<String> replay = CLIENT.send(change(b, card, token, body, key), HttpResponse.BodyHandlers.ofString());
        assertThat(replay.statusCode()).isEqualTo(204);
        assertThat(replay.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(writes("/v1/cards/" + card + "/pin_update_requests")).isEqualTo(1);
    }

    /** Two creates for one card at once, one per instance: one change request, one 409 change_request_pending. */
    @Test
    @Order(8)
    void oneOpenChangeRequestPerCardAcrossInstancesAndTheSweepExpiresItOnce() throws Exception {
        String card = "sca-" + UUID.randomUUID().toString().substring(0, 8) + "mcrd";
        String token = solaris.tokenForOwnerOf(card, 1);
        List<HttpRequest> creates = new ArrayList<>();
        for (PackagedApp app : new PackagedApp[] { a, b }) {
            creates.add(HttpRequest.newBuilder(URI.create(app.url("/v1/cards/" + card + "/pin-change-requests")))
                    .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(solaris.scaBody("7391"))).build());
        }
        List<HttpResponse<String>> answers = creates.stream()
                .map(r -> CLIENT.sendAsync(r, HttpResponse.BodyHandlers.ofString())).toList().stream()
                .map(CompletableFuture::join).toList();
        assertThat(answers).extracting(HttpResponse::statusCode).containsExactlyInAnyOrder(202, 409);
        HttpResponse<String> created = answers.stream().filter(r -> r.statusCode() == 202).findFirst().orElseThrow();
        assertThat(answers.stream().filter(r -> r.statusCode() == 409).findFirst().orElseThrow().body())
                .contains("change_request_pending");
        assertThat(solaris.server.countRequestsMatching(postRequestedFor(
                urlEqualTo("/v1/cards/" + card + "/sca_pin_update_requests")).build()).getCount()).isEqualTo(1);

        // Due now: both instances sweep every second (set for this test); the request expires once.
        String id = created.headers().firstValue("Location").orElseThrow().replace("/v1/pin-change-requests/", "");
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(
                "jdbc:postgresql://localhost:5432/pinbff_it_cluster", "postgres", "postgres")) {
            c.createStatement().executeUpdate("update pinbff.change_request set expires_at = now() where id = '" + id + "'");
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            String status = "";
            while (!"EXPIRED".equals(status) && System.nanoTime() < deadline) {
                Thread.sleep(200);
                var rs = c.createStatement().executeQuery("select status from pinbff.change_request where id = '" + id + "'");
                rs.next();
                status = rs.getString(1);
            }
            assertThat(status).isEqualTo("EXPIRED");
            Thread.sleep(2_500); // both sweeps have run again since
            var rs = c.createStatement().executeQuery(
                    "select count(*) from pinbff.change_request_event where change_request_id = '" + id + "' and action = 'expire'");
            rs.next();
            assertThat(rs.getInt(1)).as("expired once, whichever instance swept it").isEqualTo(1);
        }
    }

    /**
     * A stream held by B shows a flow driven through A: AUTHORIZATION_REQUIRED → CONFIRMATION_REQUIRED →
     * COMPLETED, then the end. 20 flows: the time from A's confirm answer to the event on B is printed.
     */
    @Test
    @Order(3)
    void streamOnOneInstanceShowsAFlowDrivenThroughTheOther() throws Exception {
        List<Long> millis = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String card = "push-" + UUID.randomUUID().toString().substring(0, 8) + "mcrd";
            String token = solaris.tokenForOwnerOf(card, 1);
            HttpResponse<String> created = CLIENT.send(post(a, "/v1/cards/" + card + "/pin-change-requests", token,
                    solaris.scaBody("7391")), HttpResponse.BodyHandlers.ofString());
            assertThat(created.statusCode()).as(created.body()).isEqualTo(202);
            String id = created.headers().firstValue("Location").orElseThrow().replace("/v1/pin-change-requests/", "");
            try (io.pinbff.support.SseStream stream = new io.pinbff.support.SseStream(
                    b.url("/v1/pin-change-requests/" + id + "/events"), token, null)) {
                assertThat(stream.next(Duration.ofSeconds(3)).data()).contains("AUTHORIZATION_REQUIRED");
                assertThat(CLIENT.send(post(a, "/v1/pin-change-requests/" + id + "/authorize", token,
                        "{\"delivery_method\":\"mobile_number\"}"), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
                assertThat(stream.next(Duration.ofSeconds(1)).data()).contains("CONFIRMATION_REQUIRED");
                HttpResponse<String> confirmed = CLIENT.send(post(a, "/v1/pin-change-requests/" + id + "/confirm", token,
                        "{\"tan\":\"212212\"}"), HttpResponse.BodyHandlers.ofString());
                long answered = System.nanoTime();
                assertThat(confirmed.statusCode()).as(confirmed.body()).isEqualTo(200);
                io.pinbff.support.SseStream.Event done = stream.next(Duration.ofSeconds(1));
                assertThat(done.data()).contains("COMPLETED");
                millis.add(Math.max(0, (done.arrivedNanos() - answered) / 1_000_000));
                long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
                while (!stream.ended && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                assertThat(stream.ended).as("the stream ends after COMPLETED").isTrue();
            }
        }
        List<Long> sorted = millis.stream().sorted().toList();
        System.out.printf("[cluster] confirm answered on A -> event on B's stream: median %d ms, p99/max %d ms (20 flows) %s%n",
                sorted.get(sorted.size() / 2), sorted.get(sorted.size() - 1), millis);
    }

    private static HttpRequest post(PackagedApp app, String path, String token, String json) {
        return HttpRequest.newBuilder(URI.create(app.url(path))).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(json)).build();
    }

    private static String kidServedBy(PackagedApp app, String token) throws Exception {
        String body = CLIENT.send(keyRequest(app, token), HttpResponse.BodyHandlers.ofString()).body();
        int at = body.indexOf("\"kid\":\"") + 7;
        return body.substring(at, body.indexOf('"', at));
    }

    private static String etagServedBy(PackagedApp app, String token) throws Exception {
        return CLIENT.send(keyRequest(app, token), HttpResponse.BodyHandlers.discarding()).headers().firstValue("ETag").orElse("");
    }

    private static int writes(String path) {
        return solaris.server.countRequestsMatching(postRequestedFor(urlEqualTo(path)).build()).getCount();
    }

    private static HttpRequest keyRequest(PackagedApp app, String token) {
        return HttpRequest.newBuilder(URI.create(app.url("/v1/pin-keys/latest"))).header("Authorization", "Bearer " + token)
                .timeout(Duration.ofSeconds(10)).build();
    }

    private static HttpRequest change(PackagedApp app, String card, String token, String body, String key) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(app.url("/v1/cards/" + card + "/pin")))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(body));
        return key == null ? builder.build() : builder.header("Idempotency-Key", key).build();
    }

    private static List<Integer> statuses(List<HttpRequest> requests) {
        List<CompletableFuture<HttpResponse<Void>>> answers = requests.stream()
                .map(r -> CLIENT.sendAsync(r, HttpResponse.BodyHandlers.discarding())).toList();
        return answers.stream().map(f -> f.join().statusCode()).toList();
    }
}
