package io.pinbff.solaris;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.pinbff.config.PinBffConfig;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * A Solaris call that times out while PIN submissions queue at this instance's intake timed out on a
 * machine that could not keep up: it is answered like any timeout, but the breaker does not count it.
 * The same timeouts without a queue open the breaker, as the contract requires. Production timeouts
 * (5 s per attempt); the attempts of each phase run at once, so the test takes two timeouts.
 */
@QuarkusTest
class BackloggedTimeoutTest {

    @Inject
    SolarisGuards guards;

    @Inject
    SolarisIntake intake;

    @Inject
    PinBffConfig config;

    @Inject
    CircuitBreakerMaintenance breakers;

    @Inject
    MeterRegistry meters;

    @Test
    void timeoutsWhileSubmissionsQueueAtTheIntakeDoNotOpenTheBreakerAndTheSameTimeoutsWithoutAQueueDo() throws Exception {
        int window = config.solaris().breaker().window();
        Callable<String> hangs = () -> {
            Thread.sleep(Duration.ofSeconds(30));
            return "too late";
        };
        breakers.reset(SolarisGuards.BREAKER_NAME);
        List<SolarisIntake.Slot> taken = new ArrayList<>();
        CompletableFuture<Void> queued = null;
        try {
            for (int i = 0; i < intake.size(); i++) {
                taken.add(intake.enter());
            }
            queued = CompletableFuture.runAsync(() -> intake.enter().close(), Executors.newVirtualThreadPerTaskExecutor());
            Thread.sleep(2 * SolarisIntake.BACKLOG_NANOS / 1_000_000);
            assertThat(intake.backlogged(System.nanoTime())).as("a submission has waited for a slot").isTrue();

            double before = backloggedTimeouts();
            List<Throwable> outcomes = all(window, () -> guards.read(hangs, String.class));
            assertThat(outcomes).as("each read failed as a timeout of a backlogged instance")
                    .allSatisfy(e -> assertThat(e).isInstanceOf(SolarisGuards.BackloggedTimeout.class));
            assertThat(breakers.currentState(SolarisGuards.BREAKER_NAME)).isEqualTo(CircuitBreakerState.CLOSED);
            assertThat(backloggedTimeouts() - before).isEqualTo(window);
        } finally {
            taken.forEach(SolarisIntake.Slot::close);
            if (queued != null) {
                queued.get();
            }
        }
        try {
            assertThat(intake.backlogged(System.nanoTime())).as("nobody waits any more").isFalse();
            List<Throwable> outcomes = all(window, () -> guards.write(hangs, String.class));
            assertThat(outcomes).allSatisfy(e -> assertThat(e).isInstanceOf(TimeoutException.class));
            assertThat(breakers.currentState(SolarisGuards.BREAKER_NAME)).as("the same timeouts, nobody queued")
                    .isEqualTo(CircuitBreakerState.OPEN);
        } finally {
            breakers.reset(SolarisGuards.BREAKER_NAME);
        }
    }

    /** Runs {@code n} calls at once and returns how each failed (a call that succeeds fails the test). */
    private static List<Throwable> all(int n, Callable<String> call) throws Exception {
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<CompletableFuture<Throwable>> running = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                running.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return new AssertionError("answered: " + call.call());
                    } catch (Exception e) {
                        return e;
                    }
                }, threads));
            }
            List<Throwable> outcomes = new ArrayList<>();
            for (CompletableFuture<Throwable> f : running) {
                Throwable t = f.get();
                if (t instanceof AssertionError a) {
                    throw a;
                }
                outcomes.add(t);
            }
            return outcomes;
        }
    }

    private double backloggedTimeouts() {
        return meters.find("pinbff_solaris_backlogged_timeouts").counters().stream().mapToDouble(c -> c.count()).sum();
    }
}
