package io.pinbff.sandbox;

import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.arc.properties.IfBuildProperty;

/**
 * Solaris' card endpoints: the PIN key, cards, and both ways to change a PIN. The bearer token
 * was already checked by {@link SolarisGate}. Every answer, error or not, is a {@link Response}.
 */
@Path("/sandbox/solaris/v1/cards")
@IfBuildProperty(name = "pinbff.sandbox.enabled", stringValue = "true")
public class SolarisCardResource {

    @Inject
    SolarisSandbox sandbox;
    @Inject
    ObjectMapper mapper;

    @GET
    @Path("/pin_keys/latest")
    public Response latestPinKey() {
        return SolarisError.guard(() -> {
            ObjectNode jwk = JsonNodeFactory.instance.objectNode();
            sandbox.currentPublicJwk().forEach((name, value) -> jwk.put(name, String.valueOf(value)));
            return json(200, jwk);
        });
    }

    @GET
    @Path("/{card_id}")
    public Response card(@PathParam("card_id") String cardId) {
        return SolarisError.guard(() -> json(200, requireCard(cardId).toJson()));
    }

    /** The direct, device-signed change: 204 once the PIN is applied. */
    @POST
    @Path("/{card_id}/pin_update_requests")
    @Consumes(MediaType.WILDCARD) // parsed here, so that any malformed body is Solaris' invalid_request
    public Response pinUpdate(@PathParam("card_id") String cardId, String body) {
        return SolarisError.guard(() -> {
            RequestBody request = RequestBody.parse(mapper, body);
            String deviceId = request.required("device_id");
            String encryptedPin = request.required("encrypted_pin");
            String keyId = request.required("key_id");
            String signature = request.required("signature");
            request.optional("device_data");

            Card card = requireCard(cardId);
            String pinHash = acceptPin(card, encryptedPin, keyId);
            SolarisSandbox.Device device = sandbox.device(deviceId)
                    .filter(d -> d.personId().equals(card.personId()))
                    .orElseThrow(() -> SolarisError.unprocessable("invalid_device", "Invalid Device",
                            "The device is unknown or not bound to the card holder"));
            if (!SandboxCrypto.verifyDeviceSignature(device.publicKey(), encryptedPin, signature)) {
                throw SolarisError.unprocessable("invalid_signature", "Invalid Signature",
                        "The signature does not verify with the device's key");
            }
            sandbox.applyPin(card.id(), pinHash);
            return Response.noContent().build();
        });
    }

    /** The change with SCA: creates a change request holding the pending PIN. */
    @POST
    @Path("/{card_id}/sca_pin_update_requests")
    @Consumes(MediaType.WILDCARD)
    public Response scaPinUpdate(@PathParam("card_id") String cardId, String body) {
        return SolarisError.guard(() -> {
            RequestBody request = RequestBody.parse(mapper, body);
            String encryptedPin = request.required("encrypted_pin");
            String keyId = request.required("key_id");

            Card card = requireCard(cardId);
            String pinHash = acceptPin(card, encryptedPin, keyId);
            ChangeRequest changeRequest = sandbox.createChangeRequest(card, pinHash);
            ObjectNode answer = changeRequest.toJson().put("url", changeRequest.url());
            return json(202, answer);
        });
    }

    /**
     * The checks both PIN changes share, in Solaris' order: key, JWE, PIN format, PIN policy,
     * card status. Returns the hash of the new PIN; the PIN itself goes no further.
     */
    private String acceptPin(Card card, String encryptedPin, String keyId) {
        SolarisSandbox.PinKey key = sandbox.currentKey(); // one snapshot, even if a rotation races
        if (!key.kid().equals(keyId)) {
            throw new SolarisError(400, "invalid_key", "Invalid Key", "key_id is not the current PIN key");
        }
        String pin = SandboxCrypto.decryptPin(encryptedPin, keyId, key.keyPair().getPrivate());
        SandboxCrypto.requireStrong(pin);
        if (!"ACTIVE".equals(card.status())) {
            throw SolarisError.unprocessable("invalid_card_status", "Invalid Card Status",
                    "The card is " + card.status());
        }
        return SandboxCrypto.pinHash(card.id(), pin);
    }

    private Card requireCard(String cardId) {
        return sandbox.card(cardId).orElseThrow(() -> SolarisError.notFound("Card"));
    }

    static Response json(int status, Object node) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(node.toString()).build();
    }
}
