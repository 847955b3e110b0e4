package io.pinbff.sandbox;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.not;

import java.security.KeyPair;
import java.time.Duration;
import java.util.Map;

import jakarta.inject.Inject;

import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.pinbff.support.AppSide;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;

/** The sandbox over HTTP, as the BFF sees it: wire format, error bodies, flows, faults. */
@QuarkusTest
class SolarisSandboxTest {

    private static final String BASE = "/sandbox/solaris";

    @Inject
    SolarisSandbox sandbox;
    @Inject
    DevIdentityProvider idp;

    @BeforeEach
    void reset() {
        sandbox.reset();
    }

    private String token() {
        return given().auth().preemptive().basic("sandbox-client", "sandbox-secret")
                .formParam("grant_type", "client_credentials")
                .post(BASE + "/oauth/token")
                .then().statusCode(200).body("token_type", equalTo("Bearer")).body("expires_in", equalTo(3600))
                .extract().path("access_token");
    }

    private RequestSpecification solaris() {
        return given().auth().oauth2(token()).contentType(ContentType.JSON);
    }

    private static void solarisError(ValidatableResponse response, int status, String code) {
        response.statusCode(status).contentType(ContentType.JSON)
                .body("errors[0].status", equalTo(status)).body("errors[0].code", equalTo(code))
                .body("errors[0]", hasKey("id")).body("errors[0]", hasKey("title"));
    }

    private Map<String, Object> directBody(String pin, String deviceId, java.security.PrivateKey deviceKey) {
        String jwe = AppSide.encryptPin(pin, sandbox.currentPublicJwk());
        return Map.of("device_id", deviceId, "encrypted_pin", jwe, "key_id", sandbox.currentKid(),
                "signature", AppSide.sign(jwe, deviceKey));
    }

    @Test
    void tokenEndpointAcceptsBasicAndFormCredentials() {
        token();
        given().formParam("grant_type", "client_credentials").formParam("client_id", "sandbox-client")
                .formParam("client_secret", "sandbox-secret").post(BASE + "/oauth/token").then().statusCode(200);
        given().auth().preemptive().basic("sandbox-client", "wrong").formParam("grant_type", "client_credentials")
                .post(BASE + "/oauth/token").then().statusCode(401).body("error", equalTo("invalid_client"));
        given().auth().preemptive().basic("sandbox-client", "sandbox-secret").formParam("grant_type", "password")
                .post(BASE + "/oauth/token").then().statusCode(400).body("error", equalTo("unsupported_grant_type"));
        assertThat(sandbox.tokensIssued()).isEqualTo(2);
    }

    @Test
    void v1NeedsAValidToken() {
        solarisError(given().get(BASE + "/v1/cards/" + SolarisSandbox.DEMO_CARD_ID).then(), 401, "unauthorized");
        String token = token();
        sandbox.expireAllTokens();
        solarisError(given().auth().oauth2(token).get(BASE + "/v1/cards/pin_keys/latest").then(), 401, "unauthorized");
    }

    @Test
    void servesKeyAndCards() {
        solaris().get(BASE + "/v1/cards/pin_keys/latest").then().statusCode(200)
                .body("kid", equalTo(sandbox.currentKid())).body("alg", equalTo("RS256")).body("use", equalTo("enc"))
                .body("kty", equalTo("RSA")).body("e", equalTo("AQAB"));
        solaris().get(BASE + "/v1/cards/" + SolarisSandbox.BLOCKED_CARD_ID).then().statusCode(200)
                .body("person_id", equalTo(SolarisSandbox.DEMO_PERSON_ID)).body("status", equalTo("BLOCKED"))
                .body("type", equalTo("VIRTUAL_VISA_DEBIT")).body("representation", hasKey("masked_pan"));
        solarisError(solaris().get(BASE + "/v1/cards/nope").then(), 404, "not_found");
    }

    @Test
    void directChangeAppliesThePin() {
        solaris().body(directBody("4826", SolarisSandbox.DEMO_DEVICE_ID, AppSide.demoDeviceKey()))
                .post(BASE + "/v1/cards/" + SolarisSandbox.DEMO_CARD_ID + "/pin_update_requests")
                .then().statusCode(204);

        assertThat(sandbox.pinIs(SolarisSandbox.DEMO_CARD_ID, "4826")).isTrue();
        assertThat(sandbox.pinChanges(SolarisSandbox.DEMO_CARD_ID)).isEqualTo(1);
        assertThat(sandbox.count("POST", "/v1/cards/.+/pin_update_requests")).isEqualTo(1);
    }

