package io.pinbff.it;

import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The packaged jar (production defaults) stopped with SIGTERM: it waits only for what is in flight. */
class ShutdownIT {

    static FakeSolaris solaris;
    static PackagedApp app;

    @BeforeAll
    static void start() throws Exception {
        solaris = new FakeSolaris();
        app = PackagedApp.start("shutdown", solaris.env(PackagedApp.freshDatabase("pinbff_it_shutdown")));
        app.awaitReady(Duration.ofSeconds(60));
    }

    @AfterAll
    static void stop() throws Exception {
        PackagedApp.closeAll(app, solaris);
    }

    /**
     * SIGTERM while a PIN change is in flight (Solaris answering in 2 s): readiness goes down at once,
     * the change still completes with 204, and the process exits right after the shutdown delay (3 s)
     * and that request, not after the 20 s shutdown timeout.
     */
    @Test
    void sigtermWaitsOnlyForWhatIsInFlight() throws Exception {
        // A client of its own, closed once its answers are in: like an app, it leaves no idle connection.
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        solaris.pinWrites(2000);
        String card = "sigterm-" + UUID.randomUUID().toString().substring(0, 8) + "mcrd";
        CompletableFuture<HttpResponse<String>> change = client.sendAsync(HttpRequest.newBuilder(
                URI.create(app.url("/v1/cards/" + card + "/pin"))).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + solaris.tokenForOwnerOf(card, 1)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(solaris.directBody("2580"))).build(), HttpResponse.BodyHandlers.ofString());
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (solaris.server.countRequestsMatching(postRequestedFor(urlPathMatching("/v1/cards/" + card + "/pin_update_requests"))
                .build()).getCount() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        long termAt = System.nanoTime();
        app.process.destroy(); // SIGTERM
        int ready = 200;
        while (ready == 200 && System.nanoTime() - termAt < Duration.ofSeconds(1).toNanos()) {
            ready = client.send(HttpRequest.newBuilder(URI.create(app.managementUrl("/q/health/ready"))).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        }
        assertThat(ready).as("readiness goes down within 1 s of SIGTERM, before the instance stops").isEqualTo(503);
        assertThat(change.get(10, java.util.concurrent.TimeUnit.SECONDS).statusCode()).as("the in-flight change completes").isEqualTo(204);
        client.close();
        if (!app.process.waitFor(8, java.util.concurrent.TimeUnit.SECONDS)) {
            // Still running: keep a thread dump and the connections still open to it, for the next look.
            new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jstack").toString(),
                    String.valueOf(app.process.pid())).redirectErrorStream(true)
                    .redirectOutput(Path.of("target/it-logs/shutdown-jstack.txt").toFile()).start().waitFor();
            new ProcessBuilder("sh", "-c", "ss -tnp state established '( sport = :" + app.port + " or dport = :" + app.port + " )'")
                    .redirectErrorStream(true).redirectOutput(Path.of("target/it-logs/shutdown-connections.txt").toFile())
                    .start().waitFor();
        }
        assertThat(app.process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).as("the instance stops").isTrue();
        long exitMillis = (System.nanoTime() - termAt) / 1_000_000;
        System.out.printf("[shutdown] SIGTERM with one 2 s PIN change in flight: 204, exit after %d ms%n", exitMillis);
        assertThat(exitMillis).as("delay (3 s) + the request, not the 20 s shutdown timeout").isLessThan(10_000);
    }

}
