package io.pinbff.ops;

import io.pinbff.events.EventBus;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready while the event bus listens: without it this instance would not hear of a new PIN key or a
 * blocked card from the others, and its caches could be stale.
 */
@Readiness
@ApplicationScoped
public class EventBusReadiness implements HealthCheck {

    private final EventBus bus;

    EventBusReadiness(EventBus bus) {
        this.bus = bus;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("event-bus").status(bus.connected())
                .withData("connected", bus.connected()).withData("reconnects", bus.reconnects()).build();
    }
}
