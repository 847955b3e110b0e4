package io.pinbff.changerequest;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.pinbff.config.PinBffConfig;
import io.pinbff.error.ApiException;
import io.pinbff.error.ErrorCode;
import io.pinbff.pin.PinAttempts;
import io.pinbff.pin.PinChangeMetrics;
import io.pinbff.pin.PinPreflight;
import io.pinbff.solaris.SolarisAnswer;
import io.pinbff.solaris.SolarisGateway;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * The change-request (SCA) PIN change: create at Solaris, authorise, confirm, poll, expire. The
 * Solaris change-request ID stays in here; apps only ever see the BFF's own UUID.
 */
@ApplicationScoped
public class ChangeRequests {

    private static final Logger LOG = Logger.getLogger(ChangeRequests.class);
    private static final Set<String> CONFIRMATION_FAILURES = Set.of("invalid_tan", "invalid_signature");

    /** How the app confirms: a TAN, or a device signature over string_to_sign. */
    public record Confirmation(String tan, String deviceId, String signature) {}

    private final PinPreflight preflight;
    private final PinAttempts attempts;
    private final SolarisGateway solaris;
    private final ChangeRequestStore store;
    private final Clock clock;
    private final PinBffConfig.ChangeRequests config;
    private final PinChangeMetrics metrics;
    private final ObjectMapper json;

    ChangeRequests(PinPreflight preflight, PinAttempts attempts, SolarisGateway solaris, ChangeRequestStore store,
            Clock clock, PinBffConfig config, PinChangeMetrics metrics, ObjectMapper json) {
        this.json = json;
        this.metrics = metrics;
        this.preflight = preflight;
        this.attempts = attempts;
        this.solaris = solaris;
        this.store = store;
        this.clock = clock;
        this.config = config.changeRequests();
    }

    /** @param idempotencyKey the request's {@code Idempotency-Key}, or null */
    public ChangeRequest create(String personId, String cardId, String encryptedPin, String keyId, String idempotencyKey) {
        return metrics.count("sca_create", ChangeRequests::outcome,
                () -> doCreate(personId, cardId, encryptedPin, keyId, idempotencyKey));
    }

    public ChangeRequest authorize(String personId, UUID id, String deliveryMethod, String deviceId) {
        return metrics.count("sca_authorize", ChangeRequests::outcome, () -> doAuthorize(personId, id, deliveryMethod, deviceId));
    }

    public ChangeRequest confirm(String personId, UUID id, Confirmation confirmation) {
        return metrics.count("sca_confirm", ChangeRequests::outcome, () -> doConfirm(personId, id, confirmation));
    }

    private static String outcome(ChangeRequest request) {
        return request.status.name().toLowerCase(java.util.Locale.ROOT);
    }

    private ChangeRequest doCreate(String personId, String cardId, String encryptedPin, String keyId, String idempotencyKey) {
        preflight.check(personId, cardId, encryptedPin, keyId, null);
        ChangeRequest reserved = store.reserve(cardId, personId, config.ttl());
        SolarisAnswer answer;
        try {
            PinAttempts.Submission submission = attempts.record(personId, cardId, "sca", encryptedPin, keyId, idempotencyKey);
            answer = attempts.send(submission,
                    () -> solaris.scaUpdatePin(cardId, Map.of("encrypted_pin", encryptedPin, "key_id", keyId)));
        } catch (RuntimeException e) {
            store.release(reserved.id);
            throw e;
        }
        String solarisId = answer.text("id");
        ChangeRequestStatus status = ChangeRequestStatus.fromSolaris(answer.text("status"));
        if (!answer.ok() || solarisId == null || status == null) {
            store.release(reserved.id);
            throw answer.ok()
                    ? ApiException.retryLater(ErrorCode.UPSTREAM_UNAVAILABLE, "Solaris answered without a usable change request.", 5)
                    : preflight.rejection(answer, keyId);
        }
        return store.update(reserved.id, "create", (request, now) -> {
            request.solarisId = solarisId;
            request.authorizeUrl = answer.text("url");
            request.syncedAt = now;
            ChangeRequestStore.moveTo(request, status, now);
            return "ok";
        });
    }

    /** The request as it stands; refreshed from Solaris first when open and not synced for a while. */
    public ChangeRequest get(String personId, UUID id) {
        return refreshIfStale(owned(personId, id), Instant.now(clock).minus(config.syncAfter()));
    }

