package io.pinbff.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;

/** The liveness watchdog on a hand-driven clock: DOWN only when requests wait and none finishes for a minute. */
class ProgressWatchdogTest {

    private final AtomicLong nanos = new AtomicLong();
    private final ProgressWatchdog watchdog = new ProgressWatchdog(Duration.ofSeconds(60), nanos::get);

    private void advance(Duration d) {
        nanos.addAndGet(d.toNanos());
    }

    @Test
    void idleInstanceStaysUpForever() {
        advance(Duration.ofHours(3));
        assertThat(watchdog.call().getStatus()).isEqualTo(HealthCheckResponse.Status.UP);
    }

    @Test
    void busyInstanceThatKeepsFinishingStaysUp() {
        for (int i = 0; i < 1000; i++) {
            watchdog.started();
        }
        for (int minute = 0; minute < 5; minute++) {
            advance(Duration.ofSeconds(50));
            watchdog.finished(); // progress, though 1,000 more keep waiting
            watchdog.started();
            assertThat(watchdog.call().getStatus()).isEqualTo(HealthCheckResponse.Status.UP);
        }
    }

    @Test
    void requestsWaitingWithNothingFinishedForAMinuteIsDown() {
        watchdog.started();
        advance(Duration.ofSeconds(59));
        assertThat(watchdog.call().getStatus()).isEqualTo(HealthCheckResponse.Status.UP);
        advance(Duration.ofSeconds(2));
        HealthCheckResponse stalled = watchdog.call();
        assertThat(stalled.getStatus()).isEqualTo(HealthCheckResponse.Status.DOWN);
        assertThat(stalled.getData().orElseThrow()).containsEntry("in_flight", 1L);
        watchdog.finished();
        assertThat(watchdog.call().getStatus()).isEqualTo(HealthCheckResponse.Status.UP);
    }

    @Test
    void aQuietPeriodBeforeTheFirstWaitingRequestDoesNotCount() {
        advance(Duration.ofMinutes(10)); // nothing happened for ten minutes
        watchdog.started();
        advance(Duration.ofSeconds(30));
        assertThat(watchdog.call().getStatus()).isEqualTo(HealthCheckResponse.Status.UP);
    }
}
