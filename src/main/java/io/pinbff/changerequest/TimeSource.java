package io.pinbff.changerequest;

import io.quarkus.arc.DefaultBean;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** The BFF's clock (microseconds, as PostgreSQL stores them), read from the injected {@link Clock}. */
@ApplicationScoped
public class TimeSource {

    private final Clock clock;

    TimeSource(Clock clock) {
        this.clock = clock;
    }

    public Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }

    /** The system clock in UTC; tests provide their own {@link Clock} bean to move time. */
    @Produces
    @Singleton
    @DefaultBean
    static Clock systemClock() {
        return Clock.systemUTC();
    }
}
