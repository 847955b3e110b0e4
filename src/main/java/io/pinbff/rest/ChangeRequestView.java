package io.pinbff.rest;

import io.pinbff.changerequest.ChangeRequest;
import io.pinbff.crypto.Sha256;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** A change request as the app sees it (openapi/pin-bff.yaml, schema of getPinChangeRequest). The Solaris ID is never part of it. */
@RegisterForReflection
public record ChangeRequestView(String id, String cardId, String status, Instant createdAt, Instant updatedAt,
        Instant expiresAt, String authorizeUrl, String stringToSign) {

    static ChangeRequestView of(ChangeRequest request, Instant now) {
        return new ChangeRequestView(request.id.toString(), request.cardId, request.statusAt(now).name(),
                millis(request.createdAt), millis(request.updatedAt), millis(request.expiresAt),
                request.authorizeUrl, request.stringToSign);
    }

    /** Changes exactly when the representation does. */
    String etag() {
        String basis = String.join("|", id, status, String.valueOf(updatedAt), String.valueOf(authorizeUrl),
                String.valueOf(stringToSign));
        return Sha256.etag(basis);
    }

    private static Instant millis(Instant instant) {
        return instant.truncatedTo(ChronoUnit.MILLIS);
    }
}
