package io.pinbff.ops;

import io.pinbff.config.PinBffConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/**
 * Liveness that notices a wedged instance: DOWN when requests are waiting and none has finished for
 * {@code pinbff.watchdog.stall-after} (60 s), so the orchestrator restarts an instance that no longer
 * serves anything. A busy instance keeps finishing requests and stays UP; an idle one has nothing
 * waiting and stays UP. {@link AdmissionLimit} reports every admitted API request here (health,
 * metrics and OpenAPI under {@code /q/} are not counted).
 */
@Liveness
@ApplicationScoped
public class ProgressWatchdog implements HealthCheck {

    private final AtomicInteger inFlight = new AtomicInteger();
    private final long stallAfterNanos;
    private final LongSupplier clock;
    private volatile long lastProgress;

    @Inject
    ProgressWatchdog(PinBffConfig config) {
        this(config.watchdog().stallAfter(), System::nanoTime);
    }

    ProgressWatchdog(Duration stallAfter, LongSupplier nanoClock) {
        this.stallAfterNanos = stallAfter.toNanos();
        this.clock = nanoClock;
        this.lastProgress = nanoClock.getAsLong();
    }

    void started() {
        if (inFlight.getAndIncrement() == 0) {
            lastProgress = clock.getAsLong(); // waiting starts now, not when the last burst ended
        }
    }

    void finished() {
        inFlight.decrementAndGet();
        lastProgress = clock.getAsLong();
    }

    @Override
    public HealthCheckResponse call() {
        int waiting = inFlight.get();
        long quietMillis = Duration.ofNanos(clock.getAsLong() - lastProgress).toMillis();
        boolean stalled = waiting > 0 && quietMillis * 1_000_000 > stallAfterNanos;
        return HealthCheckResponse.named("request-progress").status(!stalled)
                .withData("in_flight", waiting)
                .withData("ms_since_last_finished", quietMillis)
                .build();
    }
}