    /**
     * The same for status polling, where it is read from this instance's copy of the row while the
     * event bus has announced no change of it (ChangeRequestStore.findPolled): a poll of an unchanged
     * request costs no PostgreSQL round trip. Syncs with Solaris and expiry work as for {@link #get}.
     */
    public ChangeRequest poll(String personId, UUID id) {
        ChangeRequest request = store.findPolled(id, personId).orElseThrow(() -> ApiException.of(
                ErrorCode.CHANGE_REQUEST_NOT_FOUND, "No such change request."));
        return refreshIfStale(request, Instant.now(clock).minus(config.syncAfter()));
    }

    /**
     * Solaris said something happened to the card (a webhook): its open change request, if any, is
     * refreshed from Solaris now rather than at the next poll.
     */
    @jakarta.enterprise.context.control.ActivateRequestContext
    public void refreshOpenRequestOf(String cardId) {
        store.openFor(cardId).flatMap(store::find).ifPresent(request -> refreshIfStale(request, Instant.now(clock)));
    }

    /**
     * For an open event stream: the request refreshed from Solaris when its last sync (by any instance)
     * is older than {@code sync-after}, as a poll would; null when it no longer exists.
     */
    @jakarta.enterprise.context.control.ActivateRequestContext
    public ChangeRequest current(UUID id) {
        return store.find(id).map(r -> refreshIfStale(r, Instant.now(clock).minus(config.syncAfter()))).orElse(null);
    }

    /** Expires the request when due; refreshes it from Solaris when open and last synced before {@code staleBefore}. */
    private ChangeRequest refreshIfStale(ChangeRequest request, Instant staleBefore) {
        UUID id = request.id;
        if (request.status.open() && request.statusAt(Instant.now(clock)) == ChangeRequestStatus.EXPIRED) {
            return store.update(id, "expire", (r, at) -> null); // the store writes the expiry and its audit row
        }
        if (!request.status.open() || request.solarisId == null || !request.syncedAt.isBefore(staleBefore)
                || !store.claimSync(id, staleBefore)) {
            return request;
        }
        try {
            SolarisAnswer answer = solaris.changeRequest(request.solarisId);
            ChangeRequestStatus status = answer.ok() ? ChangeRequestStatus.fromSolaris(answer.text("status")) : null;
            return store.update(id, "sync", (r, at) -> ChangeRequestStore.moveTo(r, status, at) ? "ok" : null);
        } catch (ApiException e) {
            // Polling stays available while Solaris is not: the stored state is still the truth we have.
            LOG.debugf("Change request %s not refreshed: %s", id, e.code().code());
            return request;
        }
    }

    private ChangeRequest doAuthorize(String personId, UUID id, String deliveryMethod, String deviceId) {
        ChangeRequest request = open(personId, id);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("delivery_method", deliveryMethod);
        body.put("person_id", personId);
        if (deviceId != null) {
            body.put("device_id", deviceId);
        }
        SolarisAnswer answer = solaris.authorize(request.solarisId, body);
        if (!answer.ok()) {
            throw rejected(id, "authorize", answer);
        }
        ChangeRequestStatus status = ChangeRequestStatus.fromSolaris(answer.text("status"));
        return store.update(id, "authorize", (r, now) -> {
            r.deliveryMethod = deliveryMethod;
            r.deviceId = deviceId;
            r.stringToSign = answer.text("string_to_sign");
            r.syncedAt = now;
            ChangeRequestStore.moveTo(r, status == null ? ChangeRequestStatus.CONFIRMATION_REQUIRED : status, now);
            return "ok";
        });
    }

    private ChangeRequest doConfirm(String personId, UUID id, Confirmation confirmation) {
        ChangeRequest request = open(personId, id);
        int max = config.maxConfirmAttempts();
        int attempt = store.claimConfirmAttempt(id, max).orElseThrow(() -> noTryLeft(personId, id));
        Map<String, Object> body = new LinkedHashMap<>();
        if (confirmation.tan() != null) {
            body.put("person_id", personId);
            body.put("tan", confirmation.tan());
        } else {
            body.put("device_id", confirmation.deviceId());
            body.put("signature", confirmation.signature());
        }
        SolarisAnswer answer;
        try {
            answer = solaris.confirm(request.solarisId, body);
        } catch (ApiException e) {
            if (e.code() == ErrorCode.UPSTREAM_UNAVAILABLE) {
                store.releaseConfirmAttempt(id); // never reached Solaris, or Solaris failed before acting
            }
            throw e;
        }
        if (answer.ok()) {
            return confirmed(id, answer);
        }
        if (!CONFIRMATION_FAILURES.contains(answer.errorCode())) {
            store.releaseConfirmAttempt(id); // refused for another reason: not a wrong TAN or signature
            throw rejected(id, "confirm", answer);
        }
        store.update(id, "confirm", (r, now) -> {
            if (attempt >= max) {
                ChangeRequestStore.moveTo(r, ChangeRequestStatus.FAILED, now);
            }
            return "confirmation_failed";
        });
        int remaining = Math.max(0, max - attempt);
        throw ApiException.of(ErrorCode.CONFIRMATION_FAILED, remaining == 0
                ? "Wrong TAN or signature; no tries are left and the change request has failed."
                : "Wrong TAN or signature; " + remaining + " of " + max + " tries left.")
                .with("attempts_remaining", remaining);
    }

