package io.pinbff.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class SandboxFaultsTest {

    private final SandboxFaults faults = new SandboxFaults();

    @Test
    void failNextIsUsedUpInOrderAndSparesTheTokenEndpoint() {
        faults.failNext(2, 503).malformedNext(1);

        assertThat(faults.next("POST", "/oauth/token")).isNull();
        assertThat(faults.next("GET", "/v1/cards/pin_keys/latest").kind()).isEqualTo(SandboxFaults.Kind.FAIL);
        assertThat(faults.next("GET", "/v1/cards/x").status()).isEqualTo(503);
        assertThat(faults.next("GET", "/v1/cards/x").kind()).isEqualTo(SandboxFaults.Kind.MALFORMED);
        assertThat(faults.next("GET", "/v1/cards/x")).isNull();
        assertThat(faults.pending()).isZero();
    }

    @Test
    void pathRegexMatchesPathOrMethodAndPath() {
        faults.resetNext(1, "POST /v1/cards/.+/pin_update_requests").failNext(1, 500, "/oauth/token");

        assertThat(faults.next("GET", "/v1/cards/abc")).isNull();
        assertThat(faults.next("POST", "/v1/cards/abc/pin_update_requests").kind()).isEqualTo(SandboxFaults.Kind.RESET);
        assertThat(faults.next("POST", "/oauth/token").status()).isEqualTo(500);
    }

    @Test
    void alwaysStaysUntilCleared() {
        faults.delayAlways(Duration.ofMillis(1500));

        for (int i = 0; i < 5; i++) {
            assertThat(faults.next("GET", "/v1/cards/x").delay()).isEqualTo(Duration.ofMillis(1500));
        }
        faults.clear();
        assertThat(faults.next("GET", "/v1/cards/x")).isNull();
    }
}
