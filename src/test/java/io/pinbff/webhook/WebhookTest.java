package io.pinbff.webhook;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.pinbff.sandbox.SandboxWebhooks;
import io.pinbff.support.AppSide;
import io.pinbff.support.PinBffTest;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Solaris webhooks ({@code POST /v1/webhooks/solaris} in openapi/pin-bff.yaml), sent by the sandbox with real HMAC signatures. */
@QuarkusTest
class WebhookTest extends PinBffTest {

    @Inject
    SandboxWebhooks webhooks;

    @Test
    void blockedCardAnswersCardNotActiveAtOnceDespiteTheCardCache() {
        Customer c = newCustomer();
        // The card is read from Solaris and cached (production TTL 60 s).
        as(c.person()).contentType("application/json").body(directBody("2580", c.device()))
                .post("/v1/cards/{id}/pin", c.card()).then().statusCode(204);
        long lookups = sandbox.count("GET", "/v1/cards/" + c.card());
        sandbox.setCardStatus(c.card(), "BLOCKED");
        assertThat(webhooks.cardChanged(sandbox.card(c.card()).orElseThrow()).status()).isEqualTo(200);
        long writes = upstreamPinWrites();
        as(c.person()).contentType("application/json").body(directBody("2581", c.device()))
                .post("/v1/cards/{id}/pin", c.card()).then().statusCode(409).body("code", equalTo("card_not_active"));
        assertThat(sandbox.count("GET", "/v1/cards/" + c.card())).isEqualTo(lookups + 1);
        assertThat(upstreamPinWrites()).isEqualTo(writes);
    }

    @Test
    void withoutAWebhookTheCardCacheIsUsed() {
        Customer c = newCustomer();
        as(c.person()).contentType("application/json").body(directBody("2580", c.device()))
                .post("/v1/cards/{id}/pin", c.card()).then().statusCode(204);
        long lookups = sandbox.count("GET", "/v1/cards/" + c.card());
        as(c.person()).contentType("application/json").body(directBody("2581", c.device()))
                .post("/v1/cards/{id}/pin", c.card()).then().statusCode(204);
        assertThat(sandbox.count("GET", "/v1/cards/" + c.card())).isEqualTo(lookups);
    }

    @Test
    void retriedNotificationIsProcessedOnce() {
        Customer c = newCustomer();
        String body = sandbox.card(c.card()).orElseThrow().toJson().toString();
        SandboxWebhooks.Delivery first = webhooks.send("retry-test-" + c.card(), "CARD_LIFECYCLE_EVENT", body);
        assertThat(first.status()).isEqualTo(200);
        assertThat(webhooks.send(first.webhookId(), "CARD_LIFECYCLE_EVENT", body).status()).isEqualTo(200);
        assertThat(db.rows("select count(*) as n from webhook_event where id = ?", first.webhookId()).get(0).get("n"))
                .isEqualTo(1L);
    }

    @Test
    void wrongOrMissingSignatureIsRefusedAndNothingHappens() {
        Customer c = newCustomer();
        String body = sandbox.card(c.card()).orElseThrow().toJson().toString();
        for (String signature : new String[] { null, "sha256=" + "0".repeat(64), "md5=abc",
                "sha256=" + hex(SolarisWebhooks.hmac("another-secret".getBytes(StandardCharsets.UTF_8),
                        body.getBytes(StandardCharsets.UTF_8))) }) {
            var request = given().contentType("application/json").header("Solaris-Webhook-Event-Type", "CARD_LIFECYCLE_EVENT")
                    .header("Solaris-Webhook-Id", "bad-" + System.nanoTime()).body(body);
            if (signature != null) {
                request = request.header("Solaris-Webhook-Signature", signature);
            }
            request.post("/v1/webhooks/solaris").then().statusCode(401).contentType("application/problem+json")
                    .body("code", equalTo("invalid_webhook_signature"));
        }
        assertThat(db.rows("select count(*) as n from webhook_event where id like 'bad-%'").get(0).get("n")).isEqualTo(0L);
    }

    @Test
    void subscriptionCheckMalformedAndOversizedBodies() {
        given().header("Solaris-Webhook-Event-Type", "WEBHOOK-SUBSCRIPTION").post("/v1/webhooks/solaris")
                .then().statusCode(200);
        String malformed = "{\"id\":";
        given().contentType("application/json").header("Solaris-Webhook-Event-Type", "CARD_LIFECYCLE_EVENT")
                .header("Solaris-Webhook-Id", "malformed-" + System.nanoTime())
                .header("Solaris-Webhook-Signature", "sha256=" + hex(SolarisWebhooks.hmac(
                        "sandbox-webhook-secret".getBytes(StandardCharsets.UTF_8), malformed.getBytes(StandardCharsets.UTF_8))))
                .body(malformed).post("/v1/webhooks/solaris").then().statusCode(400).body("code", equalTo("invalid_request"));
        given().contentType("application/json").header("Solaris-Webhook-Event-Type", "CARD_LIFECYCLE_EVENT")
                .body("{\"x\":\"" + "a".repeat(70_000) + "\"}").post("/v1/webhooks/solaris")
                .then().statusCode(413).contentType("application/problem+json");
    }

    @Test
    void cardWebhookRefreshesTheCardsOpenChangeRequest() {
        String card = sandbox.createCard(PERSON, "ACTIVE").id();
        String jwe = AppSide.encryptPin("7391", sandbox.currentKid(), sandbox.currentPublicKey());
        String id = asDemo().body(Map.of("encrypted_pin", jwe, "key_id", sandbox.currentKid()))
                .post("/v1/cards/{id}/pin-change-requests", card).then().statusCode(202).extract().path("id");
        sandbox.completeOutOfBand(sandbox.lastChangeRequestId());
        long syncs = sandbox.count("GET", "/v1/change_requests/.*");
        webhooks.cardChanged(sandbox.card(card).orElseThrow());
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5))
                .until(() -> "COMPLETED".equals(db.rows("select status from change_request where id = ?::uuid", id)
                        .get(0).get("status")));
        assertThat(sandbox.count("GET", "/v1/change_requests/.*")).isEqualTo(syncs + 1);
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
