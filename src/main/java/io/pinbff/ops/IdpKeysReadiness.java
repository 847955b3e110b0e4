package io.pinbff.ops;

import io.pinbff.auth.IdpKeys;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready once the identity provider's JWKS is held, so the first app users after a deploy are not
 * refused while it is fetched; stays ready with the last known keys while the identity provider is
 * unreachable.
 */
@Readiness
@ApplicationScoped
public class IdpKeysReadiness implements HealthCheck {

    private final IdpKeys keys;

    IdpKeysReadiness(IdpKeys keys) {
        this.keys = keys;
    }

    @Override
    public HealthCheckResponse call() {
        return keys.fetchedAt()
                .map(at -> HealthCheckResponse.named("idp-jwks").up().withData("keys", keys.keyCount())
                        .withData("fetched_at", at.toString()).build())
                .orElseGet(() -> HealthCheckResponse.named("idp-jwks").down()
                        .withData("reason", "identity provider's JWKS not fetched yet").build());
    }
}
