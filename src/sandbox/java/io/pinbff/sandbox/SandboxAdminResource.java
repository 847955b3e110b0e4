package io.pinbff.sandbox;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.arc.properties.IfBuildProperty;
import jakarta.inject.Inject;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * Set-up for a standalone sandbox (benchmarks, manual trials): new customers, each a person with an
 * ACTIVE card and the demo device's key bound to them, so load can be spread over many cards.
 */
@Path("/sandbox/admin")
@IfBuildProperty(name = "pinbff.sandbox.enabled", stringValue = "true")
public class SandboxAdminResource {

    @Inject
    SolarisSandbox sandbox;

    @Inject
    SandboxWebhooks webhooks;

    /**
     * {@code POST /sandbox/admin/cards/{id}/status?status=BLOCKED}: changes the card's status at "Solaris"
     * and sends the signed CARD_LIFECYCLE_EVENT webhook to the BFF → {"webhook_id", "delivered_status"}.
     */
    @POST
    @Path("/cards/{id}/status")
    public Response cardStatus(@jakarta.ws.rs.PathParam("id") String cardId, @QueryParam("status") String status) {
        if (status == null || !status.matches("[A-Z_]{1,32}") || sandbox.card(cardId).isEmpty()) {
            return Response.status(400).entity("{\"error\":\"unknown card or status\"}").type(MediaType.APPLICATION_JSON).build();
        }
        sandbox.setCardStatus(cardId, status);
        SandboxWebhooks.Delivery delivery = webhooks.cardChanged(sandbox.card(cardId).orElseThrow());
        ObjectNode answer = JsonNodeFactory.instance.objectNode().put("webhook_id", delivery.webhookId())
                .put("delivered_status", delivery.status());
        return Response.ok(answer.toString(), MediaType.APPLICATION_JSON_TYPE).build();
    }

    /** {@code POST /sandbox/admin/customers?count=N} → {"customers":[{person_id, card_id, device_id}, …]} (N ≤ 5000). */
    @POST
    @Path("/customers")
    public Response customers(@QueryParam("count") Integer count) {
        int n = count == null ? 1 : count;
        if (n < 1 || n > 5000) {
            return Response.status(400).entity("{\"error\":\"count must be 1 to 5000\"}").type(MediaType.APPLICATION_JSON).build();
        }
        var demoKey = sandbox.device(SolarisSandbox.DEMO_DEVICE_ID).orElseThrow().publicKey();
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        var list = root.putArray("customers");
        for (int i = 0; i < n; i++) {
            String person = sandbox.newPersonId();
            String card = sandbox.createCard(person, "ACTIVE").id();
            String device = sandbox.registerDevice(person, demoKey);
            list.addObject().put("person_id", person).put("card_id", card).put("device_id", device);
        }
        return Response.ok(root.toString(), MediaType.APPLICATION_JSON_TYPE).build();
    }
}
