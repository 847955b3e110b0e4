package io.pinbff.solaris;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.pinbff.error.ApiException;
import io.pinbff.error.ErrorCode;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.eclipse.microprofile.faulttolerance.exceptions.BulkheadException;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;
import org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException;
import org.jboss.logging.Logger;

/**
 * The one door to Solaris. Safe calls (GETs, the token fetch inside them) go through
 * {@link SolarisGuards#read}, PIN writes through {@link SolarisGuards#write}: one shared circuit
 * breaker and bulkhead, retries for safe calls only, never for a write, whose outcome may be
 * unknown. A 401 is the exception: Solaris did not act on it, so the call is repeated once with a
 * fresh token. Answers leave as records; failures leave as {@link ApiException}s, translated in
 * one place ({@link #translate}).
 */
@ApplicationScoped
public class SolarisGateway {

    private static final Logger LOG = Logger.getLogger(SolarisGateway.class);

    private final SolarisHttp http;
    private final SolarisTokens tokens;
    private final SolarisGuards guards;
    private final SolarisJson bodies;
    private final MeterRegistry meters;

    SolarisGateway(SolarisHttp http, SolarisTokens tokens, SolarisGuards guards, ObjectMapper json,
            MeterRegistry meters) {
        this.http = http;
        this.tokens = tokens;
        this.guards = guards;
        this.bodies = new SolarisJson(json);
        this.meters = meters;
    }

    /** The current PIN-encryption key, as Solaris labels it (alg "RS256"). */
    public SolarisJwk latestPinKey() {
        Reply reply = read("pin_keys_latest", "/v1/cards/pin_keys/latest");
        if (!reply.ok() || reply.body() == null) {
            throw unavailable("Solaris answered " + reply.status() + " to the key request");
        }
        return as(reply.body(), SolarisJwk.class);
    }

    /** The card, or empty when Solaris does not know it. */
    public Optional<SolarisCard> card(String cardId) {
        Reply reply = read("card", cardPath(cardId));
        if (reply.status() == 404) {
            return Optional.empty();
        }
        if (!reply.ok()) {
            throw unavailable("Solaris answered " + reply.status() + " to the card lookup");
        }
        return Optional.of(as(reply.body(), SolarisCard.class));
    }

    public SolarisAnswer<Void> updatePin(String cardId, SolarisRequests.PinUpdate body) {
        return answer(write("pin_update_requests", cardPath(cardId) + "/pin_update_requests", body), Void.class);
    }

    public SolarisAnswer<SolarisChangeRequest> scaUpdatePin(String cardId, SolarisRequests.ScaPinUpdate body) {
        return answer(write("sca_pin_update_requests", cardPath(cardId) + "/sca_pin_update_requests", body),
                SolarisChangeRequest.class);
    }

    public SolarisAnswer<SolarisChangeRequest> changeRequest(String solarisId) {
        return answer(read("change_request", changeRequestPath(solarisId)), SolarisChangeRequest.class);
    }

    public SolarisAnswer<SolarisChangeRequest> authorize(String solarisId, SolarisRequests.Authorize body) {
        return answer(write("change_request_authorize", changeRequestPath(solarisId) + "/authorize", body),
                SolarisChangeRequest.class);
    }

    public SolarisAnswer<SolarisChangeRequest> confirm(String solarisId, SolarisRequests.Confirm body) {
        return answer(write("change_request_confirm", changeRequestPath(solarisId) + "/confirm", body),
                SolarisChangeRequest.class);
    }

    /** A non-5xx answer as it came: the status and its JSON object body (null when it had none). */
    private record Reply(int status, JsonNode body) {
        boolean ok() {
            return status >= 200 && status < 300;
        }
    }

    private static String cardPath(String cardId) {
        return "/v1/cards/" + SolarisHttp.segment(cardId);
    }

    private static String changeRequestPath(String solarisId) {
        return "/v1/change_requests/" + SolarisHttp.segment(solarisId);
    }

    /** One exchange with Solaris, made with the bearer of the attempt. */
    @FunctionalInterface
    private interface Call {
        SolarisHttp.Raw send(String bearer) throws InterruptedException;
    }

    /** A safe call: a GET of {@code path}. */
    private Reply read(String endpoint, String path) {
        return timed(endpoint, false, () -> guards.read(() -> attempt(endpoint, bearer -> http.get(path, bearer)), Reply.class));
    }

    /** A PIN write: a POST of {@code body} to {@code path}, written as JSON once and sent with the bearer of each attempt. */
    private Reply write(String endpoint, String path, Object body) {
        String json = bodies.write(body);
        return timed(endpoint, true, () -> guards.write(() -> attempt(endpoint, bearer -> http.post(path, bearer, json)), Reply.class));
    }

