package io.pinbff.solaris;

import io.micrometer.core.instrument.MeterRegistry;
import io.pinbff.config.PinBffConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The pace at which new PIN submissions start calling Solaris: a few slots, taken in arrival order,
 * for the local work before a submission's first Solaris call (the request checks and the admission
 * round trip; {@code PinPreflight}). Submissions already talking to Solaris never wait here.
 *
 * <p>Why: when more submissions arrive at once than the CPU can start (a burst after a card reissue
 * on a small or busy machine), starting all of them at once makes every Solaris answer that comes
 * back wait behind the start-up work of all the others; answers Solaris gave in 1 s were read after
 * 5 s, the calls timed out, and the breaker opened on Solaris' behalf. With the slots the burst
 * queues before its first call instead of inside it, and the answers are read as they come.
 *
 * <p>The queue is also this instance's own overload signal: a Solaris call that times out while
 * submissions waited here (or wait now) timed out on a machine that could not keep up, so the
 * breaker does not count it against Solaris ({@link SolarisGuards}). The slots bound local CPU
 * work only: nobody holds one while waiting for Solaris.
 */
@ApplicationScoped
public class SolarisIntake {

    /** A wait at least this long for a slot means the instance is behind, not merely busy. */
    static final long BACKLOG_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final Semaphore slots;
    private final int size;
    /** Callers that have already waited {@link #BACKLOG_NANOS} and still wait. */
    private final AtomicInteger behind = new AtomicInteger();
    /** When a caller last got its slot after waiting {@link #BACKLOG_NANOS} or longer (System.nanoTime). */
    private volatile long lastBacklog = System.nanoTime() - TimeUnit.DAYS.toNanos(1);

    SolarisIntake(PinBffConfig config, MeterRegistry meters) {
        this.size = config.capacity().intakeSlots().orElse(2 * Runtime.getRuntime().availableProcessors());
        if (size < 1) {
            throw new IllegalArgumentException("pinbff.capacity.intake-slots must be at least 1, was " + size);
        }
        this.slots = new Semaphore(size, true);
        meters.gauge("pinbff_intake_waiting", slots, Semaphore::getQueueLength);
    }

    /** One slot, held until {@link Slot#close()}; waits in arrival order. */
    public Slot enter() {
        try {
            if (!slots.tryAcquire(BACKLOG_NANOS, TimeUnit.NANOSECONDS)) {
                behind.incrementAndGet();
                try {
                    slots.acquire();
                } finally {
                    behind.decrementAndGet();
                    lastBacklog = System.nanoTime();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting to start a PIN submission.", e);
        }
        return new Slot(slots);
    }

    /** Whether submissions waited for a slot at any time from {@code since} (System.nanoTime) until now. */
    boolean backlogged(long since) {
        return behind.get() > 0 || lastBacklog - since >= 0;
    }

    int size() {
        return size;
    }

    /** A taken slot; closing it twice gives it back once. */
    public static final class Slot implements AutoCloseable {
        private final Semaphore slots;
        private boolean open = true;

        private Slot(Semaphore slots) {
            this.slots = slots;
        }

        @Override
        public void close() {
            if (open) {
                open = false;
                slots.release();
            }
        }
    }
}
