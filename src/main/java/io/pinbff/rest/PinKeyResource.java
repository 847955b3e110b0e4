package io.pinbff.rest;

import io.pinbff.config.PinBffConfig;
import io.pinbff.pin.PinKey;
import io.pinbff.pin.PinKeyCache;
import io.quarkus.security.Authenticated;
import io.smallrye.common.annotation.RunOnVirtualThread;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Request;
import jakarta.ws.rs.core.Response;

@Path("/v1/pin-keys")
@Authenticated
@RunOnVirtualThread
@Produces(MediaType.APPLICATION_JSON)
public class PinKeyResource {

    private final PinKeyCache keys;
    private final CurrentUser user;
    private final String cacheControl;

    PinKeyResource(PinKeyCache keys, CurrentUser user, PinBffConfig config) {
        this.keys = keys;
        this.user = user;
        this.cacheControl = "private, max-age=" + config.keyCache().clientMaxAge().toSeconds();
    }

    @GET
    @Path("/latest")
    public Response latest(@Context Request request) {
        user.personId();
        PinKey key = keys.serve();
        String etag = key.etag();
        Response.ResponseBuilder r = ETags.notModified(request, etag) ? Response.notModified() : Response.ok(key);
        return r.header(HttpHeaders.ETAG, etag).header(HttpHeaders.CACHE_CONTROL, cacheControl).build();
    }
}
