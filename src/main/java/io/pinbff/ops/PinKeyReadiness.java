package io.pinbff.ops;

import io.pinbff.pin.PinKeyCache;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready once a Solaris PIN key is cached, and still ready while a cached key is being served during
 * a Solaris outage (the key is what apps need first). PostgreSQL readiness comes from the datasource
 * health check. Liveness has no custom checks: it stays cheap.
 */
@Readiness
@ApplicationScoped
public class PinKeyReadiness implements HealthCheck {

    private final PinKeyCache keys;

    PinKeyReadiness(PinKeyCache keys) {
        this.keys = keys;
    }

    @Override
    public HealthCheckResponse call() {
        return keys.current()
                .map(key -> HealthCheckResponse.named("solaris-pin-key").up().withData("kid", key.kid()).build())
                .orElseGet(() -> HealthCheckResponse.named("solaris-pin-key").down()
                        .withData("reason", "no Solaris PIN key cached yet").build());
    }
}
