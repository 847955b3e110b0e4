package io.pinbff.rest;

import io.pinbff.pin.DirectPinChange;
import io.pinbff.pin.SignatureFormat;
import io.quarkus.security.Authenticated;
import io.smallrye.common.annotation.RunOnVirtualThread;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** {@code POST /v1/cards/{card_id}/pin}: the direct, device-signed PIN change. */
@Path("/v1/cards/{card_id}/pin")
@Authenticated
@RunOnVirtualThread
public class DirectPinResource {

    static final int MAX_DEVICE_DATA = 16 * 1024;

    /** Body of changePinDirect (openapi/pin-bff.yaml). */
    record Body(
            @NotNull @Size(min = 1, max = 100) @PrintableAscii String deviceId,
            @NotNull @Size(min = 1) String encryptedPin,
            @NotNull @Size(min = 1, max = 100) @PrintableAscii String keyId,
            @NotNull @Size(min = 1, max = SignatureFormat.MAX_HEX_LENGTH) String signature,
            @Size(max = MAX_DEVICE_DATA) String deviceData) {
    }

    private final DirectPinChange pins;
    private final CurrentUser user;
    private final RequestBodies bodies;

    DirectPinResource(DirectPinChange pins, CurrentUser user, RequestBodies bodies) {
        this.bodies = bodies;
        this.pins = pins;
        this.user = user;
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Idempotent
    public Response change(@PathParam("card_id") String cardId, @HeaderParam(Idempotency.HEADER) String idempotencyKey,
            byte[] body) {
        String personId = user.personId();
        Body request = bodies.read(body, Body.class);
        pins.change(personId, cardId, new DirectPinChange.Request(request.deviceId(), request.encryptedPin(),
                request.keyId(), request.signature(), request.deviceData(), idempotencyKey));
        return Response.noContent().build();
    }
}
