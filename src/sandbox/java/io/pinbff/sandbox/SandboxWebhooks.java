package io.pinbff.sandbox;

import io.quarkus.arc.properties.IfBuildProperty;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Solaris' webhook sender, as the sandbox plays it: a {@code CARD_LIFECYCLE_EVENT} with the card as its
 * payload, signed {@code sha256=<hex HMAC-SHA256 of the body>} with the subscription secret, a fresh
 * {@code Solaris-Webhook-Id} per notification (the same on a retry).
 */
@ApplicationScoped
@IfBuildProperty(name = "pinbff.sandbox.enabled", stringValue = "true")
public class SandboxWebhooks {

    public record Delivery(String webhookId, int status) {}

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final URI target;
    private final String secret;

    SandboxWebhooks(@ConfigProperty(name = "sandbox.webhook-url") String target,
            @ConfigProperty(name = "solaris.webhook-secret") Optional<String> secrets) {
        this.target = URI.create(target);
        this.secret = secrets.map(s -> s.split(",")[0].trim()).orElse("");
    }

    /** Notifies the BFF that the card changed; returns the webhook ID used and the BFF's answer. */
    public Delivery cardChanged(Card card) {
        return send(SandboxCrypto.randomHex(16) + "whk", "CARD_LIFECYCLE_EVENT", card.toJson().toString());
    }

    /** Sends (or re-sends, with the same ID) one signed notification. */
    public Delivery send(String webhookId, String eventType, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        HttpRequest request = HttpRequest.newBuilder(target).timeout(Duration.ofSeconds(5))
                .header("Content-Type", "application/json")
                .header("Solaris-Webhook-Event-Type", eventType)
                .header("Solaris-Webhook-Id", webhookId)
                .header("Solaris-Webhook-Signature", "sha256=" + HexFormat.of().formatHex(hmac(bytes)))
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes)).build();
        try {
            return new Delivery(webhookId, http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode());
        } catch (java.io.IOException e) {
            return new Delivery(webhookId, -1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Delivery(webhookId, -1);
        }
    }

    private byte[] hmac(byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return mac.doFinal(body);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
