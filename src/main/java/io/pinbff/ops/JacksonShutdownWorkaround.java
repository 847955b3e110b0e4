package io.pinbff.ops;

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
 * This wraps that one listener so it reports done after its work; all other listeners (the HTTP one
 * that waits for in-flight requests among them) are untouched. Remove it with the platform upgrade
 * that carries the fix (3.30.6 stays because the Central mirror here lacks quarkus-devui of later
 * 3.30.x releases, which dev mode needs).
 */
@ApplicationScoped
@RegisterForReflection(targets = ShutdownRecorder.class, fields = true)
public class JacksonShutdownWorkaround {

    private static final Logger LOG = Logger.getLogger(JacksonShutdownWorkaround.class);
    private static final String BROKEN = "io.quarkus.jackson.runtime.JacksonRecorder$";

    @SuppressWarnings("unchecked")
    void install(@Observes StartupEvent event) {
        try {
            Field field = ShutdownRecorder.class.getDeclaredField("shutdownListeners");
            field.setAccessible(true);
            List<ShutdownListener> listeners = (List<ShutdownListener>) field.get(null);
            if (listeners == null) {
                return;
            }
            List<ShutdownListener> fixed = new ArrayList<>(listeners.size());
            int wrapped = 0;
            for (ShutdownListener listener : listeners) {
                if (listener.getClass().getName().startsWith(BROKEN)) {
                    fixed.add(new ShutdownListener() {
                        @Override
                        public void shutdown(ShutdownNotification notification) {
                            listener.shutdown(notification);
                            notification.done();
                        }
                    });
                    wrapped++;
                } else {
                    fixed.add(listener);
                }
            }
            if (wrapped > 0) {
                field.set(null, List.copyOf(fixed));
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warnf("Jackson shutdown workaround not installed (%s): shutdowns wait the full timeout",
                    e.getClass().getSimpleName());
        }
    }
}
