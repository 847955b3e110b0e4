import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.MGF1ParameterSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import javax.crypto.spec.SecretKeySpec;

/**
 * The training run of the JDK AOT cache (JEP 483/514) that {@code ./mvnw package} records into the
 * file {@code bench/jvm.options} names: the packaged jar started with exactly those options (the
 * cache option turned into {@code -XX:AOTCacheOutput}), from the repository root, through its whole
 * start-up — configuration, Flyway migrating an empty schema of its own, the connection pool, the
 * HTTP servers, the PostgreSQL event bus, the Solaris token and PIN key and the IdP keys fetched, ready
 * — then what a first app does (the PIN key with a user token, a direct PIN change, a refused call),
 * then stopped with SIGTERM; the JVM writes the cache as it exits. The classes of the start-up and of
 * the first requests are then in the cache.
 *
 * <p>The run touches nothing outside itself: PostgreSQL at the given JDBC URL (default the local
 * {@code postgres} database), schema {@code pinbff_aot_training} only (Flyway cleans and migrates it
 * each time); Solaris and the IdP are a stand-in here on a loopback port (com.sun.net.httpserver,
 * Solaris' wire format, keys made for the run, a real JWE and ECDSA signature); random free ports;
 * the builder's environment is not passed on. Without PostgreSQL the start stops at Flyway and the
 * cache covers the start-up up to there (and this says so). A JDK-only single-file program, run by the
 * {@code aot-cache} profile of pom.xml with the source launcher: {@code java
 * src/build/AotTraining.java JDBC_URL USER PASSWORD}.
 */
public class AotTraining {

