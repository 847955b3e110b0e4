package io.pinbff.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.agroal.api.AgroalDataSource;
import io.pinbff.sandbox.SolarisSandbox;
import io.pinbff.support.AppSide;
import io.pinbff.support.PinBffTest;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The card lookup and the PostgreSQL bookkeeping of a PIN submission (limits, single use: one round
 * trip) run side by side; the card check still decides first, and what it refuses leaves nothing behind.
 */
@QuarkusTest
class CardCheckAlongsideTest extends PinBffTest {

    @Test
    void theSubmissionIsRecordedWhileSolarisIsStillLookingUpTheCard() {
        Customer c = newCustomer(); // a card the BFF has not cached: it asks Solaris
        sandbox.faults().delayNext(1, Duration.ofSeconds(2), ".*/cards/" + c.card());
        Map<String, Object> body = directBody("2580", c.device());
        CompletableFuture<Response> change = CompletableFuture.supplyAsync(
                () -> as(c.person()).contentType("application/json").body(body).post("/v1/cards/{id}/pin", c.card()));

        Awaitility.await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(20))
                .until(() -> submissionsOf(c.card()) == 1);
        assertThat(change).as("the card lookup is still held up at Solaris").isNotDone();
        assertThat(sandbox.pinChanges(c.card())).isZero();

        assertThat(change.join().statusCode()).isEqualTo(204);
        assertThat(sandbox.pinIs(c.card(), "2580")).isTrue();
        assertThat(submissionsOf(c.card())).isEqualTo(1);
    }

    @Test
    void aCardThatIsNotTheCallersLeavesNoSubmissionAndTheSameJweStillWorksOnTheOwnCard() {
        Customer c = newCustomer();
        Map<String, Object> body = directBody("2580", c.device());
        as(c.person()).contentType("application/json").body(body).post("/v1/cards/{id}/pin", SolarisSandbox.OTHER_CARD_ID)
                .then().statusCode(404).body("code", equalTo("card_not_found"));
        as(c.person()).contentType("application/json").body(body).post("/v1/cards/{id}/pin", SolarisSandbox.BLOCKED_CARD_ID)
                .then().statusCode(404).body("code", equalTo("card_not_found"));

        assertThat(submissionsOf(SolarisSandbox.OTHER_CARD_ID)).isZero();
        assertThat(db.rows("select 1 from pin_submission where person_id = ?", c.person())).isEmpty();
        // Neither counted nor spent: the same encrypted PIN is accepted for the caller's own card.
        as(c.person()).contentType("application/json").body(body).post("/v1/cards/{id}/pin", c.card()).then().statusCode(204);
        assertThat(submissionsOf(c.card())).isEqualTo(1);
    }

    @Test
    void aBlockedCardOfTheCallerLeavesNoSubmission() {
        Customer c = newCustomer();
        String blocked = sandbox.createCard(c.person(), "BLOCKED").id();
        as(c.person()).contentType("application/json").body(directBody("2580", c.device()))
                .post("/v1/cards/{id}/pin", blocked).then().statusCode(409).body("code", equalTo("card_not_active"));
        assertThat(submissionsOf(blocked)).isZero();
        assertThat(upstreamPinWrites()).isZero();
    }

    @Test
    void theCardsRefusalComesBeforeTheLimitsAsWhenTheyRanOneAfterTheOther() {
        Customer c = newCustomer();
        for (int i = 0; i < 10; i++) { // the per-user limit (10 per hour) reached on other cards
            db.execute("insert into pin_submission (fingerprint, person_id, card_id, flow, submitted_at) values (?, ?, ?, 'direct', now())",
                    io.pinbff.crypto.Sha256.hex("limit-" + c.person() + i), c.person(), "card-" + i);
        }
        as(c.person()).contentType("application/json").body(directBody("2580", c.device()))
                .post("/v1/cards/{id}/pin", SolarisSandbox.OTHER_CARD_ID).then().statusCode(404).body("code", equalTo("card_not_found"));
        as(c.person()).contentType("application/json").body(directBody("2580", c.device()))
                .post("/v1/cards/{id}/pin", c.card()).then().statusCode(429).body("code", equalTo("too_many_attempts"))
                .header("Retry-After", org.hamcrest.Matchers.matchesPattern("[1-9][0-9]{0,3}")); // within the 1 h window
        assertThat(db.rows("select 1 from pin_submission where person_id = ?", c.person())).hasSize(10);
        assertThat(upstreamPinWrites()).isZero();
    }

    /**
     * A card this instance already holds is checked before the bookkeeping starts: refused, it never
     * reaches PostgreSQL, so probing someone else's card cannot take a place in that card's or that
     * person's windows even for a moment. Shown by holding the caller's advisory lock, which the
     * admission must take: the refusal still comes at once.
     */
    @Test
    void aHeldCardThatIsNotTheCallersIsRefusedBeforeTheBookkeepingStarts() throws Exception {
        Customer c = newCustomer();
        Map<String, Object> body = directBody("2580", c.device());
        as(c.person()).contentType("application/json").body(body).post("/v1/cards/{id}/pin", SolarisSandbox.OTHER_CARD_ID)
                .then().statusCode(404); // now held by this instance
        long lookups = sandbox.count("GET", "/v1/cards/" + SolarisSandbox.OTHER_CARD_ID);

        try (Connection held = dataSource.getConnection(); Statement s = held.createStatement()) {
            s.execute("select pg_advisory_lock(hashtextextended('person:' || '" + c.person() + "', 0))");
            try {
                CompletableFuture<Response> probe = CompletableFuture.supplyAsync(() -> as(c.person())
                        .contentType("application/json").body(body).post("/v1/cards/{id}/pin", SolarisSandbox.OTHER_CARD_ID));
                Response refused = probe.get(5, TimeUnit.SECONDS);
                assertThat(refused.statusCode()).isEqualTo(404);
                assertThat(refused.jsonPath().getString("code")).isEqualTo("card_not_found");
            } finally {
                s.execute("select pg_advisory_unlock_all()");
            }
        }
        assertThat(sandbox.count("GET", "/v1/cards/" + SolarisSandbox.OTHER_CARD_ID)).as("answered from what is held").isEqualTo(lookups);
        assertThat(db.rows("select 1 from pin_submission where person_id = ?", c.person())).isEmpty();
    }

    @Inject
    AgroalDataSource dataSource;

    private int submissionsOf(String card) {
        return db.rows("select 1 from pin_submission where card_id = ?", card).size();
    }
}
