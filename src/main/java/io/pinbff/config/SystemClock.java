package io.pinbff.config;

import io.quarkus.arc.DefaultBean;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;

/**
 * The service's {@link Clock}: UTC, ticking in microseconds (what PostgreSQL stores, so an instant
 * written and read back compares equal). Every class that needs the time injects {@code Clock} and
 * calls {@code Instant.now(clock)}; tests replace this bean with their own clock to move time.
 */
@Singleton
public class SystemClock {

    @Produces
    @Singleton
    @DefaultBean
    static Clock systemClock() {
        return Clock.tick(Clock.systemUTC(), Duration.ofNanos(1_000));
    }
}
