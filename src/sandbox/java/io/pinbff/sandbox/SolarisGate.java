package io.pinbff.sandbox;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.quarkus.arc.properties.IfBuildProperty;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The front door of the Solaris sandbox, a Vert.x route in front of its JAX-RS resources: records
 * every call in the journal, injects faults (without blocking the event loop), and checks the
 * bearer token of every {@code /v1} call, all in one place and before any resource runs.
 */
@ApplicationScoped
@IfBuildProperty(name = "pinbff.sandbox.enabled", stringValue = "true")
public class SolarisGate {

    static final String PREFIX = "/sandbox/solaris";
    /** Where the gate leaves the caller's Authorization header for the token resource. */
    static final String AUTHORIZATION_KEY = "pinbff.sandbox.authorization";

    /**
     * Before Quarkus' HTTP authentication filter (order -200): the sandbox's opaque tokens and
     * Basic credentials are no JWTs, and the service's proactive JWT authentication would reject
     * them with its own 401. The gate checks them itself and hides the header from it.
     */
    static final int ORDER = -250;

    private static final Logger LOG = Logger.getLogger(SolarisGate.class);
    private static final String MALFORMED_BODY = "{\"id\":";

    @Inject
    SolarisSandbox sandbox;

    void install(@Observes Router router) {
        router.route(PREFIX + "/*").order(ORDER).handler(this::handle);
    }

    void handle(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        String method = request.method().name();
        String path = request.path().length() > PREFIX.length() ? request.path().substring(PREFIX.length()) : "/";
        sandbox.record(method, path);
        String authorization = hideAuthorization(ctx);

        SandboxFaults.Fault fault = sandbox.faults().next(method, path);
        if (fault == null) {
            proceed(ctx, path, authorization);
            return;
        }
        switch (fault.kind()) {
            case FAIL -> answer(ctx, fault.status(), SolarisError.injected(fault.status()).body());
            case MALFORMED -> answer(ctx, 200, MALFORMED_BODY);
            case RESET -> request.connection().close();
            case DELAY -> {
                // Hold the body back until the resources read it. Only pause: Quarkus REST resumes
                // the request itself when it reads the body, and resuming here too early would let
                // the body flow off while REST is still busy with its own (async) steps.
                request.pause();
                ctx.vertx().setTimer(Math.max(1, fault.delay().toMillis()), id -> {
                    if (!ctx.response().closed()) { // else the client gave up: like a request lost on the way
                        proceed(ctx, path, authorization);
                    }
                });
            }
        }
    }

    private void proceed(RoutingContext ctx, String path, String authorization) {
        if (path.startsWith("/v1/") && !sandbox.tokenValid(bearer(authorization))) {
            answer(ctx, 401, SolarisError.unauthorized().body());
            return;
        }
        ctx.next();
    }

    private static String hideAuthorization(RoutingContext ctx) {
        String authorization = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
        if (authorization != null) {
            ctx.put(AUTHORIZATION_KEY, authorization);
            try {
                ctx.request().headers().remove(HttpHeaders.AUTHORIZATION);
            } catch (UnsupportedOperationException e) {
                LOG.debug("request headers are read-only; Authorization stays visible");
            }
        }
        return authorization;
    }

    private static String bearer(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        return authorization.substring(7).trim();
    }

    /**
     * Answers without the resources, after reading the request body: a body left unread on a
     * keep-alive connection would stall the client's next request on it.
     */
    private static void answer(RoutingContext ctx, int status, String body) {
        Runnable send = () -> {
            if (!ctx.response().ended() && !ctx.response().closed()) {
                ctx.response().setStatusCode(status)
                        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                        .end(body);
            }
        };
        HttpServerRequest request = ctx.request();
        if (request.isEnded()) {
            send.run();
            return;
        }
        try {
            request.body().onComplete(ignored -> send.run());
            request.resume();
        } catch (IllegalStateException alreadyRead) {
            send.run();
        }
    }
}
