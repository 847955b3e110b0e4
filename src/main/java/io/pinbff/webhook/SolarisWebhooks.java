package io.pinbff.webhook;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.agroal.api.AgroalDataSource;
import io.pinbff.changerequest.ChangeRequests;
import io.pinbff.crypto.HmacSha256;
import io.pinbff.error.ApiException;
import io.pinbff.error.ErrorCode;
import io.pinbff.pin.CardAccess;
import io.pinbff.solaris.SolarisCardNotification;
import io.pinbff.solaris.SolarisJson;
import io.pinbff.sql.Sql;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Solaris webhook notifications. Each is checked against {@code Solaris-Webhook-Signature: sha256=<hex
 * HMAC-SHA256 of the raw body>} with any of the configured secrets (comma-separated during a rotation),
 * in constant time; recorded by {@code Solaris-Webhook-Id} so a retry is processed once on whichever
 * instance gets it (IDs are kept for Solaris' 5-day retry window, then purged by
 * {@link io.pinbff.ops.Retention}); and acted on without trusting its content: webhooks are hints. For a
 * {@code CARD_LIFECYCLE_EVENT} the card is dropped from every instance's card cache (so the next PIN
 * change reads it from Solaris) and its open change request is refreshed from Solaris.
 */
@ApplicationScoped
public class SolarisWebhooks {

    public static final String CARD_LIFECYCLE_EVENT = "CARD_LIFECYCLE_EVENT";
    public static final String SUBSCRIPTION_CHECK = "WEBHOOK-SUBSCRIPTION";
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_.:-]{1,100}");
    private static final Pattern CARD_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    private final List<byte[]> secrets;
    private final AgroalDataSource db;
    private final Clock clock;
    private final SolarisJson json;
    private final CardAccess cards;
    private final ChangeRequests changeRequests;

    SolarisWebhooks(@ConfigProperty(name = "solaris.webhook-secret") Optional<String> secrets, AgroalDataSource db,
            Clock clock, ObjectMapper json, CardAccess cards, ChangeRequests changeRequests) {
        this.secrets = secrets.map(s -> Arrays.stream(s.split(",")).map(String::trim).filter(x -> !x.isEmpty())
                .map(x -> x.getBytes(StandardCharsets.UTF_8)).toList()).orElse(List.of());
        this.db = db;
        this.clock = clock;
        this.json = new SolarisJson(json);
        this.cards = cards;
        this.changeRequests = changeRequests;
    }

    /** Without a configured secret the endpoint does not exist. */
    public boolean enabled() {
        return !secrets.isEmpty();
    }

    /** Verifies, records and acts on one notification; throws the problem to answer when it is refused. */
    public void receive(String eventType, String webhookId, String signature, byte[] body) {
        if (SUBSCRIPTION_CHECK.equals(eventType)) {
            return; // Solaris checking the subscription: nothing to do
        }
        if (!signedWithAnySecret(signature, body)) {
            throw ApiException.of(ErrorCode.INVALID_WEBHOOK_SIGNATURE,
                    "The notification's Solaris-Webhook-Signature does not match.");
        }
        if (webhookId == null || !ID.matcher(webhookId).matches()) {
            throw ApiException.invalid(ErrorCode.INVALID_REQUEST, "Solaris-Webhook-Id",
                    "Solaris-Webhook-Id must be 1 to 100 characters of [A-Za-z0-9_.:-].");
        }
        if (eventType == null || eventType.length() > 64) {
            throw ApiException.invalid(ErrorCode.INVALID_REQUEST, "Solaris-Webhook-Event-Type",
                    "Solaris-Webhook-Event-Type is required.");
        }
        SolarisCardNotification payload = json.readObject(body, SolarisCardNotification.class).orElseThrow(
                () -> ApiException.of(ErrorCode.INVALID_REQUEST, "The notification body is not a JSON object."));
        if (!firstDelivery(webhookId, eventType)) {
            return; // a retry of a notification already processed (here or on another instance)
        }
        if (CARD_LIFECYCLE_EVENT.equals(eventType)) {
            String cardId = payload.id();
            if (cardId != null && CARD_ID.matcher(cardId).matches()) {
                cards.forget(cardId);
                // Answer within the second Solaris expects; the Solaris round trip happens after.
                Thread.ofVirtual().name("webhook-card-refresh").start(() -> changeRequests.refreshOpenRequestOf(cardId));
            }
        }
    }

    private boolean signedWithAnySecret(String header, byte[] body) {
        if (header == null || !header.startsWith("sha256=") || header.length() != 7 + 64) {
            return false;
        }
        byte[] given;
        try {
            given = HexFormat.of().parseHex(header.substring(7));
        } catch (IllegalArgumentException e) {
            return false;
        }
        boolean match = false;
        for (byte[] secret : secrets) {
            match |= MessageDigest.isEqual(hmac(secret, body), given); // every secret checked: no early exit
        }
        return match;
    }

    static byte[] hmac(byte[] secret, byte[] body) {
        return HmacSha256.of(secret, body);
    }

    private boolean firstDelivery(String webhookId, String eventType) {
        return Sql.autoCommit(db, c -> Sql.update(c,
                "insert into webhook_event (id, event_type, received_at) values (?, ?, ?) on conflict do nothing",
                webhookId, eventType, Instant.now(clock))) == 1;
    }
}
