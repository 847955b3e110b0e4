package io.pinbff.sandbox;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Set;

import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.quarkus.arc.properties.IfBuildProperty;

/**
 * Solaris' change requests (the SCA flow): status, authorize, confirm. State checks and
 * transitions of one request happen under its lock, so concurrent confirms count tries correctly.
 */
@Path("/sandbox/solaris/v1/change_requests")
@IfBuildProperty(name = "pinbff.sandbox.enabled", stringValue = "true")
public class SolarisChangeRequestResource {

    private static final Set<String> DELIVERY_METHODS = Set.of("mobile_number", "device_signing", "static");
    private static final Set<String> AUTHORIZABLE = Set.of("AUTHORIZATION_REQUIRED", "ACCEPTED");
    private static final int MAX_TRIES = 3;

    @Inject
    SolarisSandbox sandbox;
    @Inject
    ObjectMapper mapper;

    @GET
    @Path("/{id}")
    public Response get(@PathParam("id") String id) {
        return SolarisError.guard(() -> {
            ChangeRequest request = require(id);
            return SolarisCardResource.json(200, request.toJson().put("url", request.url()));
        });
    }

    @POST
    @Path("/{id}/authorize")
    @Consumes(MediaType.WILDCARD)
    public Response authorize(@PathParam("id") String id, String body) {
        return SolarisError.guard(() -> {
            RequestBody input = RequestBody.parse(mapper, body);
            String method = input.required("delivery_method");
            String personId = input.required("person_id");
            String deviceId = input.optional("device_id");
            input.optional("language");
            if (!DELIVERY_METHODS.contains(method)) {
                throw SolarisError.invalidRequest("delivery_method must be one of " + DELIVERY_METHODS);
            }
            boolean deviceSigning = "device_signing".equals(method);
            if (deviceSigning && (deviceId == null || deviceId.isEmpty())) {
                throw SolarisError.invalidRequest("device_id is required for device_signing");
            }

            ChangeRequest request = require(id);
            requireOwner(request, personId);
            synchronized (request) {
                if (!AUTHORIZABLE.contains(request.status())) {
                    throw invalidStatus(request);
                }
                String stringToSign = null;
                if (deviceSigning) {
                    sandbox.device(deviceId).filter(d -> d.personId().equals(request.personId()))
                            .orElseThrow(() -> SolarisError.unprocessable("invalid_device", "Invalid Device",
                                    "The device is unknown or not bound to the person"));
                    stringToSign = SandboxCrypto.randomHex(32);
                }
                request.authorized(method, deviceSigning ? deviceId : null, stringToSign);
                ObjectNode answer = request.toJson();
                if (stringToSign != null) {
                    answer.put("string_to_sign", stringToSign);
                }
                return SolarisCardResource.json(200, answer);
            }
        });
    }

    @POST
    @Path("/{id}/confirm")
    @Consumes(MediaType.WILDCARD)
    public Response confirm(@PathParam("id") String id, String body) {
        return SolarisError.guard(() -> {
            RequestBody input = RequestBody.parse(mapper, body);
            boolean byTan = input.has("tan");
            String personId = byTan ? input.required("person_id") : null;
            String tan = byTan ? input.required("tan") : null;
            if (!byTan && !input.has("signature") && !input.has("device_id")) {
                throw SolarisError.invalidRequest("Send either person_id and tan, or device_id and signature");
            }
            String deviceId = byTan ? null : input.required("device_id");
            String signature = byTan ? null : input.required("signature");
            input.optional("device_data");

            ChangeRequest request = require(id);
            if (byTan) {
                requireOwner(request, personId);
            }
            synchronized (request) {
                if (!"CONFIRMATION_REQUIRED".equals(request.status())) {
                    throw invalidStatus(request);
                }
                boolean confirmed = byTan ? tanMatches(request, tan) : signatureMatches(request, deviceId, signature);
                if (!confirmed) {
                    boolean failed = request.wrongTry();
                    String detail = failed ? "Wrong for the " + MAX_TRIES + "rd time: the change request has FAILED"
                            : "Wrong, " + (MAX_TRIES - request.wrongTries()) + " tries left";
                    throw byTan ? SolarisError.unprocessable("invalid_tan", "Invalid TAN", detail)
                            : SolarisError.unprocessable("invalid_signature", "Invalid Signature", detail);
                }
                // Like Solaris: the change request completes, and response_code/response_body carry the
                // outcome of the PIN update it ran — refused when the card stopped being ACTIVE meanwhile.
                boolean cardActive = sandbox.card(request.cardId()).map(c -> "ACTIVE".equals(c.status())).orElse(false);
                if (!cardActive) {
                    request.status("COMPLETED");
                    ObjectNode answer = request.toJson().put("response_code", 422);
                    answer.putObject("response_body").putArray("errors").addObject()
                            .put("id", SandboxCrypto.randomHex(8)).put("status", 422).put("code", "invalid_card_status")
                            .put("title", "Invalid Card Status").put("detail", "The card is not ACTIVE");
                    return SolarisCardResource.json(200, answer);
                }
                sandbox.complete(request);
                ObjectNode answer = request.toJson().put("response_code", 204).put("response_body", "");
                return SolarisCardResource.json(200, answer);
            }
        });
    }

    /** The sandbox TAN, unless the request was authorised for device signing (then only a signature will do). */
    private static boolean tanMatches(ChangeRequest request, String tan) {
        return !"device_signing".equals(request.deliveryMethod())
                && MessageDigest.isEqual(SolarisSandbox.SANDBOX_TAN.getBytes(StandardCharsets.US_ASCII),
                        tan.getBytes(StandardCharsets.US_ASCII));
    }

    /** By the device chosen at authorize, over the string_to_sign handed out then. */
    private boolean signatureMatches(ChangeRequest request, String deviceId, String signature) {
        if (request.stringToSign() == null || !deviceId.equals(request.deviceId())) {
            return false;
        }
        return sandbox.device(deviceId)
                .map(d -> SandboxCrypto.verifyDeviceSignature(d.publicKey(), request.stringToSign(), signature))
                .orElse(false);
    }

    private ChangeRequest require(String id) {
        return sandbox.changeRequest(id).orElseThrow(() -> SolarisError.notFound("Change request"));
    }

    private static void requireOwner(ChangeRequest request, String personId) {
        if (!request.personId().equals(personId)) {
            throw SolarisError.forbidden("The change request belongs to another person");
        }
    }

    private static SolarisError invalidStatus(ChangeRequest request) {
        return new SolarisError(409, "invalid_change_request_status", "Invalid Change Request Status",
                "The change request is " + request.status());
    }
}
