package io.pinbff.sandbox;

import java.util.UUID;
import java.util.function.Supplier;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * An error answer in Solaris' own shape: {@code {"errors":[{id,status,code,title,detail}]}}.
 * <p>
 * It is an exception only so that deep checks can bail out; resources catch it (through
 * {@link #guard}) and answer it as a {@link Response}, because the service's global exception
 * mappers would otherwise turn it into the BFF's problem+json. Details never carry PIN
 * material, signatures, TANs or tokens.
 */
public final class SolarisError extends RuntimeException {

    private static final Logger LOG = Logger.getLogger(SolarisError.class);

    private final int status;
    private final String code;
    private final String title;

    public SolarisError(int status, String code, String title, String detail) {
        // no stack trace: these are expected answers, not failures
        super(detail, null, false, false);
        this.status = status;
        this.code = code;
        this.title = title;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public String title() {
        return title;
    }

    public String detail() {
        return getMessage();
    }

    /** The JSON body, e.g. for the Vert.x route filter that answers without JAX-RS. */
    public String body() {
        ObjectNode error = JsonNodeFactory.instance.objectNode()
                .put("id", UUID.randomUUID().toString())
                .put("status", status)
                .put("code", code)
                .put("title", title)
                .put("detail", detail());
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.putArray("errors").add(error);
        return root.toString();
    }

    public Response toResponse() {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(body()).build();
    }

    /** Runs a resource action and turns every failure into a Solaris-shaped answer. */
    public static Response guard(Supplier<Response> action) {
        try {
            return action.get();
        } catch (SolarisError e) {
            return e.toResponse();
        } catch (RuntimeException e) {
            // only the type: messages of crypto/JSON exceptions may quote request material
            LOG.errorf("Solaris sandbox failed unexpectedly: %s", e.getClass().getName());
            return internal().toResponse();
        }
    }

    public static SolarisError invalidRequest(String detail) {
        return new SolarisError(400, "invalid_request", "Invalid Request", detail);
    }

    public static SolarisError notFound(String what) {
        return new SolarisError(404, "not_found", "Not Found", what + " not found");
    }

    public static SolarisError unauthorized() {
        return new SolarisError(401, "unauthorized", "Unauthorized",
                "Missing, unknown or expired access token");
    }

    public static SolarisError forbidden(String detail) {
        return new SolarisError(403, "forbidden", "Forbidden", detail);
    }

    public static SolarisError unprocessable(String code, String title, String detail) {
        return new SolarisError(422, code, title, detail);
    }

    public static SolarisError internal() {
        return new SolarisError(500, "internal_server_error", "Internal Server Error",
                "An unexpected error occurred");
    }

    /** A Solaris-style answer for an injected upstream failure with an arbitrary status. */
    public static SolarisError injected(int status) {
        String code = switch (status) {
            case 500 -> "internal_server_error";
            case 502 -> "bad_gateway";
            case 503 -> "service_unavailable";
            case 504 -> "gateway_timeout";
            case 429 -> "too_many_requests";
            default -> "error";
        };
        String title = code.substring(0, 1).toUpperCase() + code.substring(1).replace('_', ' ');
        return new SolarisError(status, code, title, "Injected sandbox fault");
    }
}
