package io.pinbff.solaris;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Vertx;
import io.quarkus.tls.BaseTlsConfiguration;
import io.quarkus.tls.TlsConfiguration;
import io.quarkus.tls.TlsConfigurationRegistry;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.PfxOptions;
import io.vertx.core.net.TrustOptions;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The wire client on its own, against a real HTTP server on loopback: what goes out (path, headers,
 * body), what comes back (status, body, bounded), and how a call ends early (interrupt, event loop).
 */
class SolarisHttpTest {

    private static Vertx vertx;
    private static HttpServer server;
    private static SolarisHttp http;
    /** What the server saw, by request path. */
    private static final Map<String, HttpServerRequest> seen = new ConcurrentHashMap<>();
    private static final Map<String, String> bodies = new ConcurrentHashMap<>();
    private static final CountDownLatch slowClosed = new CountDownLatch(1);

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        server = vertx.createHttpServer().requestHandler(req -> {
            String path = req.path();
            seen.put(path, req);
            if (path.endsWith("/big")) {
                req.response().end("x".repeat(SolarisHttp.MAX_ANSWER_BYTES + 1));
            } else if (path.endsWith("/empty")) {
                req.response().setStatusCode(204).end();
            } else if (path.endsWith("/slow")) {
                req.connection().closeHandler(v -> slowClosed.countDown()); // never answered
            } else if (path.contains("/card/")) { // a small answer, head and body in one write
                req.response().putHeader("content-type", "application/json").end("{\"path\":\"" + path + "\"}");
            } else if (path.contains("/echo/")) {
                // Chunked, in several writes: the body arrives in pieces after the head.
                req.body().onSuccess(b -> {
                    bodies.put(path, b.toString());
                    req.response().setChunked(true).putHeader("content-type", "application/json");
                    String answer = "{\"path\":\"" + path + "\"}";
                    for (char c : answer.toCharArray()) {
                        req.response().write(String.valueOf(c));
                    }
                    req.response().end();
                });
            } else {
                req.response().setStatusCode(404).end();
            }
        }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        http = new SolarisHttp(vertx, URI.create("http://127.0.0.1:" + server.actualPort() + "/base/"),
                Duration.ofSeconds(2), Duration.ofSeconds(30), 100, null, null);
    }

    @AfterAll
    static void stop() {
        http.close();
        vertx.close().toCompletionStage().toCompletableFuture().join();
    }

    @Test
    void aGetCarriesTheBearerAndAsksForJsonOnTheBasePathWithTheIdEncoded() throws Exception {
        SolarisHttp.Raw raw = http.get("/echo/" + SolarisHttp.segment("a b/c?d"), "Bearer t1");

        String path = "/base/echo/a%20b%2Fc%3Fd";
        assertThat(raw.status()).isEqualTo(200);
        assertThat(raw.text()).isEqualTo("{\"path\":\"" + path + "\"}");
        HttpServerRequest req = seen.get(path);
        assertThat(req.method().name()).isEqualTo("GET");
        assertThat(req.getHeader("Authorization")).isEqualTo("Bearer t1");
        assertThat(req.getHeader("Accept")).isEqualTo("application/json");
        assertThat(bodies.get(path)).isEmpty();
    }

    @Test
    void aPostSendsItsJsonAsJson() throws Exception {
        SolarisHttp.Raw raw = http.post("/echo/post", "Bearer t2", "{\"encrypted_pin\":\"e\"}");

        assertThat(raw.status()).isEqualTo(200);
        HttpServerRequest req = seen.get("/base/echo/post");
        assertThat(req.method().name()).isEqualTo("POST");
        assertThat(req.getHeader("Content-Type")).isEqualTo("application/json");
        assertThat(req.getHeader("Authorization")).isEqualTo("Bearer t2");
        assertThat(bodies.get("/base/echo/post")).isEqualTo("{\"encrypted_pin\":\"e\"}");
    }

    @Test
    void anAnswerWithoutBodyIsItsStatusAndEmptyText() throws Exception {
        assertThat(http.get("/empty", "Bearer t")).isEqualTo(new SolarisHttp.Raw(204, ""));
        assertThat(http.get("/nothing-here", "Bearer t").status()).isEqualTo(404);
    }

    @Test
    void anAnswerLongerThanTheBoundFailsTheCall() {
        assertThatThrownBy(() -> http.get("/big", "Bearer t"))
                .isInstanceOf(UpstreamFailure.class)
                .hasMessageContaining("more than " + SolarisHttp.MAX_ANSWER_BYTES + " bytes");
    }

