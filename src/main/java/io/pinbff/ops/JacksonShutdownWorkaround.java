package io.pinbff.ops;

import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.quarkus.runtime.shutdown.ShutdownListener;
import io.quarkus.runtime.shutdown.ShutdownRecorder;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Works around Quarkus 3.30.5/3.30.6 issue quarkusio/quarkus#51915 (fixed upstream by PR #51916): the
 * Jackson extension's shutdown listener clears Jackson's caches but never reports that it is done, so
 * every graceful shutdown waits the whole {@code quarkus.shutdown.timeout} (20 s here) even with no
 * request in flight. Measured on the packaged jar: SIGTERM with nothing in flight → exit after 23.4 s.
 * This wraps that one listener so it reports done after its work; the others keep their behaviour (the
 * HTTP one that waits for in-flight requests among them) and are only watched: one not done 5 s into
 * the shutdown is named in a warning. Remove it with the platform upgrade
 * that carries the fix (3.30.6 stays because the Central mirror here lacks quarkus-devui of later
 * 3.30.x releases, which dev mode needs).
 */
@ApplicationScoped
@RegisterForReflection(targets = ShutdownRecorder.class, fields = true)
public class JacksonShutdownWorkaround {

    private static final Logger LOG = Logger.getLogger(JacksonShutdownWorkaround.class);
    private static final String BROKEN = "io.quarkus.jackson.runtime.JacksonRecorder$";

    /**
     * Every listener, as it was, plus: the broken one reports done after its work; and any listener still
     * not done 5 s into the shutdown is named in a warning, so a slow stop says what it waits for.
     */
    private static final class Traced implements ShutdownListener {
        private final ShutdownListener delegate;
        private final boolean reportsDoneItself;

        Traced(ShutdownListener delegate, boolean broken) {
            this.delegate = delegate;
            this.reportsDoneItself = !broken;
        }

        @Override
        public void preShutdown(ShutdownNotification notification) {
            delegate.preShutdown(watched("pre-shutdown", notification));
        }

        @Override
        public void shutdown(ShutdownNotification notification) {
            ShutdownNotification watched = watched("shutdown", notification);
            delegate.shutdown(watched);
            if (!reportsDoneItself) {
                watched.done();
            }
        }

        private ShutdownNotification watched(String phase, ShutdownNotification notification) {
            java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
            Thread.ofVirtual().name("shutdown-watch").start(() -> {
                try {
                    Thread.sleep(5_000);
                } catch (InterruptedException e) {
                    return;
                }
                if (!done.get()) {
                    LOG.warnf("Shutdown (%s) still waiting for %s", phase, delegate.getClass().getName());
                }
            });
            return () -> {
                if (done.compareAndSet(false, true)) {
                    notification.done();
                }
            };
        }
    }

    void onStart(@Observes StartupEvent event) {
        install();
    }

    /** Again when the shutdown begins (before the listeners run), in case the list was set after start. */
    void onShutdownDelay(@Observes ShutdownDelayInitiatedEvent event) {
        install();
    }

    @SuppressWarnings("unchecked")
    synchronized void install() {
        try {
            Field field = ShutdownRecorder.class.getDeclaredField("shutdownListeners");
            field.setAccessible(true);
            List<ShutdownListener> listeners = (List<ShutdownListener>) field.get(null);
            if (listeners == null) {
                return;
            }
            List<ShutdownListener> fixed = new ArrayList<>(listeners.size());
            for (ShutdownListener listener : listeners) {
                fixed.add(listener instanceof Traced ? listener
                        : new Traced(listener, listener.getClass().getName().startsWith(BROKEN)));
            }
            field.set(null, List.copyOf(fixed));
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warnf("Jackson shutdown workaround not installed (%s): shutdowns wait the full timeout",
                    e.getClass().getSimpleName());
        }
    }
}
