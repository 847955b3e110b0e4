package io.pinbff.rest;

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
    void noPartOfAJweOrSignatureIsEverLogged() {
        Map<String, Object> ok = directBody("2580");
        asDemo().body(ok).post("/v1/cards/{id}/pin", CARD).then().statusCode(204);
        Map<String, Object> weak = directBody("1111");
        asDemo().body(weak).post("/v1/cards/{id}/pin", CARD).then().statusCode(422);
        Map<String, Object> broken = new HashMap<>(directBody("2580"));
        broken.put("encrypted_pin", ((String) broken.get("encrypted_pin")).replace('.', '!'));
        asDemo().body(broken).post("/v1/cards/{id}/pin", CARD).then().statusCode(400);
        sandbox.faults().delayNext(1, Duration.ofSeconds(2), ".*/pin_update_requests");
        Map<String, Object> slow = directBody("2468");
        asDemo().body(slow).post("/v1/cards/{id}/pin", CARD).then().statusCode(504);

        assertThat(lines).as("the capture works").isNotEmpty();
        String all = String.join("\n", lines);
        for (Map<String, Object> body : List.of(ok, weak, broken, slow)) {
            for (String part : ((String) body.get("encrypted_pin")).split("[.!]")) {
                if (part.length() >= 16) {
                    assertThat(all).doesNotContain(part.substring(0, 16));
                }
            }
            String signature = (String) body.get("signature");
            assertThat(all).doesNotContain(signature.substring(0, 24));
        }
        assertThat(AppSide.class).isNotNull();
    }
}