    /** {@code pinbff_solaris_requests_seconds{endpoint,outcome}} around the whole guarded call. */
    private Reply timed(String endpoint, boolean write, Callable<Reply> call) {
        Timer.Sample sample = Timer.start(meters);
        String outcome = "error";
        try {
            Reply reply = call.call();
            outcome = reply.ok() ? "success" : "rejected";
            return reply;
        } catch (Exception e) {
            ApiException problem = translate(e, write);
            outcome = problem.code() == ErrorCode.UPSTREAM_TIMEOUT ? "timeout"
                    : e instanceof CircuitBreakerOpenException ? "circuit_open"
                    : e instanceof BulkheadException ? "bulkhead_full" : "unavailable";
            LOG.warnf("Solaris %s failed: %s", endpoint, describe(e));
            throw problem;
        } finally {
            sample.stop(meters.timer("pinbff_solaris_requests", "endpoint", endpoint, "outcome", outcome));
        }
    }

    /** One attempt: with the cached token, and once more with a fresh one if Solaris refused it (401). */
    private Reply attempt(String endpoint, Call call) throws InterruptedException {
        String bearer = tokens.bearer();
        Reply reply = exchange(endpoint, call, bearer);
        if (reply.status() == 401) {
            tokens.refused(bearer);
            reply = exchange(endpoint, call, tokens.bearer());
            if (reply.status() == 401) {
                throw new UpstreamFailure("Solaris refused a freshly fetched access token");
            }
        }
        return reply;
    }

    /** Solaris failing (5xx, unreachable, a success without a JSON object) is an {@link UpstreamFailure}. */
    private Reply exchange(String endpoint, Call call, String bearer) throws InterruptedException {
        Timer.Sample sample = Timer.start(meters);
        String answered = "none";
        SolarisHttp.Raw raw;
        try {
            raw = call.send(bearer);
            answered = Integer.toString(raw.status());
        } finally {
            sample.stop(meters.timer("pinbff_solaris_http_requests", "endpoint", endpoint, "status", answered));
        }
        int status = raw.status();
        if (status >= 500) {
            throw new UpstreamFailure("Solaris answered " + status);
        }
        String text = raw.text();
        if (text.isBlank()) {
            return new Reply(status, null);
        }
        JsonNode body = bodies.object(text);
        if (body == null && status < 300) {
            throw new UpstreamFailure("Solaris answered " + status + " with a malformed body");
        }
        return new Reply(status, body);
    }

    /** The typed answer: the body of a success (none for {@code Void}), Solaris' error code otherwise. */
    private <T> SolarisAnswer<T> answer(Reply reply, Class<T> type) {
        if (reply.ok()) {
            return new SolarisAnswer<>(reply.status(), type == Void.class ? null : as(reply.body(), type), null);
        }
        return new SolarisAnswer<>(reply.status(), null, as(reply.body(), SolarisErrors.class).code());
    }

    private <T> T as(JsonNode body, Class<T> type) {
        try {
            return bodies.read(body, type);
        } catch (UpstreamFailure e) {
            LOG.warnf("Solaris answer not readable as %s", type.getSimpleName());
            throw unavailable("Solaris is unavailable.");
        }
    }

    /** What a failed Solaris call means to the app: the one translation of upstream failures. */
    private ApiException translate(Exception e, boolean write) {
        if (e instanceof ApiException api) {
            return api;
        }
        if (e instanceof CircuitBreakerOpenException) {
            return ApiException.retryLater(ErrorCode.UPSTREAM_UNAVAILABLE,
                    "Solaris is failing; calls are paused for a moment.", guards.breakerDelaySeconds());
        }
        if (e instanceof BulkheadException) {
            return ApiException.retryLater(ErrorCode.UPSTREAM_UNAVAILABLE,
                    "Too many Solaris calls are in flight.", 1);
        }
        boolean timedOut = e instanceof TimeoutException || e instanceof SolarisGuards.BackloggedTimeout;
        if (timedOut && write) {
            return ApiException.of(ErrorCode.UPSTREAM_TIMEOUT,
                    "Solaris did not answer in time; the outcome of the change is unknown.");
        }
        return unavailable(timedOut ? "Solaris did not answer in time." : "Solaris is unavailable.");
    }

    private static ApiException unavailable(String detail) {
        return ApiException.retryLater(ErrorCode.UPSTREAM_UNAVAILABLE, detail, 5);
    }

    private static String describe(Exception e) {
        return e instanceof UpstreamFailure ? e.getMessage() : e.getClass().getSimpleName();
    }
}
