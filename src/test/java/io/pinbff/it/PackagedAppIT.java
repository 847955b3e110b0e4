package io.pinbff.it;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;

import io.pinbff.support.AppSide;
import io.pinbff.support.Management;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import java.security.KeyPair;
import java.time.Duration;
import java.util.Map;
import org.awaitility.Awaitility;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.junit.jupiter.api.Test;

/**
 * The packaged production jar (no sandbox in it), started by Quarkus against WireMock: health,
 * metrics, the contract, and a PIN change whose upstream call is checked on the wire.
 */
@QuarkusIntegrationTest
@QuarkusTestResource(value = UpstreamStubs.class, restrictToAnnotatedClass = true)
class PackagedAppIT {

    @Test
    void servesHealthMetricsContractAndChangesAPin() throws Exception {
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                .until(() -> Management.given().get("/q/health/ready").statusCode() == 200);
        Management.given().get("/q/health/live").then().statusCode(200);
        Management.given().get("/q/openapi").then().statusCode(200).body(containsString("/v1/cards/{card_id}/pin"));
        given().get("/sandbox/idp/jwks.json").then().statusCode(404); // the sandbox is not in this build

        String token = userToken();
        Map<String, Object> key = given().auth().oauth2(token).get("/v1/pin-keys/latest")
                .then().statusCode(200).body("alg", org.hamcrest.Matchers.equalTo("RSA-OAEP-256"))
                .extract().jsonPath().getMap("");
        String jwe = AppSide.encryptPin("2580", key);
        KeyPair device = AppSide.newDeviceKey();
        given().auth().oauth2(token).contentType("application/json")
                .body(Map.of("device_id", "it-device", "encrypted_pin", jwe, "key_id", UpstreamStubs.PIN_KID,
                        "signature", AppSide.sign(jwe, device.getPrivate())))
                .post("/v1/cards/{id}/pin", UpstreamStubs.CARD).then().statusCode(204);

        UpstreamStubs.server.verify(1, postRequestedFor(urlEqualTo("/v1/cards/" + UpstreamStubs.CARD + "/pin_update_requests"))
                .withHeader("Authorization", equalTo("Bearer " + UpstreamStubs.SOLARIS_TOKEN))
                .withRequestBody(matchingJsonPath("$.encrypted_pin", equalTo(jwe)))
                .withRequestBody(matchingJsonPath("$.device_id", equalTo("it-device"))));
        Management.given().get("/q/metrics").then().statusCode(200)
                .body(containsString("pinbff_pin_changes_total{flow=\"direct\",outcome=\"success\"}"))
                .body(containsString("pinbff_solaris_requests_seconds_count"));
    }

    private static String userToken() throws Exception {
        JwtClaims claims = new JwtClaims();
        claims.setIssuer(UpstreamStubs.ISSUER);
        claims.setAudience(UpstreamStubs.AUDIENCE);
        claims.setSubject(UpstreamStubs.PERSON);
        claims.setClaim("person_id", UpstreamStubs.PERSON);
        claims.setExpirationTimeMinutesInTheFuture(5);
        claims.setIssuedAtToNow();
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
        jws.setKeyIdHeaderValue(UpstreamStubs.IDP_KID);
        jws.setKey(UpstreamStubs.idpKey.getPrivate());
        return jws.getCompactSerialization();
    }
}
