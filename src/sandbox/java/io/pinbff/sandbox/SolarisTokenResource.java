package io.pinbff.sandbox;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.arc.properties.IfBuildProperty;
import io.vertx.ext.web.RoutingContext;

/** Solaris' OAuth2 token endpoint (client-credentials grant), answering in OAuth's error format. */
@Path("/sandbox/solaris/oauth")
@IfBuildProperty(name = "pinbff.sandbox.enabled", stringValue = "true")
public class SolarisTokenResource {

    @Inject
    SolarisSandbox sandbox;

    @POST
    @Path("/token")
    @Consumes(MediaType.WILDCARD) // the body is read as a raw form, whatever the client labels it
    public Response token(String body, @Context RoutingContext ctx) {
        return SolarisError.guard(() -> issue(form(body), ctx.get(SolarisGate.AUTHORIZATION_KEY)));
    }

    private Response issue(Map<String, String> form, String authorization) {
        String id = form.get("client_id");
        String secret = form.get("client_secret");
        if (authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            String[] basic = basic(authorization.substring(6).trim());
            id = basic[0];
            secret = basic[1];
        }
        if (id == null || secret == null || !sandbox.clientValid(id, secret)) {
            return oauthError(401, "invalid_client");
        }
        if (!"client_credentials".equals(form.get("grant_type"))) {
            return oauthError(400, "unsupported_grant_type");
        }
        ObjectNode token = JsonNodeFactory.instance.objectNode()
                .put("access_token", sandbox.issueToken())
                .put("token_type", "Bearer")
                .put("expires_in", sandbox.tokenTtlSeconds());
        return Response.ok(token.toString(), MediaType.APPLICATION_JSON_TYPE)
                .header("Cache-Control", "no-store").build();
    }

    private static Response oauthError(int status, String error) {
        Response.ResponseBuilder answer = Response.status(status).type(MediaType.APPLICATION_JSON_TYPE)
                .entity(JsonNodeFactory.instance.objectNode().put("error", error).toString())
                .header("Cache-Control", "no-store");
        if (status == 401) {
            answer.header("WWW-Authenticate", "Basic realm=\"solaris-sandbox\"");
        }
        return answer.build();
    }

    /** RFC 6749 §2.3.1: id and secret are form-encoded before they are joined and base64-encoded. */
    private static String[] basic(String encoded) {
        try {
            String decoded = new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            if (colon < 0) {
                return new String[2];
            }
            return new String[] { decode(decoded.substring(0, colon)), decode(decoded.substring(colon + 1)) };
        } catch (IllegalArgumentException e) {
            return new String[2];
        }
    }

    private static Map<String, String> form(String body) {
        Map<String, String> fields = new HashMap<>();
        if (body == null || body.isBlank()) {
            return fields;
        }
        for (String pair : body.trim().split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                fields.putIfAbsent(decode(pair.substring(0, eq)), decode(pair.substring(eq + 1)));
            }
        }
        return fields;
    }

    private static String decode(String value) {
        try {
            return URLDecoder.decode(value, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return value;
        }
    }
}
