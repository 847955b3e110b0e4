package io.pinbff.rest;

import io.pinbff.error.ApiException;
import io.pinbff.error.ErrorCode;
import io.pinbff.webhook.SolarisWebhooks;
import io.smallrye.common.annotation.RunOnVirtualThread;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * {@code POST /v1/webhooks/solaris}: Solaris' notifications. No user token: the HMAC signature over the
 * raw body is the authentication. 404 while no {@code SOLARIS_WEBHOOK_SECRET} is configured.
 */
@Path("/v1/webhooks/solaris")
@RunOnVirtualThread
public class SolarisWebhookResource {

    private final SolarisWebhooks webhooks;

    SolarisWebhookResource(SolarisWebhooks webhooks) {
        this.webhooks = webhooks;
    }

    @POST
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public Response receive(@HeaderParam("Solaris-Webhook-Event-Type") String eventType,
            @HeaderParam("Solaris-Webhook-Id") String webhookId,
            @HeaderParam("Solaris-Webhook-Signature") String signature, byte[] body) {
        if (!webhooks.enabled()) {
            throw ApiException.of(ErrorCode.NOT_FOUND, "Not found.");
        }
        if (body != null && body.length > JsonFields.MAX_BODY_BYTES) {
            throw ApiException.of(ErrorCode.PAYLOAD_TOO_LARGE, "The body must be at most 64 KiB.");
        }
        webhooks.receive(eventType, webhookId, signature, body == null ? new byte[0] : body);
        return Response.ok("{\"status\":\"received\"}").build();
    }
}
