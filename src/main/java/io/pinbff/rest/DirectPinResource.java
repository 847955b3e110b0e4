package io.pinbff.rest;

import io.pinbff.pin.DirectPinChange;
import io.pinbff.pin.SignatureFormat;
import io.quarkus.security.Authenticated;
import io.smallrye.common.annotation.RunOnVirtualThread;
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

    private final DirectPinChange pins;
    private final CurrentUser user;

    DirectPinResource(DirectPinChange pins, CurrentUser user) {
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
        JsonFields fields = JsonFields.parse(body);
        String deviceId = fields.required("device_id", 1, 100, true);
        String encryptedPin = fields.required("encrypted_pin", 1, Integer.MAX_VALUE, false);
        String keyId = fields.required("key_id", 1, 100, true);
        String signature = fields.required("signature", 1, SignatureFormat.MAX_HEX_LENGTH, false);
        String deviceData = fields.optional("device_data", 0, MAX_DEVICE_DATA, false);
        fields.done();
        pins.change(personId, cardId, new DirectPinChange.Request(deviceId, encryptedPin, keyId, signature, deviceData,
                idempotencyKey));
        return Response.noContent().build();
    }
}
