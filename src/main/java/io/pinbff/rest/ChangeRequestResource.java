package io.pinbff.rest;

import io.pinbff.changerequest.ChangeRequest;
import io.pinbff.changerequest.ChangeRequests;
import io.pinbff.error.ApiException;
import io.pinbff.error.ErrorCode;
import io.pinbff.pin.SignatureFormat;
import io.quarkus.security.Authenticated;
import io.smallrye.common.annotation.RunOnVirtualThread;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Request;
import jakarta.ws.rs.core.Response;
import java.time.Clock;
import java.time.Instant;
import java.util.Set;
import java.util.UUID;

/** The change-request (SCA) PIN change: openapi/pin-bff.yaml, tag change-requests. */
@Path("/v1")
@Authenticated
@RunOnVirtualThread
@Produces(MediaType.APPLICATION_JSON)
public class ChangeRequestResource {

    private static final Set<String> DELIVERY_METHODS = Set.of("device_signing", "mobile_number");

    /** Body of createPinChangeRequest (openapi/pin-bff.yaml). */
    record Create(@NotNull @Size(min = 1) String encryptedPin, @NotNull @Size(min = 1, max = 100) @PrintableAscii String keyId) {
    }

    /** Body of authorizePinChangeRequest (openapi/pin-bff.yaml); which methods exist, and that device_signing needs a device, is checked after. */
    record Authorize(@NotNull @Size(min = 1, max = 32) @PrintableAscii String deliveryMethod,
            @Size(min = 1, max = 100) @PrintableAscii String deviceId) {
    }

    /** Body of confirmPinChangeRequest (openapi/pin-bff.yaml) after mobile_number (a body with {@code tan}). */
    record TanConfirm(@NotNull @Size(min = 1, max = 64) @PrintableAscii String tan) {
    }

    /** Body of confirmPinChangeRequest (openapi/pin-bff.yaml) after device_signing. */
    record SignedConfirm(@NotNull @Size(min = 1, max = 100) @PrintableAscii String deviceId,
            @NotNull @Size(min = 1, max = SignatureFormat.MAX_HEX_LENGTH) String signature) {
    }

    private final ChangeRequests changeRequests;
    private final CurrentUser user;
    private final Clock clock;
    private final ChangeRequestStreams streams;
    private final RequestBodies bodies;

    ChangeRequestResource(ChangeRequests changeRequests, CurrentUser user, Clock clock, ChangeRequestStreams streams,
            RequestBodies bodies) {
        this.bodies = bodies;
        this.streams = streams;
        this.changeRequests = changeRequests;
        this.user = user;
        this.clock = clock;
    }

    @POST
    @Path("/cards/{card_id}/pin-change-requests")
    @Consumes(MediaType.APPLICATION_JSON)
    @Idempotent
    public Response create(@PathParam("card_id") String cardId, @HeaderParam(Idempotency.HEADER) String idempotencyKey,
            byte[] body) {
        String personId = user.personId();
        Create request = bodies.read(body, Create.class);
        ChangeRequest created = changeRequests.create(personId, cardId, request.encryptedPin(), request.keyId(), idempotencyKey);
        ChangeRequestView view = ChangeRequestView.of(created, Instant.now(clock));
        return Response.accepted(view).header(HttpHeaders.LOCATION, "/v1/pin-change-requests/" + view.id())
                .header(HttpHeaders.ETAG, view.etag()).build();
    }

    @GET
    @Path("/pin-change-requests/{id}")
    public Response get(@PathParam("id") String id, @Context Request request) {
        String personId = user.personId();
        ChangeRequestView view = ChangeRequestView.of(changeRequests.poll(personId, uuid(id)), Instant.now(clock));
        String etag = view.etag();
        Response.ResponseBuilder r = ETags.notModified(request, etag) ? Response.notModified() : Response.ok(view);
        return r.header(HttpHeaders.ETAG, etag).header(HttpHeaders.CACHE_CONTROL, "no-cache").build();
    }

    /**
     * Server-sent events of one change request (openapi/pin-bff.yaml, streamPinChangeRequestEvents): the current state at once (unless
     * {@code Last-Event-ID} already has it), then every change made on any instance, a keep-alive comment
     * every 10 s, and the end after a final status. Auth and ownership as the GET, answered as
     * problem+json before the stream starts; at most 5 open streams per user on this instance.
     */
    @GET
    @Path("/pin-change-requests/{id}/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void events(@PathParam("id") String id, @HeaderParam("Last-Event-ID") String lastEventId,
            @Context SseEventSink sink, @Context Sse sse, @Context io.vertx.ext.web.RoutingContext http) {
        String personId = user.personId();
        ChangeRequest current = changeRequests.get(personId, uuid(id));
        long last = lastEventId != null && lastEventId.matches("[0-9]{1,18}") ? Long.parseLong(lastEventId) : -1;
        streams.reserve(personId);
        try {
            streams.open(current, personId, last, sink, sse, http::addEndHandler);
        } catch (RuntimeException e) {
            streams.release(personId);
            throw e;
        }
    }

    @POST
    @Path("/pin-change-requests/{id}/authorize")
    @Consumes(MediaType.APPLICATION_JSON)
    @Idempotent
    public Response authorize(@PathParam("id") String id, byte[] body) {
        String personId = user.personId();
        Authorize request = bodies.read(body, Authorize.class);
        String method = request.deliveryMethod();
        String deviceId = request.deviceId();
        if (!DELIVERY_METHODS.contains(method)) {
            throw ApiException.invalid(ErrorCode.INVALID_REQUEST, "delivery_method",
                    "delivery_method must be device_signing or mobile_number.");
        }
        if (method.equals("device_signing") && deviceId == null) {
            throw ApiException.invalid(ErrorCode.INVALID_REQUEST, "device_id", "device_id is required for device_signing.");
        }
        return ok(changeRequests.authorize(personId, uuid(id), method, method.equals("device_signing") ? deviceId : null));
    }

    @POST
    @Path("/pin-change-requests/{id}/confirm")
    @Consumes(MediaType.APPLICATION_JSON)
    @Idempotent
    public Response confirm(@PathParam("id") String id, byte[] body) {
        String personId = user.personId();
        JsonFields fields = JsonFields.parse(body);
        ChangeRequests.Confirmation confirmation;
        if (fields.has("tan")) {
            String tan = bodies.read(fields, TanConfirm.class).tan();
            if (fields.has("signature")) {
                throw ApiException.invalid(ErrorCode.INVALID_REQUEST, "tan", "Send either tan or device_id and signature, not both.");
            }
            confirmation = new ChangeRequests.Confirmation(tan, null, null);
        } else {
            SignedConfirm signed = bodies.read(fields, SignedConfirm.class);
            SignatureFormat.check("signature", signed.signature());
            confirmation = new ChangeRequests.Confirmation(null, signed.deviceId(), signed.signature());
        }
        return ok(changeRequests.confirm(personId, uuid(id), confirmation));
    }

    private Response ok(ChangeRequest request) {
        ChangeRequestView view = ChangeRequestView.of(request, Instant.now(clock));
        return Response.ok(view).header(HttpHeaders.ETAG, view.etag()).build();
    }

    /** The BFF's IDs are UUIDs: any other well-formed ID simply does not exist. */
    private static UUID uuid(String id) {
        Ids.require("id", id);
        try {
            if (id.length() == 36) {
                return UUID.fromString(id);
            }
        } catch (IllegalArgumentException e) {
            // not one of ours
        }
        throw ApiException.of(ErrorCode.CHANGE_REQUEST_NOT_FOUND, "No such change request.");
    }
}
