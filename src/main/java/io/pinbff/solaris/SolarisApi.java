package io.pinbff.solaris;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/**
 * Solaris' own endpoints, as they are on the wire. Package-private: only {@link SolarisGateway}
 * calls them, with fault tolerance, token handling and error mapping around every call. Answers
 * are raw {@link Response}s (the default exception mapper is off for this client) so the gateway
 * sees every status and body exactly once. Request bodies go as JSON text the gateway wrote
 * ({@link SolarisJson#write}): the REST client's Jackson writer looks up {@code @JsonView}s by
 * reflection on every call (about 1.5 % of a direct change's CPU samples at c=1).
 */
@RegisterRestClient(configKey = "solaris")
@Path("/v1")
@Produces(MediaType.APPLICATION_JSON)
interface SolarisApi {

    @GET
    @Path("/cards/pin_keys/latest")
    Response latestPinKey(@HeaderParam(HttpHeaders.AUTHORIZATION) String bearer);

    @GET
    @Path("/cards/{cardId}")
    Response card(@HeaderParam(HttpHeaders.AUTHORIZATION) String bearer, @PathParam("cardId") String cardId);

    @POST
    @Path("/cards/{cardId}/pin_update_requests")
    @Consumes(MediaType.APPLICATION_JSON)
    Response updatePin(@HeaderParam(HttpHeaders.AUTHORIZATION) String bearer, @PathParam("cardId") String cardId,
            String json);

    @POST
    @Path("/cards/{cardId}/sca_pin_update_requests")
    @Consumes(MediaType.APPLICATION_JSON)
    Response scaUpdatePin(@HeaderParam(HttpHeaders.AUTHORIZATION) String bearer, @PathParam("cardId") String cardId,
            String json);

    @GET
    @Path("/change_requests/{id}")
    Response changeRequest(@HeaderParam(HttpHeaders.AUTHORIZATION) String bearer, @PathParam("id") String id);

    @POST
    @Path("/change_requests/{id}/authorize")
    @Consumes(MediaType.APPLICATION_JSON)
    Response authorize(@HeaderParam(HttpHeaders.AUTHORIZATION) String bearer, @PathParam("id") String id,
            String json);

    @POST
    @Path("/change_requests/{id}/confirm")
    @Consumes(MediaType.APPLICATION_JSON)
    Response confirm(@HeaderParam(HttpHeaders.AUTHORIZATION) String bearer, @PathParam("id") String id,
            String json);
}
