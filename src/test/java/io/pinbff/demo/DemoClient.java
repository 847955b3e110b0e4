package io.pinbff.demo;

import java.math.BigInteger;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import javax.crypto.spec.SecretKeySpec;

/**
 * What a mobile app does to change a PIN, against a BFF running in dev mode (built-in sandbox).
 * Plain JDK, no dependencies, so it runs as a single source file:
 *
 * <pre>java src/test/java/io/pinbff/demo/DemoClient.java direct 2580
 * java src/test/java/io/pinbff/demo/DemoClient.java sca 2580
 * java src/test/java/io/pinbff/demo/DemoClient.java sca 2580 --watch   (status pushed, not polled)</pre>
 *
 * It fetches a dev user token, the PIN key, encrypts {"pin":"…"} to a JWE (RSA-OAEP-256 +
 * A256CBC-HS512, written out here step by step as RFC 7516/7518 define it), signs with the demo
 * device's key and calls the BFF. The PIN never leaves this process unencrypted.
 */
public final class DemoClient {

    static final String CARD = "1fe8caa4bf1f49d87b2d63c14bb565f0mcrd";
    static final String PERSON = "4d0e6b1cb2e3a1f4c5d6e7f8a9b0c1d2cper";
    static final String DEVICE = "demo-device-1";
    public static final String DEVICE_KEY = "src/test/resources/demo-device-private.pem";

    private final HttpClient http = HttpClient.newHttpClient();
    private final String bff;
    private String token;

    DemoClient(String bff) {
        this.bff = bff;
    }

    public static void main(String[] rawArgs) throws Exception {
        java.util.List<String> list = new java.util.ArrayList<>(java.util.List.of(rawArgs));
        boolean watch = list.remove("--watch");
        String[] args = list.toArray(String[]::new);
        String flow = args.length > 0 ? args[0] : "direct";
        String pin = args.length > 1 ? args[1] : "2580";
        String bff = args.length > 2 ? args[2] : "http://localhost:8080";
        DemoClient client = new DemoClient(bff);
        client.watch = watch;
        String outcome = client.run(flow, pin, Files.readString(Path.of(DEVICE_KEY)));
        System.out.println(outcome);
    }

    /** Runs one flow and returns a one-line outcome. */
    String run(String flow, String pin, String devicePem) throws Exception {
        token = field(send("POST", "/sandbox/idp/token", "person_id=" + URLEncoder.encode(PERSON, StandardCharsets.UTF_8),
                "application/x-www-form-urlencoded").body(), "access_token");
        System.out.println("1. user token for person " + PERSON);
        String jwk = send("GET", "/v1/pin-keys/latest", null, null).body();
        String kid = field(jwk, "kid");
        System.out.println("2. PIN key " + kid + " (alg " + field(jwk, "alg") + ")");
        String jwe = encrypt("{\"pin\":\"" + pin + "\"}", kid, rsa(field(jwk, "n"), field(jwk, "e")));
        System.out.println("3. encrypted the PIN: a " + jwe.length() + "-character JWE");
        PrivateKey device = ecKey(devicePem);
        if (flow.equals("direct")) {
            String body = "{\"device_id\":\"" + DEVICE + "\",\"encrypted_pin\":\"" + jwe + "\",\"key_id\":\"" + kid
                    + "\",\"signature\":\"" + sign(jwe, device) + "\"}";
            HttpResponse<String> answer = send("POST", "/v1/cards/" + CARD + "/pin", body, "application/json");
            return "4. POST /v1/cards/" + CARD + "/pin -> " + answer.statusCode()
                    + (answer.statusCode() == 204 ? " (PIN changed)" : " " + answer.body());
        }
        HttpResponse<String> created = send("POST", "/v1/cards/" + CARD + "/pin-change-requests",
                "{\"encrypted_pin\":\"" + jwe + "\",\"key_id\":\"" + kid + "\"}", "application/json");
        if (created.statusCode() != 202) {
            return "4. create -> " + created.statusCode() + " " + created.body();
        }
        String location = created.headers().firstValue("Location").orElseThrow();
        System.out.println("4. change request " + location + " is " + field(created.body(), "status"));
        java.util.concurrent.CompletableFuture<String> pushed = watch ? watch(location) : null;
        String authorized = send("POST", location + "/authorize",
                "{\"delivery_method\":\"device_signing\",\"device_id\":\"" + DEVICE + "\"}", "application/json").body();
        System.out.println("5. authorised: " + field(authorized, "status"));
        String confirmed = send("POST", location + "/confirm", "{\"device_id\":\"" + DEVICE + "\",\"signature\":\""
                + sign(field(authorized, "string_to_sign"), device) + "\"}", "application/json").body();
        if (pushed != null) {
            return "6. confirmed; the stream ended with " + pushed.get(10, java.util.concurrent.TimeUnit.SECONDS);
        }
        return "6. confirmed: " + field(confirmed, "status");
    }