    /**
     * Solaris accepted the confirm. Its answer also carries the outcome of the PIN update it ran
     * ({@code response_code}, {@code response_body}): at 400 or above the PIN did not change, so the
     * request is FAILED and the app hears 422 {@code pin_change_rejected}, never COMPLETED.
     */
    private ChangeRequest confirmed(UUID id, SolarisAnswer answer) {
        int updateStatus = answer.body().path("response_code").asInt(0);
        if (updateStatus >= 400) {
            String code = SolarisAnswer.errorCode(answer.body().path("response_body"), json);
            store.update(id, "confirm", (r, now) -> {
                r.syncedAt = now;
                ChangeRequestStore.settle(r, ChangeRequestStatus.FAILED, now);
                return "pin_update_refused:" + (code == null ? updateStatus : code);
            });
            ApiException e = ApiException.of(ErrorCode.PIN_CHANGE_REJECTED,
                    "Solaris refused the PIN update of the change request" + (code == null ? "." : " (" + code + ")."));
            throw code == null ? e : e.with("upstream_code", code);
        }
        ChangeRequestStatus status = ChangeRequestStatus.fromSolaris(answer.text("status"));
        return store.update(id, "confirm", (r, now) -> {
            r.syncedAt = now;
            ChangeRequestStore.settle(r, status == null ? ChangeRequestStatus.COMPLETED : status, now);
            return "ok";
        });
    }

    /** Every try is taken: by confirms still in flight (answer: retry shortly), or the request is closed. */
    private ApiException noTryLeft(String personId, UUID id) {
        ChangeRequest now = owned(personId, id);
        if (!now.statusAt(Instant.now(clock)).open()) {
            return ApiException.of(ErrorCode.CHANGE_REQUEST_CLOSED, "The change request is " + now.statusAt(Instant.now(clock)) + ".");
        }
        return ApiException.retryLater(ErrorCode.REQUEST_IN_PROGRESS,
                "Other confirmations of this change request are still being processed.", 1);
    }

    @Scheduled(every = "${pinbff.change-requests.sweep-every:30s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void sweepExpired() {
        int batch = 200;
        int total = 0;
        int swept;
        do {
            swept = store.expireDue(batch);
            total += swept;
        } while (swept == batch);
        if (total > 0) {
            LOG.infof("Expired %d change requests", total);
        }
    }

    private ChangeRequest owned(String personId, UUID id) {
        return store.find(id, personId).orElseThrow(() -> ApiException.of(ErrorCode.CHANGE_REQUEST_NOT_FOUND,
                "No such change request."));
    }

    private ChangeRequest open(String personId, UUID id) {
        ChangeRequest request = get(personId, id);
        if (!request.statusAt(Instant.now(clock)).open()) {
            throw ApiException.of(ErrorCode.CHANGE_REQUEST_CLOSED,
                    "The change request is " + request.statusAt(Instant.now(clock)) + ".");
        }
        if (request.solarisId == null) {
            throw ApiException.retryLater(ErrorCode.UPSTREAM_UNAVAILABLE, "The change request is still being created.", 1);
        }
        return request;
    }

    private ApiException rejected(UUID id, String action, SolarisAnswer answer) {
        String code = answer.errorCode();
        store.update(id, action, (r, now) -> "rejected:" + (code == null ? answer.status() : code));
        ApiException e = ApiException.of(ErrorCode.PIN_CHANGE_REJECTED,
                "Solaris refused the " + action + (code == null ? "." : " (" + code + ")."));
        return code == null ? e : e.with("upstream_code", code);
    }
}
