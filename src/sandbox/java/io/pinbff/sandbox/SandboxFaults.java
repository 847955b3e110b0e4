package io.pinbff.sandbox;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * Faults the Solaris sandbox injects, consulted (in the order they were added) by its Vert.x route
 * filter for every request. Without a path regex a fault applies to {@code /v1/**} only, so the
 * token endpoint keeps working; with one, it applies to the requests whose Solaris path (e.g.
 * {@code /v1/cards/abc/pin_update_requests}, {@code /oauth/token}) or "METHOD path" (e.g.
 * {@code POST /v1/cards/.+/pin_update_requests}) matches the regex as a whole.
 * Methods return {@code this} so tests can chain them.
 */
public final class SandboxFaults {

    /** What happens to a faulted request. */
    public enum Kind {
        /** answer a Solaris error body with the fault's status */
        FAIL,
        /** wait, then answer normally */
        DELAY,
        /** 200 with truncated JSON */
        MALFORMED,
        /** close the connection without an answer */
        RESET
    }

    /** A fault; {@code remaining} is negative for "always". */
    public record Fault(Kind kind, int status, Duration delay, Pattern path, AtomicInteger remaining) {

        boolean matches(String method, String solarisPath) {
            if (path == null) {
                return solarisPath.startsWith("/v1/");
            }
            return path.matcher(solarisPath).matches() || path.matcher(method + " " + solarisPath).matches();
        }

        /** Takes one use if any is left. */
        boolean take() {
            while (true) {
                int left = remaining.get();
                if (left < 0) {
                    return true;
                }
                if (left == 0) {
                    return false;
                }
                if (remaining.compareAndSet(left, left - 1)) {
                    return true;
                }
            }
        }
    }

    private static final int ALWAYS = -1;

    private final List<Fault> faults = new CopyOnWriteArrayList<>();

    public SandboxFaults failNext(int n, int status) {
        return failNext(n, status, null);
    }

    public SandboxFaults failNext(int n, int status, String pathRegex) {
        return add(Kind.FAIL, n, status, null, pathRegex);
    }

    public SandboxFaults failAlways(int status) {
        return failAlways(status, null);
    }

    public SandboxFaults failAlways(int status, String pathRegex) {
        return add(Kind.FAIL, ALWAYS, status, null, pathRegex);
    }

    public SandboxFaults delayNext(int n, Duration delay) {
        return delayNext(n, delay, null);
    }

    public SandboxFaults delayNext(int n, Duration delay, String pathRegex) {
        return add(Kind.DELAY, n, 0, delay, pathRegex);
    }

    /** Every matching request is delayed, e.g. a hanging Solaris with a long delay. */
    public SandboxFaults delayAlways(Duration delay) {
        return delayAlways(delay, null);
    }

    public SandboxFaults delayAlways(Duration delay, String pathRegex) {
        return add(Kind.DELAY, ALWAYS, 0, delay, pathRegex);
    }

    public SandboxFaults malformedNext(int n) {
        return malformedNext(n, null);
    }

    public SandboxFaults malformedNext(int n, String pathRegex) {
        return add(Kind.MALFORMED, n, 200, null, pathRegex);
    }

    public SandboxFaults resetNext(int n) {
        return resetNext(n, null);
    }

    public SandboxFaults resetNext(int n, String pathRegex) {
        return add(Kind.RESET, n, 0, null, pathRegex);
    }

    public SandboxFaults resetAlways() {
        return add(Kind.RESET, ALWAYS, 0, null, null);
    }

    public void clear() {
        faults.clear();
    }

    /** Faults still armed (for assertions such as "the BFF stopped calling"). */
    public int pending() {
        return (int) faults.stream().filter(f -> f.remaining().get() != 0).count();
    }

    /** Picks and uses up the first armed fault for this request, or null. */
    Fault next(String method, String solarisPath) {
        for (Fault fault : faults) {
            if (fault.matches(method, solarisPath) && fault.take()) {
                if (fault.remaining().get() == 0) {
                    faults.remove(fault);
                }
                return fault;
            }
        }
        return null;
    }

    private SandboxFaults add(Kind kind, int n, int status, Duration delay, String pathRegex) {
        if (n == 0) {
            return this;
        }
        if (n < ALWAYS) {
            throw new IllegalArgumentException("n must be positive");
        }
        if (kind == Kind.DELAY && (delay == null || delay.isNegative())) {
            throw new IllegalArgumentException("delay must be a non-negative duration");
        }
        Pattern path = pathRegex == null ? null : Pattern.compile(pathRegex);
        faults.add(new Fault(kind, status, delay, path, new AtomicInteger(n)));
        return this;
    }
}
