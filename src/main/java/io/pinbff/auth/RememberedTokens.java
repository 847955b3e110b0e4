package io.pinbff.auth;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.TokenAuthenticationRequest;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.quarkus.smallrye.jwt.runtime.auth.JsonWebTokenCredential;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.smallrye.jwt.auth.principal.ParseException;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * Turns a user's bearer token into the request's identity, ahead of SmallRye JWT's own provider
 * (higher {@link #priority()}), so that it alone decides. A token that {@link CachingJwtParser} verified
 * within the last minute (apps send the same token many times) is answered at once, on the thread the
 * request arrived on: nothing to verify, nothing that blocks, no hand-off to a worker thread and back.
 * Any other token is verified on a worker thread, as before ({@link CachingJwtParser#parse}: the RS256
 * check and, for a key ID new to us, a wait for the identity provider's keys), and fails exactly as
 * SmallRye's provider would: an {@link AuthenticationFailedException} around the parse failure
 * ({@code rest/Problems} tells a 503 {@link IdpKeys.Unavailable} from a 401 by that cause).
 */
@ApplicationScoped
@Startup // its counters are on /q/metrics from the start
public class RememberedTokens implements IdentityProvider<TokenAuthenticationRequest> {

    private final CachingJwtParser parser;
    private final Counter remembered;
    private final Counter verified;

    RememberedTokens(CachingJwtParser parser, MeterRegistry meters) {
        this.parser = parser;
        this.remembered = counter(meters, "remembered");
        this.verified = counter(meters, "verified");
    }

    private static Counter counter(MeterRegistry meters, String how) {
        return Counter.builder("pinbff_user_token_checks")
                .description("User tokens checked: remembered (verified within the last minute, answered on the event "
                        + "loop) or verified (RS256 on a worker thread; failures included)")
                .tag("how", how)
                .register(meters);
    }

    @Override
    public Class<TokenAuthenticationRequest> getRequestType() {
        return TokenAuthenticationRequest.class;
    }

    /** Ahead of SmallRye JWT's provider (the default, {@code SYSTEM_FIRST + 1}). */
    @Override
    public int priority() {
        return SYSTEM_FIRST + 2;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(TokenAuthenticationRequest request, AuthenticationRequestContext context) {
        if (!(request.getToken() instanceof JsonWebTokenCredential)) {
            return Uni.createFrom().nullItem();
        }
        String token = request.getToken().getToken();
        JsonWebToken known = parser.remembered(token);
        if (known != null) {
            remembered.increment();
            return Uni.createFrom().item(identity(known, request));
        }
        verified.increment();
        return context.runBlocking(() -> {
            try {
                return identity(parser.parse(token), request);
            } catch (ParseException e) {
                throw new AuthenticationFailedException(e);
            }
        });
    }

    /** The identity SmallRye JWT's provider builds, for the same token. */
    private static SecurityIdentity identity(JsonWebToken jwt, TokenAuthenticationRequest request) {
        QuarkusSecurityIdentity.Builder builder = QuarkusSecurityIdentity.builder()
                .setPrincipal(jwt)
                .addCredential(request.getToken())
                .addRoles(jwt.getGroups())
                .addAttribute(SecurityIdentity.USER_ATTRIBUTE, jwt);
        RoutingContext routingContext = HttpSecurityUtils.getRoutingContextAttribute(request);
        if (routingContext != null) {
            builder.addAttribute(RoutingContext.class.getName(), routingContext);
        }
        return builder.build();
    }
}
