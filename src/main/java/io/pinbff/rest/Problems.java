package io.pinbff.rest;

import io.pinbff.auth.IdpKeys;
import io.pinbff.error.ApiException;
import io.pinbff.error.ErrorCode;
import io.quarkus.security.AuthenticationCompletionException;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.ElementKind;
import jakarta.ws.rs.NotAcceptableException;
import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * The one place errors become RFC 9457 problem+json. Nothing here echoes request content: details
 * are written by the BFF, never copied from parsers, Solaris or exceptions.
 */
public class Problems {

    public static final MediaType PROBLEM_JSON = new MediaType("application", "problem+json");
    private static final Logger LOG = Logger.getLogger(Problems.class);

    @ServerExceptionMapper
    public Response api(ApiException e) {
        return render(e);
    }

    /**
     * Bean Validation that Quarkus runs by itself (a constraint on a resource method's parameter) answers
     * like {@link RequestBodies} does, never with Hibernate Validator's own JSON: 400 {@code invalid_request}
     * with {@code errors[]} by wire name; a violated return value is the BFF's fault (500).
     */
    @ServerExceptionMapper
    public Response violations(ConstraintViolationException e) {
        boolean ours = e.getConstraintViolations().stream().anyMatch(v -> StreamSupport
                .stream(v.getPropertyPath().spliterator(), false).anyMatch(n -> n.getKind() == ElementKind.RETURN_VALUE));
        if (ours) {
            return unexpected(e);
        }
        List<ApiException.FieldError> errors = e.getConstraintViolations().stream().map(RequestBodies::fieldError)
                .sorted(Comparator.comparing(ApiException.FieldError::field)).toList();
        return render(ApiException.invalid(ErrorCode.INVALID_REQUEST, errors));
    }

    @ServerExceptionMapper({ AuthenticationFailedException.class, UnauthorizedException.class,
            AuthenticationCompletionException.class })
    public Response unauthorized(RuntimeException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof IdpKeys.Unavailable u) {
                // The token could not be checked yet (its key ID is new to us): not a bad token.
                return render(ApiException.retryLater(ErrorCode.UPSTREAM_UNAVAILABLE,
                        "The identity provider's keys cannot be checked right now; try again shortly.", u.retryAfterSeconds()));
            }
        }
        Response.ResponseBuilder r = builder(ApiException.of(ErrorCode.UNAUTHORIZED,
                "A valid bearer token is required."));
        return r.header(HttpHeaders.WWW_AUTHENTICATE, "Bearer").build();
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e) {
        return render(ApiException.of(ErrorCode.FORBIDDEN, "Not allowed."));
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        int status = e.getResponse() == null ? 500 : e.getResponse().getStatus();
        ErrorCode code = switch (e) {
            case NotFoundException n -> ErrorCode.NOT_FOUND;
            case NotAllowedException n -> ErrorCode.METHOD_NOT_ALLOWED;
            case NotSupportedException n -> ErrorCode.UNSUPPORTED_MEDIA_TYPE;
            case NotAcceptableException n -> ErrorCode.NOT_ACCEPTABLE;
            default -> status == 413 ? ErrorCode.PAYLOAD_TOO_LARGE
                    : status == 401 ? ErrorCode.UNAUTHORIZED
                    : status >= 400 && status < 500 ? ErrorCode.INVALID_REQUEST : ErrorCode.INTERNAL_ERROR;
        };
        Response.ResponseBuilder r = builder(ApiException.of(code, code.title() + "."));
        if (e instanceof NotAllowedException && e.getResponse() != null) {
            r.allow(e.getResponse().getAllowedMethods());
        }
        return r.build();
    }

    @ServerExceptionMapper(priority = jakarta.ws.rs.Priorities.USER + 1000)
    public Response unexpected(Throwable e) {
        // The type and where it came from, not the message: messages can quote request content.
        StackTraceElement where = e.getStackTrace().length > 0 ? e.getStackTrace()[0] : null;
        LOG.errorf("Unhandled %s at %s", e.getClass().getName(), where);
        return render(ApiException.of(ErrorCode.INTERNAL_ERROR, "An unexpected error occurred."));
    }

    public static Response render(ApiException e) {
        return builder(e).build();
    }

    static Response.ResponseBuilder builder(ApiException e) {
        ErrorCode code = e.code();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", "urn:pinbff:problem:" + code.code());
        body.put("title", code.title());
        body.put("status", code.status());
        body.put("detail", e.getMessage());
        body.put("code", code.code());
        if (!e.errors().isEmpty()) {
            body.put("errors", e.errors());
        }
        body.putAll(e.extras());
        Response.ResponseBuilder r = Response.status(code.status()).type(PROBLEM_JSON).entity(body);
        if (e.retryAfterSeconds() != null) {
            r.header("Retry-After", e.retryAfterSeconds());
        }
        return r;
    }
}