    static final String SCHEMA = "pinbff_aot_training";
    static final Path OPTIONS = Path.of("bench/jvm.options");
    static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");
    static final Path LOG = Path.of("target/aot-training.log");

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            throw new IllegalArgumentException("usage: AotTraining JDBC_URL USER PASSWORD");
        }
        List<String> options = new ArrayList<>(Arrays.asList(Files.readString(OPTIONS).strip().split("\\s+")));
        Path cache = null;
        for (int i = 0; i < options.size(); i++) {
            if (options.get(i).startsWith("-XX:AOTCache=")) {
                cache = Path.of(options.get(i).substring("-XX:AOTCache=".length()));
                options.set(i, "-XX:AOTCacheOutput=" + cache);
            }
        }
        if (cache == null) {
            System.out.println("[aot] " + OPTIONS + " names no -XX:AOTCache: nothing to record");
            return;
        }
        Files.deleteIfExists(cache);
        int[] ports = freePorts(2);
        int http = ports[0], management = ports[1];
        StandIn standIn = new StandIn();
        String upstream = "http://127.0.0.1:" + standIn.server.getAddress().getPort();
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(options);
        command.addAll(List.of(
                "-Dquarkus.http.host=127.0.0.1", "-Dquarkus.http.port=" + http,
                "-Dquarkus.management.host=127.0.0.1", "-Dquarkus.management.port=" + management,
                "-Dquarkus.datasource.jdbc.url=" + args[0], "-Dquarkus.datasource.username=" + args[1],
                "-Dquarkus.datasource.password=" + args[2],
                "-Dquarkus.datasource.jdbc.additional-jdbc-properties.currentSchema=" + SCHEMA,
                "-Dquarkus.flyway.schemas=" + SCHEMA, "-Dquarkus.flyway.clean-disabled=false",
                "-Dquarkus.flyway.clean-at-start=true",
                "-jar", JAR.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(LOG.toFile());
        Map<String, String> env = builder.environment();
        env.keySet().retainAll(List.of("PATH", "HOME", "LANG", "TMPDIR"));
        env.putAll(Map.of(
                "SOLARIS_BASE_URL", upstream + "/solaris", "SOLARIS_TOKEN_URL", upstream + "/oauth/token",
                "SOLARIS_CLIENT_ID", "aot-training", "SOLARIS_CLIENT_SECRET", "aot-training",
                "AUTH_JWKS_URL", upstream + "/jwks.json", "AUTH_ISSUER", StandIn.ISSUER,
                "FINGERPRINT_SECRET", "aot-training"));
        long start = System.nanoTime();
        Process app = builder.start();
        boolean ready = false;
        List<String> answers = new ArrayList<>();
        try {
            String api = "http://127.0.0.1:" + http;
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            while (app.isAlive() && System.nanoTime() - start < TimeUnit.SECONDS.toNanos(90)) {
                if (status(client, get("http://127.0.0.1:" + management + "/q/health/ready")) == 200) {
                    ready = true;
                    break;
                }
                Thread.sleep(50);
            }
            if (ready) {
                // What a first app does: the PIN key, a direct PIN change, and a call without a token.
                String token = standIn.userToken();
                answers.add("pin key " + status(client, get(api + "/v1/pin-keys/latest").header("Authorization", "Bearer " + token)));
                String jwe = standIn.encryptedPin();
                String body = "{\"device_id\":\"aot-device\",\"encrypted_pin\":\"" + jwe + "\",\"key_id\":\"" + StandIn.PIN_KID
                        + "\",\"signature\":\"" + standIn.deviceSignature(jwe) + "\"}";
                answers.add("direct change " + status(client, HttpRequest.newBuilder(URI.create(api + "/v1/cards/" + StandIn.CARD + "/pin"))
                        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))));
                answers.add("no token " + status(client, get(api + "/v1/pin-keys/latest")));
            }
        } finally {
            // SIGTERM whatever happened above: the JVM writes the cache as it exits, and no app is left running.
            app.destroy();
            boolean stopped = app.waitFor(180, TimeUnit.SECONDS);
            standIn.stop();
            if (!stopped) {
                app.destroyForcibly();
                throw new IllegalStateException("[aot] the training run did not stop; see " + LOG);
            }
        }
        if (!Files.isRegularFile(cache) || Files.size(cache) == 0) {
            throw new IllegalStateException("[aot] no AOT cache written at " + cache + "; see " + LOG);
        }
        System.out.printf("[aot] %s: %d MiB, %s in %d s; the run's log: %s%n", cache, Files.size(cache) >> 20,
                ready ? "start-up to ready and first requests recorded " + answers
                        : "start-up recorded only until the run stopped, not ready (is PostgreSQL reachable at "
                                + args[0] + "?)",
                TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start), LOG);
    }

    static HttpRequest.Builder get(String url) {
        return HttpRequest.newBuilder(URI.create(url));
    }

    static int status(HttpClient client, HttpRequest.Builder request) {
        try {
            return client.send(request.timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** Distinct free ports: all held open until each is known. */
    static int[] freePorts(int n) throws IOException {
        ServerSocket[] sockets = new ServerSocket[n];
        try {
            int[] ports = new int[n];
            for (int i = 0; i < n; i++) {
                sockets[i] = new ServerSocket(0);
                ports[i] = sockets[i].getLocalPort();
            }
            return ports;
        } finally {
            for (ServerSocket socket : sockets) {
                if (socket != null) {
                    socket.close();
                }
            }
        }
    }

    /** Solaris and the IdP for the training run: their wire format, keys made for the run. */
    static final class StandIn {
        static final String ISSUER = "https://idp.aot-training.invalid";
        static final String PIN_KID = "aot-training-pin-key";
        static final String IDP_KID = "aot-training-idp-key";
        static final String PERSON = "aottrainingpersoncper";
        static final String CARD = "aottrainingcardmcrd";
        static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

        final SecureRandom random = new SecureRandom();
        final KeyPair pinKey = rsa();
        final KeyPair idpKey = rsa();
        final KeyPair deviceKey;
        final HttpServer server;

        /** Listening on a free loopback port. */
        StandIn() throws Exception {
            KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
            ec.initialize(new ECGenParameterSpec("secp256r1"));
            deviceKey = ec.generateKeyPair();
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
            server.createContext("/oauth/token", x -> answer(x, 200,
                    "{\"access_token\":\"aot-training\",\"token_type\":\"Bearer\",\"expires_in\":3600}"));
            server.createContext("/jwks.json", x -> answer(x, 200, "{\"keys\":[" + jwk(idpKey, IDP_KID, "sig") + "]}"));
            server.createContext("/solaris/v1/cards/", this::solaris);
            server.start();
        }

        private void solaris(HttpExchange x) throws IOException {
            String path = x.getRequestURI().getPath();
            if (path.equals("/solaris/v1/cards/pin_keys/latest")) {
                answer(x, 200, jwk(pinKey, PIN_KID, "enc"));
            } else if (path.equals("/solaris/v1/cards/" + CARD)) {
                answer(x, 200, "{\"id\":\"" + CARD + "\",\"person_id\":\"" + PERSON
                        + "\",\"account_id\":\"aottrainingacct\",\"status\":\"ACTIVE\",\"type\":\"VISA_DEBIT\"}");
            } else if (path.equals("/solaris/v1/cards/" + CARD + "/pin_update_requests")) {
                answer(x, 204, null);
            } else {
                answer(x, 404, "{\"errors\":[{\"id\":\"aot\",\"status\":404,\"code\":\"not_found\",\"title\":\"Not Found\"}]}");
            }
        }

        private static void answer(HttpExchange x, int status, String json) throws IOException {
            x.getRequestBody().readAllBytes();
            if (json == null) {
                x.sendResponseHeaders(status, -1);
            } else {
                byte[] body = json.getBytes(StandardCharsets.UTF_8);
                x.getResponseHeaders().set("Content-Type", "application/json");
                x.sendResponseHeaders(status, body.length);
                x.getResponseBody().write(body);
            }
            x.close();
        }

        void stop() {
            server.stop(0);
        }

        /** An RS256 user token from the stand-in IdP, as an app sends it. */
        String userToken() throws Exception {
            long now = System.currentTimeMillis() / 1000;
            String header = B64.encodeToString(("{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"" + IDP_KID + "\"}")
                    .getBytes(StandardCharsets.UTF_8));
            String claims = B64.encodeToString(("{\"iss\":\"" + ISSUER + "\",\"aud\":\"pin-bff\",\"sub\":\"" + PERSON
                    + "\",\"person_id\":\"" + PERSON + "\",\"iat\":" + now + ",\"exp\":" + (now + 300) + "}")
                    .getBytes(StandardCharsets.UTF_8));
            Signature rs256 = Signature.getInstance("SHA256withRSA");
            rs256.initSign(idpKey.getPrivate());
            rs256.update((header + "." + claims).getBytes(StandardCharsets.US_ASCII));
            return header + "." + claims + "." + B64.encodeToString(rs256.sign());
        }

        /** {"pin":"…"} encrypted to the stand-in's PIN key: RSA-OAEP-256 and A256CBC-HS512 (RFC 7518). */
        String encryptedPin() throws Exception {
            String header = B64.encodeToString(("{\"alg\":\"RSA-OAEP-256\",\"enc\":\"A256CBC-HS512\",\"kid\":\""
                    + PIN_KID + "\"}").getBytes(StandardCharsets.UTF_8));
            byte[] cek = new byte[64];
            byte[] iv = new byte[16];
            random.nextBytes(cek);
            random.nextBytes(iv);
            Cipher oaep = Cipher.getInstance("RSA/ECB/OAEPPadding");
            oaep.init(Cipher.ENCRYPT_MODE, pinKey.getPublic(), new OAEPParameterSpec("SHA-256", "MGF1",
                    MGF1ParameterSpec.SHA256, PSource.PSpecified.DEFAULT));
            byte[] encryptedKey = oaep.doFinal(cek);
            Cipher aes = Cipher.getInstance("AES/CBC/PKCS5Padding");
            aes.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(cek, 32, 32, "AES"), new IvParameterSpec(iv));
            byte[] ciphertext = aes.doFinal(("{\"pin\":\"" + (1000 + random.nextInt(9000)) + "\"}")
                    .getBytes(StandardCharsets.UTF_8));
            byte[] aad = header.getBytes(StandardCharsets.US_ASCII);
            javax.crypto.Mac hmac = javax.crypto.Mac.getInstance("HmacSHA512");
            hmac.init(new SecretKeySpec(cek, 0, 32, "HmacSHA512"));
            hmac.update(aad);
            hmac.update(iv);
            hmac.update(ciphertext);
            hmac.update(java.nio.ByteBuffer.allocate(8).putLong(aad.length * 8L).array());
            byte[] tag = Arrays.copyOf(hmac.doFinal(), 32);
            return String.join(".", header, B64.encodeToString(encryptedKey), B64.encodeToString(iv),
                    B64.encodeToString(ciphertext), B64.encodeToString(tag));
        }

        /** The device-binding signature: hex(DER(ECDSA-P256-SHA256)) over the encrypted PIN. */
        String deviceSignature(String jwe) throws Exception {
            Signature ecdsa = Signature.getInstance("SHA256withECDSA");
            ecdsa.initSign(deviceKey.getPrivate());
            ecdsa.update(jwe.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(ecdsa.sign());
        }

        private static String jwk(KeyPair key, String kid, String use) {
            RSAPublicKey rsa = (RSAPublicKey) key.getPublic();
            return "{\"kty\":\"RSA\",\"kid\":\"" + kid + "\",\"use\":\"" + use + "\",\"alg\":\"RS256\",\"n\":\""
                    + B64.encodeToString(unsigned(rsa.getModulus())) + "\",\"e\":\""
                    + B64.encodeToString(unsigned(rsa.getPublicExponent())) + "\"}";
        }

        private static byte[] unsigned(BigInteger value) {
            byte[] bytes = value.toByteArray();
            return bytes[0] == 0 ? Arrays.copyOfRange(bytes, 1, bytes.length) : bytes;
        }

        private static KeyPair rsa() {
            try {
                KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
                generator.initialize(2048);
                return generator.generateKeyPair();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