    boolean watch;

    /**
     * {@code --watch}: the change request's status pushed by the BFF (server-sent events) instead of
     * polling; prints each event and completes with the last status when the server ends the stream.
     */
    private java.util.concurrent.CompletableFuture<String> watch(String location) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(bff + location + "/events"))
                .header("Authorization", "Bearer " + token).header("Accept", "text/event-stream").build();
        java.util.concurrent.CompletableFuture<String> last = new java.util.concurrent.CompletableFuture<>();
        HttpResponse<java.util.stream.Stream<String>> stream = http.send(request, HttpResponse.BodyHandlers.ofLines());
        Thread.ofVirtual().start(() -> {
            String[] status = { "(none)" };
            String[] id = { "" };
            stream.body().forEach(line -> {
                if (line.startsWith("id:")) {
                    id[0] = line.substring(3).trim();
                } else if (line.startsWith("data:")) {
                    status[0] = field(line, "status");
                    System.out.println("   pushed event " + id[0] + ": " + status[0]);
                }
            });
            last.complete(status[0]);
        });
        return last;
    }

    private HttpResponse<String> send(String method, String path, String body, String type) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(bff + path));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (type != null) {
            request.header("Content-Type", type);
        }
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Compact JWE, RSA-OAEP-256 key wrapping and A256CBC-HS512 content encryption (RFC 7518 §4.3, §5.2.5). */
    public static String encrypt(String plaintext, String kid, RSAPublicKey key) throws Exception {
        SecureRandom random = new SecureRandom();
        byte[] cek = new byte[64];
        random.nextBytes(cek);
        byte[] iv = new byte[16];
        random.nextBytes(iv);
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String header = b64.encodeToString(("{\"alg\":\"RSA-OAEP-256\",\"enc\":\"A256CBC-HS512\",\"kid\":\"" + kid + "\"}")
                .getBytes(StandardCharsets.UTF_8));
        Cipher rsa = Cipher.getInstance("RSA/ECB/OAEPPadding");
        rsa.init(Cipher.ENCRYPT_MODE, key, new OAEPParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256,
                PSource.PSpecified.DEFAULT));
        byte[] encryptedKey = rsa.doFinal(cek);
        Cipher aes = Cipher.getInstance("AES/CBC/PKCS5Padding");
        aes.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(Arrays.copyOfRange(cek, 32, 64), "AES"), new IvParameterSpec(iv));
        byte[] ciphertext = aes.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
        byte[] aad = header.getBytes(StandardCharsets.US_ASCII);
        Mac hmac = Mac.getInstance("HmacSHA512");
        hmac.init(new SecretKeySpec(Arrays.copyOfRange(cek, 0, 32), "HmacSHA512"));
        hmac.update(aad);
        hmac.update(iv);
        hmac.update(ciphertext);
        hmac.update(ByteBuffer.allocate(8).putLong(aad.length * 8L).array());
        byte[] tag = Arrays.copyOf(hmac.doFinal(), 32);
        return String.join(".", header, b64.encodeToString(encryptedKey), b64.encodeToString(iv),
                b64.encodeToString(ciphertext), b64.encodeToString(tag));
    }

    public static String sign(String text, PrivateKey key) throws Exception {
        Signature ecdsa = Signature.getInstance("SHA256withECDSA");
        ecdsa.initSign(key);
        ecdsa.update(text.getBytes(StandardCharsets.US_ASCII));
        return HexFormat.of().formatHex(ecdsa.sign());
    }

    public static RSAPublicKey rsa(String n, String e) throws Exception {
        Base64.Decoder b64 = Base64.getUrlDecoder();
        return (RSAPublicKey) KeyFactory.getInstance("RSA").generatePublic(
                new RSAPublicKeySpec(new BigInteger(1, b64.decode(n)), new BigInteger(1, b64.decode(e))));
    }

    public static PrivateKey ecKey(String pem) throws Exception {
        String base64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
    }

    /** Good enough for a demo: the string value of a top-level field. */
    public static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(name) + "\"\\s*:\\s*\"([^\"]*)\"").matcher(json);
        if (!m.find()) {
            throw new IllegalStateException("no " + name + " in " + json);
        }
        return m.group(1);
    }
}