    @Test
    void anInterruptedWaitEndsTheCallAndGivesTheConnectionUp() throws Exception {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread caller = Thread.ofVirtual().start(() -> {
            try {
                http.get("/slow", "Bearer t");
            } catch (Throwable t) {
                thrown.set(t);
            }
        });
        for (int i = 0; i < 200 && !seen.containsKey("/base/slow"); i++) {
            Thread.sleep(10);
        }
        assertThat(seen).containsKey("/base/slow");
        caller.interrupt(); // what an attempt's timeout does
        caller.join(5_000);

        assertThat(thrown.get()).isInstanceOf(InterruptedException.class);
        assertThat(slowClosed.await(5, TimeUnit.SECONDS)).as("the server saw the connection go").isTrue();
    }

    /** A timeout that comes before the request has left (its event loop busy) means it never leaves. */
    @Test
    void aCallAbandonedBeforeItWasSentIsNeverSent() throws Exception {
        Vertx oneLoop = Vertx.vertx(new io.vertx.core.VertxOptions().setEventLoopPoolSize(1));
        SolarisHttp client = new SolarisHttp(oneLoop, URI.create("http://127.0.0.1:" + server.actualPort() + "/base"),
                Duration.ofSeconds(2), Duration.ofSeconds(30), 10, null, null);
        CountDownLatch busy = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        oneLoop.runOnContext(v -> { // the only event loop, and so every lane's, is held up
            busy.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        try {
            assertThat(busy.await(5, TimeUnit.SECONDS)).isTrue();
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            Thread caller = Thread.ofVirtual().start(() -> {
                try {
                    client.post("/abandoned", "Bearer t", "{}");
                } catch (Throwable t) {
                    thrown.set(t);
                }
            });
            Thread.sleep(100);
            caller.interrupt();
            caller.join(5_000);
            assertThat(thrown.get()).isInstanceOf(InterruptedException.class);
        } finally {
            release.countDown();
        }
        Thread.sleep(500); // time enough for a request that did leave to arrive
        assertThat(seen).doesNotContainKey("/base/abandoned");
        client.close();
        oneLoop.close().toCompletionStage().toCompletableFuture().join();
    }

    /**
     * An https Solaris: its certificate is checked against the JVM's trusted CAs unless a TLS
     * configuration of Quarkus' registry says whom to trust (pinbff.solaris.tls-configuration-name).
     */
    @Test
    void anHttpsSolarisIsTrustedOnlyAsItsTlsConfigurationSays(@TempDir Path dir) throws Exception {
        Path keyStore = dir.resolve("solaris.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "solaris", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
                "-ext", "san=dns:localhost", "-validity", "2", "-storetype", "PKCS12", "-keystore", keyStore.toString(),
                "-storepass", "secret", "-keypass", "secret").redirectErrorStream(true).start();
        assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(keytool.exitValue()).isZero();
        PfxOptions certificate = new PfxOptions().setPath(keyStore.toString()).setPassword("secret");
        HttpServer https = vertx.createHttpServer(new HttpServerOptions().setSsl(true).setKeyCertOptions(certificate))
                .requestHandler(req -> req.response().end("{\"tls\":true}"))
                .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        URI base = URI.create("https://localhost:" + https.actualPort() + "/base");
        SolarisHttp jvmTrust = new SolarisHttp(vertx, base, Duration.ofSeconds(2), Duration.ofSeconds(30), 10, null, null);
        SolarisHttp configured = new SolarisHttp(vertx, base, Duration.ofSeconds(2), Duration.ofSeconds(30), 10,
                new BaseTlsConfiguration() {
                    @Override
                    public TrustOptions getTrustStoreOptions() {
                        return certificate;
                    }
                }, null);
        try {
            assertThatThrownBy(() -> jvmTrust.get("/x", "Bearer t"))
                    .as("a certificate no trusted CA signed").isInstanceOf(UpstreamFailure.class);
            assertThat(configured.get("/x", "Bearer t")).isEqualTo(new SolarisHttp.Raw(200, "{\"tls\":true}"));
        } finally {
            jvmTrust.close();
            configured.close();
            https.close();
        }
    }

    /** Through an HTTP proxy, when one is set: the request goes to the proxy, for Solaris' address. */
    @Test
    void throughAProxyTheRequestGoesToTheProxyForSolarisAddress() throws Exception {
        HttpServer proxy = vertx.createHttpServer()
                .requestHandler(req -> req.response().end("{\"proxied\":\"" + req.uri() + "\",\"auth\":\""
                        + req.getHeader("Authorization") + "\"}"))
                .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        SolarisHttp viaProxy = new SolarisHttp(vertx, URI.create("http://solaris.invalid:8443/base"), Duration.ofSeconds(2),
                Duration.ofSeconds(30), 10, null, SolarisHttp.proxy("127.0.0.1:" + proxy.actualPort()));
        try {
            assertThat(viaProxy.get("/v1/cards/c1", "Bearer t")).isEqualTo(new SolarisHttp.Raw(200,
                    "{\"proxied\":\"http://solaris.invalid:8443/base/v1/cards/c1\",\"auth\":\"Bearer t\"}"));
        } finally {
            viaProxy.close();
            proxy.close();
        }
        assertThatThrownBy(() -> SolarisHttp.proxy("proxy.internal")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("pinbff.solaris.proxy-address must be host:port");
        assertThatThrownBy(() -> SolarisHttp.proxy(":3128")).isInstanceOf(IllegalArgumentException.class);
        assertThat(SolarisHttp.proxy("proxy.internal:3128").getHost()).isEqualTo("proxy.internal");
    }

    /** A TLS configuration named but not configured stops the start with a message naming it. */
    @Test
    void aNamedTlsConfigurationMustExist() {
        BaseTlsConfiguration own = new BaseTlsConfiguration() {};
        Map<String, TlsConfiguration> known = new ConcurrentHashMap<>(Map.of("solaris", own));
        TlsConfigurationRegistry registry = new TlsConfigurationRegistry() {
            @Override
            public Optional<TlsConfiguration> get(String name) {
                return Optional.ofNullable(known.get(name));
            }

            @Override
            public Optional<TlsConfiguration> getDefault() {
                return Optional.empty();
            }

            @Override
            public void register(String name, TlsConfiguration configuration) {
                known.put(name, configuration);
            }
        };
        assertThat(SolarisHttp.tls(registry, Optional.of("solaris"))).isSameAs(own);
        assertThat(SolarisHttp.tls(registry, Optional.empty())).as("no default either: the JVM's CAs").isNull();
        assertThatThrownBy(() -> SolarisHttp.tls(registry, Optional.of("solaris-typo")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("pinbff.solaris.tls-configuration-name").hasMessageContaining("quarkus.tls.solaris-typo");
    }

    @Test
    void itRefusesToWaitOnAnEventLoop() throws Exception {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);
        vertx.runOnContext(v -> {
            try {
                http.get("/empty", "Bearer t");
            } catch (Throwable t) {
                thrown.set(t);
            }
            done.countDown();
        });
        assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(thrown.get()).isInstanceOf(IllegalStateException.class).hasMessageContaining("never from the event loop");
    }

    /**
     * Calls one after another, each from a new plain virtual thread (no Vert.x context, as the card
     * check's), over the kept-alive connection: every answer arrives whole. The first version of this
     * client failed here within a few hundred calls (and lost 3 of 2,000 card lookups in the benchmark):
     * it set the body handlers in a task that could run after the answer had ended.
     */
    @Test
    void callsFromPlainVirtualThreadsOneAfterAnotherAllGetTheirWholeAnswer() throws Exception {
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 3_000; i++) {
                String id = "s" + i;
                assertThat(threads.submit(() -> http.get("/card/" + id, "Bearer t")).get(10, TimeUnit.SECONDS))
                        .isEqualTo(new SolarisHttp.Raw(200, "{\"path\":\"/base/card/s" + i + "\"}"));
            }
        }
    }

    /** Many calls at once from plain virtual threads: every answer arrives whole, to its own caller. */
    @Test
    void concurrentCallsFromPlainVirtualThreadsAllGetTheirWholeAnswer() throws Exception {
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<SolarisHttp.Raw>> calls = new ArrayList<>();
            for (int i = 0; i < 2_000; i++) {
                String id = "c" + i;
                calls.add(threads.submit(() -> http.get("/card/" + id, "Bearer t")));
            }
            for (int i = 0; i < calls.size(); i++) {
                assertThat(calls.get(i).get(30, TimeUnit.SECONDS))
                        .isEqualTo(new SolarisHttp.Raw(200, "{\"path\":\"/base/card/c" + i + "\"}"));
            }
        }
    }
}
