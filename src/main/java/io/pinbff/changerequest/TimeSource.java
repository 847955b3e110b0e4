package io.pinbff.changerequest;

import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** The BFF's clock (microseconds, as PostgreSQL stores them); tests replace it to move time. */
@ApplicationScoped
public class TimeSource {
    public Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MICROS);
    }
}