    @Test
    void directChangeRefusals() {
        String path = BASE + "/v1/cards/" + SolarisSandbox.DEMO_CARD_ID + "/pin_update_requests";
        solarisError(solaris().body("{\"device_id\":1}").post(path).then(), 400, "invalid_request");
        solarisError(solaris().body("not json").post(path).then(), 400, "invalid_request");
        solarisError(solaris().body(directBody("1111", SolarisSandbox.DEMO_DEVICE_ID, AppSide.demoDeviceKey()))
                .post(path).then(), 422, "weak_pin");
        solarisError(solaris().body(directBody("4826", SolarisSandbox.DEMO_DEVICE_ID, AppSide.newDeviceKey().getPrivate()))
                .post(path).then(), 422, "invalid_signature");
        KeyPair foreign = AppSide.newDeviceKey();
        String foreignDevice = sandbox.registerDevice(SolarisSandbox.OTHER_PERSON_ID, foreign.getPublic());
        solarisError(solaris().body(directBody("4826", foreignDevice, foreign.getPrivate())).post(path).then(),
                422, "invalid_device");
        solarisError(solaris().body(directBody("4826", SolarisSandbox.DEMO_DEVICE_ID, AppSide.demoDeviceKey()))
                .post(BASE + "/v1/cards/" + SolarisSandbox.BLOCKED_CARD_ID + "/pin_update_requests").then(),
                422, "invalid_card_status");
        Map<String, Object> stale = directBody("4826", SolarisSandbox.DEMO_DEVICE_ID, AppSide.demoDeviceKey());
        sandbox.rotateKey();
        solarisError(solaris().body(stale).post(path).then(), 400, "invalid_key");

        assertThat(sandbox.pinChanges(SolarisSandbox.DEMO_CARD_ID)).isZero();
    }

    @Test
    void scaChangeWithTanAndThreeTries() {
        String id = createChangeRequest();
        solaris().body(Map.of("delivery_method", "mobile_number", "person_id", SolarisSandbox.DEMO_PERSON_ID))
                .post(BASE + "/v1/change_requests/" + id + "/authorize")
                .then().statusCode(200).body("status", equalTo("CONFIRMATION_REQUIRED")).body("$", not(hasKey("string_to_sign")));
        String confirm = BASE + "/v1/change_requests/" + id + "/confirm";
        Map<String, Object> wrong = Map.of("person_id", SolarisSandbox.DEMO_PERSON_ID, "tan", "000000");
        solarisError(solaris().body(wrong).post(confirm).then(), 422, "invalid_tan");
        solaris().body(Map.of("person_id", SolarisSandbox.DEMO_PERSON_ID, "tan", SolarisSandbox.SANDBOX_TAN))
                .post(confirm).then().statusCode(200).body("status", equalTo("COMPLETED")).body("response_code", equalTo(204));
        assertThat(sandbox.pinIs(SolarisSandbox.DEMO_CARD_ID, "5830")).isTrue();

        String second = createChangeRequest();
        sandbox.setChangeRequestStatus(second, "CONFIRMATION_REQUIRED");
        String confirmSecond = BASE + "/v1/change_requests/" + second + "/confirm";
        solarisError(solaris().body(wrong).post(confirmSecond).then(), 422, "invalid_tan");
        solarisError(solaris().body(wrong).post(confirmSecond).then(), 422, "invalid_tan");
        solarisError(solaris().body(wrong).post(confirmSecond).then(), 422, "invalid_tan");
        solaris().get(BASE + "/v1/change_requests/" + second).then().statusCode(200).body("status", equalTo("FAILED"));
        solarisError(solaris().body(wrong).post(confirmSecond).then(), 409, "invalid_change_request_status");
    }

    @Test
    void scaChangeWithDeviceSigning() {
        String id = createChangeRequest();
        solarisError(solaris().body(Map.of("delivery_method", "mobile_number", "person_id", SolarisSandbox.OTHER_PERSON_ID))
                .post(BASE + "/v1/change_requests/" + id + "/authorize").then(), 403, "forbidden");
        solarisError(solaris().body(Map.of("delivery_method", "carrier_pigeon", "person_id", SolarisSandbox.DEMO_PERSON_ID))
                .post(BASE + "/v1/change_requests/" + id + "/authorize").then(), 400, "invalid_request");
        String toSign = solaris().body(Map.of("delivery_method", "device_signing", "person_id", SolarisSandbox.DEMO_PERSON_ID,
                "device_id", SolarisSandbox.DEMO_DEVICE_ID))
                .post(BASE + "/v1/change_requests/" + id + "/authorize")
                .then().statusCode(200).extract().path("string_to_sign");
        assertThat(toSign).matches("[0-9a-f]{64}");

        solaris().body(Map.of("device_id", SolarisSandbox.DEMO_DEVICE_ID, "signature", AppSide.sign(toSign, AppSide.demoDeviceKey())))
                .post(BASE + "/v1/change_requests/" + id + "/confirm")
                .then().statusCode(200).body("status", equalTo("COMPLETED")).body("response_body", equalTo(""));
        assertThat(sandbox.pinIs(SolarisSandbox.DEMO_CARD_ID, "5830")).isTrue();
    }

