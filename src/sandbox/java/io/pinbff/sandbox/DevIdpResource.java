package io.pinbff.sandbox;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.arc.properties.IfBuildProperty;

/** The dev identity provider's public endpoints: its JWKS, and a token for any person (dev convenience). */
@Path("/sandbox/idp")
@IfBuildProperty(name = "pinbff.sandbox.enabled", stringValue = "true")
public class DevIdpResource {

    @Inject
    DevIdentityProvider idp;

    @GET
    @Path("/jwks.json")
    public Response jwks() {
        idp.jwksServed();
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        ArrayNode keys = root.putArray("keys");
        idp.jwks().forEach(jwk -> {
            ObjectNode key = keys.addObject();
            jwk.forEach((name, value) -> key.put(name, String.valueOf(value)));
        });
        return Response.ok(root.toString(), MediaType.APPLICATION_JSON_TYPE).build();
    }

    /** Form field person_id, default the demo person. */
    @POST
    @Path("/token")
    @Consumes(MediaType.WILDCARD)
    public Response token(String body) {
        String personId = formField(body, "person_id");
        if (personId == null || personId.isBlank()) {
            personId = SolarisSandbox.DEMO_PERSON_ID;
        }
        ObjectNode token = JsonNodeFactory.instance.objectNode()
                .put("access_token", idp.mint(personId))
                .put("token_type", "Bearer")
                .put("expires_in", DevIdentityProvider.DEFAULT_TTL.toSeconds());
        return Response.ok(token.toString(), MediaType.APPLICATION_JSON_TYPE)
                .header("Cache-Control", "no-store").build();
    }

    private static String formField(String body, String name) {
        if (body == null) {
            return null;
        }
        for (String pair : body.trim().split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && name.equals(pair.substring(0, eq))) {
                try {
                    return URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                } catch (IllegalArgumentException e) {
                    return null;
                }
            }
        }
        return null;
    }
}
