package io.pinbff.solaris;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.pinbff.config.PinBffConfig;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import io.smallrye.faulttolerance.api.Guard;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.Callable;
import org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException;
import org.jboss.logging.Logger;

/**
 * Fault tolerance of every Solaris call, declared once per call kind: {@link #read} for safe calls,
 * {@link #write} for PIN writes. Each stage is one SmallRye {@link Guard}, built once from
 * {@code pinbff.solaris.*}:
 *
 * <pre>
 * read  = bulkhead( retry( breaker( readAttempt( call ))))
 * write = bulkhead(        breaker( writeAttempt( call )))
 * </pre>
 *
 * Why stages and not one guard per kind ({@code @ApplyGuard}): inside one Guard SmallRye's order is
 * fixed (retry, breaker, timeout, bulkhead innermost), but the bulkhead must stay outside the breaker
 * (a full bulkhead is this instance's capacity, not Solaris failing); and reads and writes must share
 * one breaker, while a circuit breaker belongs to exactly one Guard (a second Guard naming the same
 * breaker is refused at build). So the shared breaker and bulkhead are one Guard each and the two
 * call kinds are composed here, nowhere else.
 *
 * <p>Each attempt's timeout is wrapped once more ({@link #timed}): a timeout while PIN submissions
 * queue at this instance's intake ({@link SolarisIntake}) is not a Solaris failure to the breaker.
 */
@ApplicationScoped
class SolarisGuards {

    private static final Logger LOG = Logger.getLogger(SolarisGuards.class);
    static final String BREAKER_NAME = "solaris";

    private final Guard bulkhead;
    private final Guard retry;
    private final Guard breaker;
    private final Guard readAttempt;
    private final Guard writeAttempt;
    private final long breakerDelaySeconds;
    private final CircuitBreakerMaintenance breakers;
    private final SolarisIntake intake;
    private final Counter backloggedTimeouts;

    SolarisGuards(PinBffConfig config, MeterRegistry meters, CircuitBreakerMaintenance breakers, SolarisIntake intake) {
        this.breakers = breakers;
        this.intake = intake;
        this.backloggedTimeouts = Counter.builder("pinbff_solaris_backlogged_timeouts")
                .description("Solaris calls that timed out while PIN submissions queued at this instance's intake; "
                        + "answered like any timeout, not counted by the circuit breaker")
                .register(meters);
        PinBffConfig.Solaris s = config.solaris();
        this.breakerDelaySeconds = Math.max(1, s.breaker().delay().toSeconds());
        // No queue: a call that finds every slot taken is refused at once (503) rather than parked.
        this.bulkhead = Guard.create().withDescription("solaris-bulkhead")
                .withBulkhead().limit(s.bulkhead().limit()).done()
                .build();
        // Safe calls only; never around a PIN write, whose outcome may be unknown.
        this.retry = Guard.create().withDescription("solaris-safe-call-retry")
                .withRetry()
                .maxRetries(s.readRetries())
                .delay(s.retryDelay().toMillis(), ChronoUnit.MILLIS)
                .jitter(s.retryJitter().toMillis(), ChronoUnit.MILLIS)
                .maxDuration(s.readBudget().toMillis(), ChronoUnit.MILLIS)
                .retryOn(List.of(UpstreamFailure.class, TimeoutException.class))
                .done()
                .build();
        // One breaker for all of Solaris: "20 failures" are failures of Solaris, whichever endpoint.
        this.breaker = Guard.create().withDescription("solaris-breaker")
                .withCircuitBreaker()
                .name(BREAKER_NAME)
                .requestVolumeThreshold(s.breaker().window())
                .failureRatio(s.breaker().failureRatio())
                .delay(s.breaker().delay().toMillis(), ChronoUnit.MILLIS)
                .successThreshold(1)
                .failOn(List.of(UpstreamFailure.class, TimeoutException.class))
                .onStateChange(this::breakerChanged)
                .done()
                .build();
        this.readAttempt = Guard.create().withDescription("solaris-read-attempt")
                .withTimeout().duration(s.readAttemptTimeout().toMillis(), ChronoUnit.MILLIS).done()
                .build();
        this.writeAttempt = Guard.create().withDescription("solaris-write-attempt")
                .withTimeout().duration(s.writeTimeout().toMillis(), ChronoUnit.MILLIS).done()
                .build();
        // The breaker's own state, as the extension keeps it (also ft_circuitbreaker_state_current).
        meters.gauge("pinbff_solaris_circuit_breaker_open", breakers,
                b -> b.currentState(BREAKER_NAME) == CircuitBreakerState.OPEN ? 1 : 0);
    }

    /** A safe call: each attempt timed out on its own, failed attempts retried within the read budget. */
    <T> T read(Callable<T> attempt, Class<T> type) throws Exception {
        return bulkhead.call(() -> retry.call(() -> breaker.call(() -> timed(readAttempt, attempt, type), type), type), type);
    }

    /** A PIN write: one attempt within the write budget, never repeated. */
    <T> T write(Callable<T> attempt, Class<T> type) throws Exception {
        return bulkhead.call(() -> breaker.call(() -> timed(writeAttempt, attempt, type), type), type);
    }

    /**
     * One attempt within its timeout. A timeout while PIN submissions queued at this instance's intake
     * ({@link SolarisIntake#backlogged}) is a {@link BackloggedTimeout}: the CPU could not keep up (the
     * answer may well have arrived and waited to be read), which says nothing about Solaris, so the
     * breaker does not count it (nor does the retry repeat it). Every other timeout counts as before.
     */
    private <T> T timed(Guard timeout, Callable<T> attempt, Class<T> type) throws Exception {
        long started = System.nanoTime();
        try {
            return timeout.call(attempt, type);
        } catch (TimeoutException e) {
            if (intake.backlogged(started)) {
                backloggedTimeouts.increment();
                throw new BackloggedTimeout();
            }
            throw e;
        }
    }

    /**
     * A Solaris call that timed out while this instance was behind on its own work; see {@link #timed}.
     * Carries no cause on purpose: the breaker inspects cause chains, and a TimeoutException cause
     * would count it after all.
     */
    static final class BackloggedTimeout extends RuntimeException {
        BackloggedTimeout() {
            super("Solaris call timed out while this instance had a backlog", null, false, false);
        }
    }

    /** How long an open breaker keeps refusing calls: the Retry-After of those refusals. */
    long breakerDelaySeconds() {
        return breakerDelaySeconds;
    }

    private void breakerChanged(CircuitBreakerState state) {
        LOG.infof("Solaris circuit breaker is now %s", state);
    }
}
