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
    void newlyPublishedIdpKeyIsAcceptedWithinTheRefreshInterval() {
        as(PERSON).get("/v1/pin-keys/latest").then().statusCode(200);
        idp.rotate();
        String token = idp.mint(PERSON);
        // The contract allows 15 s; the test profile's refresh interval is 2 s.
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(250))
                .until(() -> given().auth().oauth2(token).get("/v1/pin-keys/latest").statusCode() == 200);
    }

    @Test
    void forgedKeyIdsCauseAtMostOneJwksFetchPerInterval() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        PrivateKey stranger = generator.generateKeyPair().getPrivate();
        int before = idp.jwksFetches();
        for (int i = 0; i < 20; i++) {
            String token = sign(claims(PERSON), stranger, "forged-kid-" + i);
            given().auth().oauth2(token).get("/v1/pin-keys/latest").then().statusCode(401).body("code", equalTo("unauthorized"));
        }
        assertThat(idp.jwksFetches() - before).isLessThanOrEqualTo(1);
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
