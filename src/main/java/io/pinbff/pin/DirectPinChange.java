package io.pinbff.pin;

import io.pinbff.solaris.SolarisAnswer;
import io.pinbff.solaris.SolarisGateway;
import io.pinbff.solaris.SolarisRequests;
import jakarta.enterprise.context.ApplicationScoped;

/** The direct, device-signed PIN change: Solaris {@code POST /v1/cards/{id}/pin_update_requests}. */
@ApplicationScoped
public class DirectPinChange {

    /** @param idempotencyKey the request's {@code Idempotency-Key}, or null */
    public record Request(String deviceId, String encryptedPin, String keyId, String signature, String deviceData,
            String idempotencyKey) {}

    private final PinPreflight preflight;
    private final PinAttempts attempts;
    private final SolarisGateway solaris;
    private final PinChangeMetrics metrics;
    private final SolarisRefusals refusals;

    DirectPinChange(PinPreflight preflight, PinAttempts attempts, SolarisGateway solaris, PinChangeMetrics metrics,
            SolarisRefusals refusals) {
        this.refusals = refusals;
        this.preflight = preflight;
        this.attempts = attempts;
        this.solaris = solaris;
        this.metrics = metrics;
    }

    public void change(String personId, String cardId, Request request) {
        metrics.count("direct", done -> "success", () -> {
            send(personId, cardId, request);
            return Boolean.TRUE;
        });
    }

    private void send(String personId, String cardId, Request request) {
        PinAttempts.Submission submission = attempts.accept(preflight.admit(personId, cardId, "direct",
                request.encryptedPin(), request.keyId(), request.signature(), request.idempotencyKey()));
        SolarisRequests.PinUpdate body = new SolarisRequests.PinUpdate(request.deviceId(), request.encryptedPin(),
                request.keyId(), request.signature(), request.deviceData());
        SolarisAnswer<Void> answer = attempts.send(submission, () -> solaris.updatePin(cardId, body));
        if (!answer.ok()) {
            throw refusals.ofPinWrite(answer, request.keyId());
        }
    }
}
