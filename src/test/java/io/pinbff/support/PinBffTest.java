package io.pinbff.support;

import static io.restassured.RestAssured.given;

import io.pinbff.sandbox.DevIdentityProvider;
import io.pinbff.sandbox.SolarisSandbox;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import jakarta.inject.Inject;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;

/**
 * Base of the @QuarkusTest classes: the in-process Solaris sandbox and dev identity provider,
 * reset before each test, and helpers that do what the app does (real JWE, real ECDSA).
 */
public abstract class PinBffTest {

    public static final String PERSON = SolarisSandbox.DEMO_PERSON_ID;
    public static final String CARD = SolarisSandbox.DEMO_CARD_ID;
    public static final String DEVICE = SolarisSandbox.DEMO_DEVICE_ID;

    @Inject
    protected SolarisSandbox sandbox;

    @Inject
    protected DevIdentityProvider idp;

    @Inject
    protected Db db;

    @BeforeEach
    void resetWorld() {
        // Like a load balancer: no app traffic before the instance is ready (PIN key and IdP keys held).
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).pollInterval(java.time.Duration.ofMillis(100))
                .until(() -> Management.given().get("/q/health/ready").statusCode() == 200);
        ContractValidation.install();
        ShiftedTime.reset();
        sandbox.reset();
        // Attempt limits are per card and day: each test starts with a clean count.
        db.execute("delete from pin_submission");
        CircuitBreakerMaintenance.get().resetAll();
    }

    protected RequestSpecification as(String personId) {
        return given().auth().oauth2(idp.mint(personId));
    }

    protected RequestSpecification asDemo() {
        return as(PERSON).contentType(ContentType.JSON);
    }

    /** The key as the BFF serves it to apps. */
    protected Map<String, Object> bffKey() {
        return as(PERSON).get("/v1/pin-keys/latest").then().statusCode(200).extract().jsonPath().getMap("");
    }

    /** A direct-change body made like the app makes it: fresh JWE for the sandbox's key, signed by the demo device. */
    protected Map<String, Object> directBody(String pin) {
        String jwe = AppSide.encryptPin(pin, sandbox.currentKid(), sandbox.currentPublicKey());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("device_id", DEVICE);
        body.put("encrypted_pin", jwe);
        body.put("key_id", sandbox.currentKid());
        body.put("signature", AppSide.sign(jwe, AppSide.demoDeviceKey()));
        return body;
    }

    /** A person of their own with an ACTIVE card and the demo device's key bound to them. */
    protected record Customer(String person, String card, String device) {}

    protected Customer newCustomer() {
        String person = sandbox.newPersonId();
        String card = sandbox.createCard(person, "ACTIVE").id();
        String device = sandbox.registerDevice(person, sandbox.device(DEVICE).orElseThrow().publicKey());
        return new Customer(person, card, device);
    }

    protected Map<String, Object> directBody(String pin, String deviceId) {
        Map<String, Object> body = directBody(pin);
        body.put("device_id", deviceId);
        return body;
    }

    protected long upstreamPinWrites() {
        return sandbox.count("POST", ".*/pin_update_requests");
    }
}
