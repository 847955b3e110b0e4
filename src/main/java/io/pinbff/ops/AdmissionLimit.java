package io.pinbff.ops;

import io.micrometer.core.instrument.MeterRegistry;
import io.pinbff.config.PinBffConfig;
import io.pinbff.error.ErrorCode;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.microprofile.health.Liveness;

/**
 * The instance's capacity, enforced at the door: at most {@code pinbff.capacity.max-in-flight} API
 * requests are worked on at once; one more is answered at once, on the event loop, with 503 +
 * Retry-After, before its token is verified or its body read. Without this, a burst far beyond
 * capacity makes every request slow (CPU for thousands of token checks, memory for thousands of
 * bodies) and the Solaris calls of the admitted ones miss their budgets. Health, metrics and OpenAPI
 * under {@code /q/} are never refused.
 */
@ApplicationScoped
public class AdmissionLimit {

    static final String BODY = ErrorCode.UPSTREAM_UNAVAILABLE.problemJson("The service is at capacity; retry shortly.");

    private final AtomicInteger inFlight = new AtomicInteger();
    private final int max;
    private final ProgressWatchdog watchdog;

    AdmissionLimit(PinBffConfig config, @Liveness ProgressWatchdog watchdog, MeterRegistry meters) {
        this.max = config.capacity().maxInFlight();
        this.watchdog = watchdog;
        meters.gauge("pinbff_requests_in_flight", inFlight);
    }

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).handler(ctx -> {
            String path = ctx.request().path();
            // Health etc. are never refused; event streams are long-lived and limited per user instead.
            if (path.startsWith("/q/") || path.endsWith("/events")) {
                ctx.next();
                return;
            }
            if (inFlight.incrementAndGet() > max) {
                inFlight.decrementAndGet();
                ctx.response().setStatusCode(503)
                        .putHeader(HttpHeaders.CONTENT_TYPE, "application/problem+json")
                        .putHeader("Retry-After", "1")
                        .putHeader(HttpHeaders.CONNECTION, "close")
                        .end(BODY);
                return;
            }
            watchdog.started();
            ctx.addEndHandler(done -> {
                inFlight.decrementAndGet();
                watchdog.finished();
            });
            ctx.next();
        });
    }
}
