package io.pinbff.sandbox;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** A sandbox card as Solaris describes it ({@code GET /v1/cards/{id}}). Immutable: status changes replace it. */
public record Card(String id, String personId, String accountId, String status, String type,
        String line1, String maskedPan) {

    public static final String TYPE = "VIRTUAL_VISA_DEBIT";

    public Card withStatus(String newStatus) {
        return new Card(id, personId, accountId, newStatus, type, line1, maskedPan);
    }

    /** Solaris' wire shape, with explicit snake_case names (the global mapper's naming is irrelevant here). */
    public ObjectNode toJson() {
        ObjectNode card = JsonNodeFactory.instance.objectNode()
                .put("id", id)
                .put("person_id", personId)
                .put("account_id", accountId)
                .put("status", status)
                .put("type", type);
        card.putObject("representation").put("line_1", line1).put("masked_pan", maskedPan);
        return card;
    }
}
