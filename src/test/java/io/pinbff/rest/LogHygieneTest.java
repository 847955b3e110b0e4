package io.pinbff.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.pinbff.support.AppSide;
import io.pinbff.support.PinBffTest;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Captures every log record (all levels) while PIN changes run, and looks for PIN material in it. */
@QuarkusTest
class LogHygieneTest extends PinBffTest {

    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        private final SimpleFormatter formatter = new SimpleFormatter();

        @Override
        public void publish(LogRecord record) {
            lines.add(formatter.format(record));
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };
    private Level previous;

    @BeforeEach
    void captureLogs() {
        Logger root = Logger.getLogger("");
        previous = root.getLevel();
        capture.setLevel(Level.ALL);
        root.addHandler(capture);
        Logger.getLogger("io.pinbff").setLevel(Level.ALL);
    }

    @AfterEach
    void stopCapturing() {
        Logger.getLogger("").removeHandler(capture);
        Logger.getLogger("").setLevel(previous);
    }

    @Test
    void noPartOfAJweSignatureTanOrTokenIsEverLogged() {
        Map<String, Object> ok = directBody("2580");
        asDemo().body(ok).post("/v1/cards/{id}/pin", CARD).then().statusCode(204);
        Map<String, Object> weak = directBody("1111");
        asDemo().body(weak).post("/v1/cards/{id}/pin", CARD).then().statusCode(422);
        Map<String, Object> broken = new HashMap<>(directBody("2580"));
        broken.put("encrypted_pin", ((String) broken.get("encrypted_pin")).replace('.', '!'));
        asDemo().body(broken).post("/v1/cards/{id}/pin", CARD).then().statusCode(400);
        sandbox.faults().delayNext(1, Duration.ofSeconds(8), ".*/pin_update_requests"); // past the 5 s write budget
        Customer late = newCustomer(); // its late write may land while the next test runs
        Map<String, Object> slow = directBody("2468", late.device());
        as(late.person()).contentType("application/json").body(slow).post("/v1/cards/{id}/pin", late.card())
                .then().statusCode(504);

        // The SCA flow with a distinctive wrong TAN, then the right one; and the bearer tokens used.
        String card = sandbox.createCard(PERSON, "ACTIVE").id();
        String token = idp.mint(PERSON);
        String jwe = AppSide.encryptPin("8520", sandbox.currentKid(), sandbox.currentPublicKey());
        String id = given().auth().oauth2(token).contentType("application/json")
                .body(Map.of("encrypted_pin", jwe, "key_id", sandbox.currentKid()))
                .post("/v1/cards/{id}/pin-change-requests", card).then().statusCode(202).extract().path("id");
        given().auth().oauth2(token).contentType("application/json").body(Map.of("delivery_method", "mobile_number"))
                .post("/v1/pin-change-requests/{id}/authorize", id).then().statusCode(200);
        given().auth().oauth2(token).contentType("application/json").body(Map.of("tan", "739146"))
                .post("/v1/pin-change-requests/{id}/confirm", id).then().statusCode(422);
        given().auth().oauth2(token).contentType("application/json").body(Map.of("tan", "212212"))
                .post("/v1/pin-change-requests/{id}/confirm", id).then().statusCode(200);
        given().auth().oauth2("eyJhbGciOiJSUzI1NiJ9.bWFya2VyLXRva2VuLXBheWxvYWQ.c2lnbmF0dXJlLW1hcmtlcg")
                .get("/v1/pin-keys/latest").then().statusCode(401);

        assertThat(lines).as("the capture works").isNotEmpty();
        String all = String.join("\n", lines);
        assertThat(all).doesNotContain("739146").doesNotContain("212212")
                .doesNotContain(token.substring(token.indexOf('.') + 1, token.indexOf('.') + 30))
                .doesNotContain("bWFya2VyLXRva2VuLXBheWxvYWQ");
        for (String part : jwe.split("\\.")) {
            if (part.length() >= 16) {
                assertThat(all).doesNotContain(part.substring(0, 16));
            }
        }
        for (Map<String, Object> body : List.of(ok, weak, broken, slow)) {
            for (String part : ((String) body.get("encrypted_pin")).split("[.!]")) {
                if (part.length() >= 16) {
                    assertThat(all).doesNotContain(part.substring(0, 16));
                }
            }
            String signature = (String) body.get("signature");
            assertThat(all).doesNotContain(signature.substring(0, 24));
        }
    }
}
