package io.pinbff.sandbox;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** Every request that reached the Solaris sandbox, in arrival order. Thread-safe. */
final class CallJournal {

    /** A long load test must not eat the heap: beyond this, the oldest tenth is dropped. */
    private static final int LIMIT = 100_000;

    private final List<Call> calls = new ArrayList<>();

    synchronized void record(String method, String path) {
        if (calls.size() >= LIMIT) {
            calls.subList(0, LIMIT / 10).clear();
        }
        calls.add(new Call(method, path, Instant.now()));
    }

    synchronized List<Call> calls() {
        return List.copyOf(calls);
    }

    synchronized void clear() {
        calls.clear();
    }

    long count(String method, String pathRegex) {
        Pattern pattern = Pattern.compile(pathRegex);
        return calls().stream()
                .filter(c -> method == null || c.method().equalsIgnoreCase(method))
                .filter(c -> pattern.matcher(c.path()).matches())
                .count();
    }
}
