package io.pinbff.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.pinbff.support.SseStream;
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
import org.junit.jupiter.api.Test;

/**
 * 1,000 idle event streams on one packaged jar (production defaults): they hold no thread each, cost
 * little memory, and the instance keeps serving. Prints RSS and thread count before and after.
 */
class StreamsIT {

    static FakeSolaris solaris;
    static PackagedApp app;
    static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .executor(Executors.newVirtualThreadPerTaskExecutor()).build();

    @BeforeAll
    static void start() throws Exception {
        solaris = new FakeSolaris();
        app = PackagedApp.start("streams", solaris.env(PackagedApp.freshDatabase("pinbff_it_streams")));
        app.awaitReady(Duration.ofSeconds(60));
    }

    @AfterAll
    static void stop() throws Exception {
        PackagedApp.closeAll(app, solaris);
    }

    @Test
    void thousandIdleStreamsHoldNoThreadEach() throws Exception {
        int n = 1000;
        List<String[]> requests = new ArrayList<>(); // {id, token}
        for (int batch = 0; batch < n / 100; batch++) { // created 100 at a time: this test is about idle streams
            List<CompletableFuture<HttpResponse<String>>> creates = new ArrayList<>();
            List<String> tokens = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                String card = "idle-" + UUID.randomUUID().toString().substring(0, 12) + "mcrd";
                String token = solaris.tokenForOwnerOf(card, 1);
                tokens.add(token);
                creates.add(CLIENT.sendAsync(HttpRequest.newBuilder(URI.create(app.url("/v1/cards/" + card + "/pin-change-requests")))
                        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(solaris.scaBody("7391"))).build(),
                        HttpResponse.BodyHandlers.ofString()));
            }
            for (int i = 0; i < 100; i++) {
                HttpResponse<String> created = creates.get(i).join();
                assertThat(created.statusCode()).as(created.body()).isEqualTo(202);
                requests.add(new String[] { created.headers().firstValue("Location").orElseThrow()
                        .replace("/v1/pin-change-requests/", ""), tokens.get(i) });
            }
        }
        System.gc();
        long rssBefore = app.rssMib();
        long threadsBefore = app.threads();
        List<SseStream> streams = new ArrayList<>();
        try {
            for (String[] r : requests) {
                SseStream s = new SseStream(app.url("/v1/pin-change-requests/" + r[0] + "/events"), r[1], null);
                assertThat(s.response.statusCode()).isEqualTo(200);
                streams.add(s);
            }
            for (SseStream s : streams) {
                assertThat(s.next(Duration.ofSeconds(10)).data()).contains("AUTHORIZATION_REQUIRED");
            }
            Thread.sleep(3_000); // idle: keep-alives and syncs only
            long rssAfter = app.rssMib();
            long threadsAfter = app.threads();
            HttpResponse<String> metrics = CLIENT.send(HttpRequest.newBuilder(URI.create(app.managementUrl("/q/metrics"))).build(),
                    HttpResponse.BodyHandlers.ofString());
            System.out.printf("[streams] %d idle event streams on one instance: RSS %d -> %d MiB (+%d), threads %d -> %d%n",
                    n, rssBefore, rssAfter, rssAfter - rssBefore, threadsBefore, threadsAfter);
            assertThat(metrics.body()).contains("pinbff_event_streams_open " + n + ".0");
            assertThat(threadsAfter - threadsBefore).as("no thread per stream").isLessThan(100);
            HttpResponse<String> live = CLIENT.send(HttpRequest.newBuilder(URI.create(app.managementUrl("/q/health/live"))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(live.statusCode()).as("open streams are not a stalled instance").isEqualTo(200);
        } finally {
            streams.forEach(SseStream::close);
        }
    }
}
