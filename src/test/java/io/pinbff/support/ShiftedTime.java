package io.pinbff.support;

import io.quarkus.arc.Arc;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import jakarta.inject.Singleton;

/**
 * Moves the service's clock forward for one test. The test build's {@link Clock} bean (replacing the
 * system clock of {@code io.pinbff.config.SystemClock}; every service class injects {@code Clock})
 * carries a shift in a volatile field, so every thread of the service — virtual threads included —
 * sees a change at once; {@link PinBffTest} resets it before each test.
 */
public final class ShiftedTime {

    /** The Clock bean of the test build. */
    @Singleton
    public static class TestClock extends Clock {
        private volatile Duration shift = Duration.ZERO;

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.now().plus(shift).truncatedTo(ChronoUnit.MICROS); // like the service's clock
        }
    }

    private final TestClock clock;

    private ShiftedTime(TestClock clock) {
        this.clock = clock;
    }

    public static ShiftedTime install() {
        return new ShiftedTime(Arc.container().instance(TestClock.class).get());
    }

    static void reset() {
        Arc.container().instance(TestClock.class).get().shift = Duration.ZERO;
    }

    public void advance(Duration by) {
        clock.shift = clock.shift.plus(by);
    }
}
