package io.pinbff.solaris;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.MeterRegistry;
import io.pinbff.config.PinBffConfig;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.microprofile.faulttolerance.exceptions.BulkheadException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The call kinds keep their guarantees: a write is attempted once, a safe call retried; the bulkhead
 * is outside the breaker with no queue, so a call that finds no slot is refused at once and never
 * reaches the breaker (it is not a Solaris failure).
 */
@QuarkusTest
class SolarisGuardsTest {

    @Inject
    SolarisGuards guards;

    @Inject
    PinBffConfig config;

    @Inject
    MeterRegistry meters;

    @AfterEach
    void flushTheBreakersWindow() throws Exception {
        // The breaker is the application's: leave its rolling window full of successes for the next tests.
        for (int i = 0; i < config.solaris().breaker().window(); i++) {
            guards.read(() -> "ok", String.class);
        }
    }

    @Test
    void aWriteIsAttemptedOnceAndASafeCallIsRetriedOnce() {
        AtomicInteger writes = new AtomicInteger();
        assertThatThrownBy(() -> guards.write(() -> {
            writes.incrementAndGet();
            throw new UpstreamFailure("Solaris answered 502");
        }, String.class)).isInstanceOf(UpstreamFailure.class);
        assertThat(writes).hasValue(1);

        AtomicInteger reads = new AtomicInteger();
        assertThatThrownBy(() -> guards.read(() -> {
            reads.incrementAndGet();
            throw new UpstreamFailure("Solaris answered 502");
        }, String.class)).isInstanceOf(UpstreamFailure.class);
        assertThat(reads).hasValue(1 + config.solaris().readRetries());
    }

    @Test
    void aCallThatFindsNoSlotIsRefusedAtOnceAndIsNotCountedAgainstSolaris() throws Exception {
        int limit = config.solaris().bulkhead().limit();
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch inside = new CountDownLatch(limit);
        List<Thread> holders = new ArrayList<>();
        for (int i = 0; i < limit; i++) {
            boolean write = i % 2 == 0;
            holders.add(Thread.ofVirtual().start(() -> {
                try {
                    if (write) {
                        guards.write(() -> hold(inside, release), String.class);
                    } else {
                        guards.read(() -> hold(inside, release), String.class);
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        try {
            assertThat(inside.await(20, TimeUnit.SECONDS)).isTrue();
            double breakerCallsBefore = breakerCalls();
            long started = System.nanoTime();
            assertThatThrownBy(() -> guards.write(() -> "never", String.class)).isInstanceOf(BulkheadException.class);
            assertThatThrownBy(() -> guards.read(() -> "never", String.class)).isInstanceOf(BulkheadException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(500));
            assertThat(breakerCalls()).as("the breaker never saw the refused calls").isEqualTo(breakerCallsBefore);
        } finally {
            release.countDown();
            for (Thread holder : holders) {
                holder.join(Duration.ofSeconds(20));
            }
        }
    }

    private static String hold(CountDownLatch inside, CountDownLatch release) throws InterruptedException {
        inside.countDown();
        release.await(20, TimeUnit.SECONDS);
        return "ok";
    }

    /** Calls the breaker has seen, whatever their result: a call refused outside it never reaches it. */
    private double breakerCalls() {
        return meters.find("ft.circuitbreaker.calls.total").tag("method", "solaris-breaker").counters().stream()
                .mapToDouble(c -> c.count()).sum();
    }
}
