package io.pinbff.sandbox;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Set;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A Solaris change request holding a pending PIN (as its hash only). Mutable; every read and write
 * is synchronized on the instance, and callers that check-then-act lock it too.
 */
public final class ChangeRequest {

    public static final Set<String> STATUSES = Set.of("ACCEPTED", "AUTHORIZATION_REQUIRED",
            "CONFIRMATION_REQUIRED", "COMPLETED", "FAILED");

    /** Solaris' example timestamps carry "+00:00", not "Z": imitate it so the BFF parses both. */
    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ssxxx")
            .withZone(ZoneOffset.UTC);

    private final String id;
    private final String cardId;
    private final String personId;
    private final String pinHash;
    private String status;
    private Instant updatedAt;
    private String deliveryMethod;
    private String deviceId;
    private String stringToSign;
    private int wrongTries;

    ChangeRequest(String id, String cardId, String personId, String pinHash, String status) {
        this.id = id;
        this.cardId = cardId;
        this.personId = personId;
        this.pinHash = pinHash;
        this.status = status;
        this.updatedAt = Instant.now();
    }

    public String id() {
        return id;
    }

    public String cardId() {
        return cardId;
    }

    public String personId() {
        return personId;
    }

    String pinHash() {
        return pinHash;
    }

    public synchronized String status() {
        return status;
    }

    public synchronized Instant updatedAt() {
        return updatedAt;
    }

    public synchronized String deliveryMethod() {
        return deliveryMethod;
    }

    public synchronized String deviceId() {
        return deviceId;
    }

    public synchronized String stringToSign() {
        return stringToSign;
    }

    public synchronized int wrongTries() {
        return wrongTries;
    }

    public String url() {
        return "https://sandbox.solaris.local/change_requests/" + id + "/authorize";
    }

    synchronized void status(String newStatus) {
        if (!STATUSES.contains(newStatus)) {
            throw new IllegalArgumentException("unknown change request status " + newStatus);
        }
        status = newStatus;
        updatedAt = Instant.now();
    }

    synchronized void authorized(String method, String device, String toSign) {
        deliveryMethod = method;
        deviceId = device;
        stringToSign = toSign;
        status("CONFIRMATION_REQUIRED");
    }

    /** Counts a wrong TAN/signature; the third one fails the request. Returns true when it did. */
    synchronized boolean wrongTry() {
        wrongTries++;
        if (wrongTries >= 3) {
            status("FAILED");
            return true;
        }
        updatedAt = Instant.now();
        return false;
    }

    public synchronized ObjectNode toJson() {
        return JsonNodeFactory.instance.objectNode()
                .put("id", id)
                .put("status", status)
                .put("updated_at", timestamp(updatedAt));
    }

    static String timestamp(Instant instant) {
        return TIMESTAMP.format(instant.truncatedTo(ChronoUnit.SECONDS));
    }
}
