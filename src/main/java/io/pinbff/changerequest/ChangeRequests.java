package io.pinbff.changerequest;

import io.pinbff.config.PinBffConfig;
import io.pinbff.error.ApiException;
import io.pinbff.error.ErrorCode;
import io.pinbff.pin.PinAttempts;
import io.pinbff.pin.PinChangeMetrics;
import io.pinbff.pin.PinPreflight;
import io.pinbff.pin.SolarisRefusals;
import io.pinbff.solaris.SolarisAnswer;
import io.pinbff.solaris.SolarisChangeRequest;
import io.pinbff.solaris.SolarisRequests;
import io.pinbff.solaris.SolarisGateway;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Instant;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * The change-request (SCA) PIN change: create at Solaris, authorise, confirm, poll, expire. The
 * Solaris change-request ID stays in here; apps only ever see the BFF's own UUID.
 */
@ApplicationScoped
public class ChangeRequests {

    private static final Logger LOG = Logger.getLogger(ChangeRequests.class);

    /** How the app confirms: a TAN, or a device signature over string_to_sign. */
    public record Confirmation(String tan, String deviceId, String signature) {}

    private final PinPreflight preflight;
    private final PinAttempts attempts;
    private final SolarisGateway solaris;
    private final ChangeRequestStore store;
    private final Clock clock;
    private final PinBffConfig.ChangeRequests config;
    private final PinChangeMetrics metrics;
    private final SolarisRefusals refusals;

    ChangeRequests(PinPreflight preflight, PinAttempts attempts, SolarisGateway solaris, ChangeRequestStore store,
            Clock clock, PinBffConfig config, PinChangeMetrics metrics, SolarisRefusals refusals) {
        this.refusals = refusals;
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
        // Limits and single use (one round trip) while the card is checked; then the card's one open slot.
        PinAttempts.Admission admission = preflight.admit(personId, cardId, "sca", encryptedPin, keyId, null, idempotencyKey);
        ChangeRequest reserved;
        try {
            reserved = store.reserve(cardId, personId, config.ttl());
        } catch (RuntimeException e) {
            attempts.withdraw(admission);
            throw e;
        }
        SolarisAnswer<SolarisChangeRequest> answer;
        try {
            PinAttempts.Submission submission = attempts.accept(admission);
            answer = attempts.send(submission,
                    () -> solaris.scaUpdatePin(cardId, new SolarisRequests.ScaPinUpdate(encryptedPin, keyId)));
        } catch (RuntimeException e) {
            store.release(reserved.id);
            throw e;
        }
        SolarisChangeRequest created = answer.ok() ? answer.body() : null;
        String solarisId = created == null ? null : created.id();
        ChangeRequestStatus status = created == null ? null : ChangeRequestStatus.fromSolaris(created.status());
        if (!answer.ok() || solarisId == null || status == null) {
            store.release(reserved.id);
            throw answer.ok()
                    ? ApiException.retryLater(ErrorCode.UPSTREAM_UNAVAILABLE, "Solaris answered without a usable change request.", 5)
                    : refusals.ofPinWrite(answer, keyId);
        }
        return store.update(reserved.id, "create", (request, now) -> {
            request.solarisId = solarisId;
            request.authorizeUrl = created.url();
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
            SolarisAnswer<SolarisChangeRequest> answer = solaris.changeRequest(request.solarisId);
            ChangeRequestStatus status = answer.ok() ? ChangeRequestStatus.fromSolaris(answer.body().status()) : null;
            return store.update(id, "sync", (r, at) -> ChangeRequestStore.moveTo(r, status, at) ? "ok" : null);
        } catch (ApiException e) {
            // Polling stays available while Solaris is not: the stored state is still the truth we have.
            LOG.debugf("Change request %s not refreshed: %s", id, e.code().code());
            return request;
        }
    }

    private ChangeRequest doAuthorize(String personId, UUID id, String deliveryMethod, String deviceId) {
        ChangeRequest request = open(personId, id);
        SolarisAnswer<SolarisChangeRequest> answer = solaris.authorize(request.solarisId,
                new SolarisRequests.Authorize(deliveryMethod, personId, deviceId));
        if (!answer.ok()) {
            throw rejected(id, "authorize", answer);
        }
        ChangeRequestStatus status = ChangeRequestStatus.fromSolaris(answer.body().status());
        return store.update(id, "authorize", (r, now) -> {
            r.deliveryMethod = deliveryMethod;
            r.deviceId = deviceId;
            r.stringToSign = answer.body().stringToSign();
            r.syncedAt = now;
            ChangeRequestStore.moveTo(r, status == null ? ChangeRequestStatus.CONFIRMATION_REQUIRED : status, now);
            return "ok";
        });
    }

    private ChangeRequest doConfirm(String personId, UUID id, Confirmation confirmation) {
        ChangeRequest request = open(personId, id);
        int max = config.maxConfirmAttempts();
        int attempt = store.claimConfirmAttempt(id, max).orElseThrow(() -> noTryLeft(personId, id));
        SolarisRequests.Confirm body = confirmation.tan() != null
                ? SolarisRequests.Confirm.withTan(personId, confirmation.tan())
                : SolarisRequests.Confirm.withSignature(confirmation.deviceId(), confirmation.signature());
        SolarisAnswer<SolarisChangeRequest> answer;
        try {
            answer = solaris.confirm(request.solarisId, body);
        } catch (ApiException e) {
            if (e.code() == ErrorCode.UPSTREAM_UNAVAILABLE) {
                store.releaseConfirmAttempt(id); // never reached Solaris, or Solaris failed before acting
            }
            throw e;
        }
        if (answer.ok()) {
            return confirmed(id, answer.body());
        }
        if (!SolarisRefusals.wrongConfirmation(answer.errorCode())) {
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
    private ChangeRequest confirmed(UUID id, SolarisChangeRequest answer) {
        int updateStatus = answer.responseCode();
        if (updateStatus >= 400) {
            String code = answer.responseBody() == null ? null : answer.responseBody().code();
            store.update(id, "confirm", (r, now) -> {
                r.syncedAt = now;
                ChangeRequestStore.settle(r, ChangeRequestStatus.FAILED, now);
                return "pin_update_refused:" + (code == null ? updateStatus : code);
            });
            throw SolarisRefusals.rejected("PIN update of the change request", code);
        }
        ChangeRequestStatus status = ChangeRequestStatus.fromSolaris(answer.status());
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

    private ApiException rejected(UUID id, String action, SolarisAnswer<?> answer) {
        String code = answer.errorCode();
        store.update(id, action, (r, now) -> "rejected:" + (code == null ? answer.status() : code));
        return SolarisRefusals.rejected(action, code);
    }
}
