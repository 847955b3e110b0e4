package io.pinbff.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.pinbff.support.AppSide;
import io.pinbff.support.PinBffTest;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.keys.HmacKey;
import org.junit.jupiter.api.Test;

@QuarkusTest
class AuthTest extends PinBffTest {

    @Test
    void missingTokenIsUnauthorizedProblem() {
        given().get("/v1/pin-keys/latest").then().statusCode(401)
                .contentType("application/problem+json").body("code", equalTo("unauthorized"))
                .header("WWW-Authenticate", "Bearer");
    }

    @Test
    void missingTokenOnAPinChangeNeverReachesSolaris() {
        given().contentType("application/json").body(directBody("2580")).post("/v1/cards/{id}/pin", CARD)
                .then().statusCode(401).body("code", equalTo("unauthorized"));
        assertThat(upstreamPinWrites()).isZero();
    }

    @Test
    void expiredTokenIsUnauthorized() {
        String token = idp.mint(Map.of("sub", PERSON, "person_id", PERSON), Duration.ofMinutes(-5));
        given().auth().oauth2(token).get("/v1/pin-keys/latest").then().statusCode(401).body("code", equalTo("unauthorized"));
    }

    @Test
    void aRememberedTokenIsRefusedOnceItExpires() {
        // Valid for 2 s more; verified once, then remembered — but refused once exp + the 5 s skew has passed.
        String token = idp.mint(Map.of("sub", PERSON, "person_id", PERSON), Duration.ofSeconds(2));
        given().auth().oauth2(token).get("/v1/pin-keys/latest").then().statusCode(200);
        given().auth().oauth2(token).get("/v1/pin-keys/latest").then().statusCode(200);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(12)).pollInterval(Duration.ofMillis(200))
                .until(() -> given().auth().oauth2(token).get("/v1/pin-keys/latest").statusCode() == 401);
    }

    @Test
    void wrongIssuerIsUnauthorized() {
        String token = idp.mint(Map.of("person_id", PERSON, "iss", "https://evil.example"), Duration.ofMinutes(5));
        given().auth().oauth2(token).get("/v1/pin-keys/latest").then().statusCode(401).body("code", equalTo("unauthorized"));
    }

    @Test
    void wrongAudienceIsUnauthorized() {
        String token = idp.mint(Map.of("person_id", PERSON, "aud", "another-service"), Duration.ofMinutes(5));
        given().auth().oauth2(token).get("/v1/pin-keys/latest").then().statusCode(401).body("code", equalTo("unauthorized"));
    }

    @Test
    void tokenSignedByAForeignKeyIsUnauthorized() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        String token = sign(claims(PERSON), generator.generateKeyPair().getPrivate(), idp.signingKid());
        given().auth().oauth2(token).get("/v1/pin-keys/latest").then().statusCode(401).body("code", equalTo("unauthorized"));
    }

    @Test
    void unsignedTokenIsUnauthorized() {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String token = b64.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(claims(PERSON).toJson().getBytes(StandardCharsets.UTF_8)) + ".";
        given().auth().oauth2(token).get("/v1/pin-keys/latest").then().statusCode(401).body("code", equalTo("unauthorized"));
    }

    @Test
    void hs256SignedWithThePublicKeyIsUnauthorized() throws Exception {
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims(PERSON).toJson());
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.HMAC_SHA256);
        jws.setKeyIdHeaderValue(idp.signingKid());
        jws.setKey(new HmacKey(idp.jwks().get(0).get("n").toString().getBytes(StandardCharsets.US_ASCII)));
        jws.setDoKeyValidation(false);
        given().auth().oauth2(jws.getCompactSerialization()).get("/v1/pin-keys/latest")
                .then().statusCode(401).body("code", equalTo("unauthorized"));
    }

    @Test
    void tokenWithoutPersonIdIsForbidden() {
        Map<String, Object> claims = new HashMap<>();
        claims.put("sub", "someone");
        String token = idp.mint(claims, Duration.ofMinutes(5));
        given().auth().oauth2(token).get("/v1/pin-keys/latest").then().statusCode(403)
                .contentType("application/problem+json").body("code", equalTo("forbidden"));
    }

    @Test
    void newlyPublishedIdpKeyIsAcceptedWithinFifteenSecondsAndNeverRefusedAs401() {
        as(PERSON).get("/v1/pin-keys/latest").then().statusCode(200);
        idp.rotate();
        String token = idp.mint(PERSON);
        // Production interval (10 s) between forced JWKS fetches: until the new key is fetched the answer
        // is 503 + Retry-After (try again), never 401 (which an app takes as "sign the user out").
        long start = System.nanoTime();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    var r = given().auth().oauth2(token).get("/v1/pin-keys/latest");
                    assertThat(r.statusCode()).as("a valid token with a new key").isIn(200, 503);
                    if (r.statusCode() == 503) {
                        assertThat(r.header("Retry-After")).isNotNull();
                        assertThat(r.jsonPath().getString("code")).isEqualTo("upstream_unavailable");
                    }
                    return r.statusCode() == 200;
                });
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
    }

    @Test
    void forgedKeyIdsCauseAtMostOneJwksFetchPerInterval() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        PrivateKey stranger = generator.generateKeyPair().getPrivate();
        int before = idp.jwksFetches();
        java.util.List<String> tokens = new java.util.ArrayList<>();
        for (int i = 0; i < 20; i++) {
            tokens.add(sign(claims(PERSON), stranger, "forged-kid-" + i));
        }
        for (int status : fireConcurrently(tokens)) {
            assertThat(status).isIn(401, 503);
        }
        assertThat(idp.jwksFetches() - before).isLessThanOrEqualTo(1);
    }

    /**
     * However the header is written, only its top-level string kid counts, and no shape makes the BFF
     * fetch the JWKS outside the gate: nested kid, escaped name, no kid, duplicate names, kid not a string.
     */
    @Test
    void forgedHeaderShapesAreRefusedWithoutExtraJwksFetches() {
        String published = idp.signingKid();
        String claims = b64(claims(PERSON).toJson());
        java.util.List<String> headers = java.util.List.of(
                "{\"alg\":\"RS256\",\"x\":{\"kid\":\"" + published + "\"}}",
                "{\"alg\":\"RS256\",\"\\u006bid\":\"escaped-forged\"}",
                "{\"alg\":\"RS256\"}",
                "{\"alg\":\"RS256\",\"kid\":\"" + published + "\",\"kid\":\"dup-forged\"}",
                "{\"alg\":\"RS256\",\"kid\":{\"kid\":\"" + published + "\"}}",
                "{\"alg\":\"RS256\",\"kid\":[\"" + published + "\"]}",
                "[\"kid\",\"" + published + "\"]");
        int before = idp.jwksFetches();
        java.util.List<String> tokens = new java.util.ArrayList<>();
        for (String header : headers) {
            for (int i = 0; i < 5; i++) {
                tokens.add(b64(header) + "." + claims + "." + b64("sig" + i));
            }
        }
        java.util.List<Integer> statuses = fireConcurrently(tokens);
        for (int i = 0; i < statuses.size(); i++) {
            String header = headers.get(i / 5);
            if (header.contains("escaped-forged")) {
                assertThat(statuses.get(i)).as(header).isIn(401, 503); // a real kid, merely unknown: gated
            } else {
                assertThat(statuses.get(i)).as(header).isEqualTo(401);
            }
        }
        assertThat(idp.jwksFetches() - before).isLessThanOrEqualTo(1);
    }

    private static String b64(String text) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private static java.util.List<Integer> fireConcurrently(java.util.List<String> tokens) {
        try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            var answers = tokens.stream()
                    .map(t -> pool.submit(() -> given().auth().oauth2(t).get("/v1/pin-keys/latest").statusCode()))
                    .toList();
            return answers.stream().map(f -> {
                try {
                    return f.get();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }).toList();
        }
    }

    private JwtClaims claims(String personId) {
        JwtClaims claims = new JwtClaims();
        claims.setIssuer(idp.issuer());
        claims.setAudience(idp.audience());
        claims.setSubject(personId);
        claims.setClaim("person_id", personId);
        claims.setExpirationTimeMinutesInTheFuture(5);
        claims.setIssuedAtToNow();
        return claims;
    }

    private static String sign(JwtClaims claims, PrivateKey key, String kid) throws Exception {
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
        jws.setKeyIdHeaderValue(kid);
        jws.setKey(key);
        return jws.getCompactSerialization();
    }
}