    private String createChangeRequest() {
        String jwe = AppSide.encryptPin("5830", sandbox.currentPublicJwk());
        return solaris().body(Map.of("encrypted_pin", jwe, "key_id", sandbox.currentKid()))
                .post(BASE + "/v1/cards/" + SolarisSandbox.DEMO_CARD_ID + "/sca_pin_update_requests")
                .then().statusCode(202).body("status", equalTo("AUTHORIZATION_REQUIRED"))
                .body("url", org.hamcrest.Matchers.endsWith("/authorize"))
                .extract().path("id");
    }

    @Test
    void injectsFaults() {
        String card = BASE + "/v1/cards/" + SolarisSandbox.DEMO_CARD_ID;
        String only = "/v1/cards/" + SolarisSandbox.DEMO_CARD_ID; // the BFF's own background calls must not use them up
        RequestSpecification spec = solaris();
        sandbox.faults().failNext(1, 503, only).malformedNext(1, only);
        solarisError(spec.get(card).then(), 503, "service_unavailable");
        assertThat(spec.get(card).then().statusCode(200).extract().asString()).isEqualTo("{\"id\":");
        spec.get(card).then().statusCode(200);
        assertThat(sandbox.count("GET", only)).isEqualTo(3);

        sandbox.faults().resetNext(1, "POST /v1/cards/.+/sca_pin_update_requests");
        String jwe = AppSide.encryptPin("5830", sandbox.currentPublicJwk());
        assertThatThrownBy(() -> solaris().body(Map.of("encrypted_pin", jwe, "key_id", sandbox.currentKid()))
                .post(card + "/sca_pin_update_requests")).isInstanceOf(java.io.IOException.class);
        assertThat(sandbox.changeRequestIds(SolarisSandbox.DEMO_CARD_ID)).isEmpty();
    }

    @Test
    void delayedWritesStillReadTheirBody() {
        sandbox.faults().delayNext(1, Duration.ofMillis(300), "POST /v1/cards/.+/pin_update_requests");
        long start = System.nanoTime();
        solaris().body(directBody("4826", SolarisSandbox.DEMO_DEVICE_ID, AppSide.demoDeviceKey()))
                .post(BASE + "/v1/cards/" + SolarisSandbox.DEMO_CARD_ID + "/pin_update_requests")
                .then().statusCode(204);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
        assertThat(sandbox.pinIs(SolarisSandbox.DEMO_CARD_ID, "4826")).isTrue();
    }

    /** Regression: a delayed request whose body was resumed too early reached the resource empty. */
    @Test
    void shortDelaysKeepBodiesIntact() {
        for (int i = 0; i < 20; i++) {
            sandbox.faults().delayNext(1, Duration.ofMillis(1 + (i % 5) * 10), "POST /v1/cards/.+/pin_update_requests");
            solaris().body(directBody("4826", SolarisSandbox.DEMO_DEVICE_ID, AppSide.demoDeviceKey()))
                    .post(BASE + "/v1/cards/" + SolarisSandbox.DEMO_CARD_ID + "/pin_update_requests")
                    .then().statusCode(204);
        }
        assertThat(sandbox.pinChanges(SolarisSandbox.DEMO_CARD_ID)).isEqualTo(20);
    }

    @Test
    void idpTokensVerifyAgainstItsJwks() throws Exception {
        String jwks = given().get("/sandbox/idp/jwks.json").then().statusCode(200).extract().asString();
        String token = given().formParam("person_id", SolarisSandbox.OTHER_PERSON_ID).post("/sandbox/idp/token")
                .then().statusCode(200).body("expires_in", equalTo(900)).extract().path("access_token");

        var claims = new JwtConsumerBuilder()
                .setVerificationKeyResolver(new org.jose4j.keys.resolvers.JwksVerificationKeyResolver(
                        new JsonWebKeySet(jwks).getJsonWebKeys()))
                .setExpectedIssuer(idp.issuer()).setExpectedAudience(idp.audience())
                .build().processToClaims(token);
        assertThat(claims.getClaimValueAsString("person_id")).isEqualTo(SolarisSandbox.OTHER_PERSON_ID);
        assertThat(claims.getSubject()).isEqualTo(SolarisSandbox.OTHER_PERSON_ID);
    }
}
