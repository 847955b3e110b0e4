package io.pinbff.ops;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.micrometer.core.instrument.MeterRegistry;
import io.pinbff.changerequest.ChangeRequestStore;
import io.pinbff.config.PinBffConfig;
import io.pinbff.support.AppSide;
import io.pinbff.support.PinBffTest;
import io.pinbff.support.ShiftedTime;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The purge job with the production retention settings (no test overrides): what goes, what stays. */
@QuarkusTest
class RetentionTest extends PinBffTest {

    @Inject
    Retention retention;

    @Inject
    ChangeRequestStore store;

    @Inject
    Clock clock;

    @Inject
    MeterRegistry meters;

    @Inject
    PinBffConfig config;

    @Test
    void productionDefaultsAreValid() {
        assertThat(config.retention().changeRequests()).isEqualTo(Duration.ofDays(90));
        assertThat(config.retention().pinSubmissions()).isEqualTo(Duration.ofHours(48));
        assertThat(Retention.problems(config)).isEmpty();
    }

    @Test
    void retentionsTheRulesCannotLiveWithAreRefused() {
        assertThat(Retention.problems(mapping(Map.of("pinbff.retention.pin-submissions", "23h"))))
                .singleElement().asString().contains("pinbff.retention.pin-submissions").contains("PT24H");
        // a longer limit window raises the floor
        assertThat(Retention.problems(mapping(Map.of("pinbff.limits.per-card-window", "72h"))))
                .singleElement().asString().contains("at least PT72H");
        assertThat(Retention.problems(mapping(Map.of("pinbff.retention.change-requests", "0s",
                "pinbff.retention.batch-size", "0")))).hasSize(2);
        assertThat(Retention.problems(mapping(Map.of("pinbff.retention.change-requests", "30d",
                "pinbff.retention.pin-submissions", "24h")))).isEmpty();
    }

    @Test
    void purgeDeletesWhatNoRuleNeedsAndKeepsTheRest() {
        // Through the API: a change request that expires (audit: create, expire) and a direct change.
        String card = sandbox.createCard(PERSON, "ACTIVE").id();
        String jwe = AppSide.encryptPin("4826", sandbox.currentKid(), sandbox.currentPublicKey());
        String viaApi = asDemo().body(Map.of("encrypted_pin", jwe, "key_id", sandbox.currentKid()))
                .post("/v1/cards/{id}/pin-change-requests", card).then().statusCode(202).extract().path("id");
        Map<String, Object> direct = directBody("6173");
        asDemo().body(direct).post("/v1/cards/{id}/pin", CARD).then().statusCode(204);
        ShiftedTime shifted = ShiftedTime.install();
        shifted.advance(Duration.ofMinutes(16));
        store.expireDue(200);
        assertThat(events(viaApi)).isGreaterThanOrEqualTo(2);

        // 90 days and a bit later, next to rows made for the occasion.
        shifted.advance(Duration.ofDays(90).plusHours(1));
        Instant now = Instant.now(clock);
        String currentKid = (String) db.rows("select kid from pin_key").get(0).get("kid");
        UUID oldFinal = request("COMPLETED", now.minus(Duration.ofDays(91)), 2);
        UUID oldFailed = request("FAILED", now.minus(Duration.ofDays(90).plusMinutes(1)), 1);
        UUID recentFinal = request("EXPIRED", now.minus(Duration.ofDays(89)), 3);
        UUID oldOpen = request("CONFIRMATION_REQUIRED", now.minus(Duration.ofDays(200)), 2); // never swept: stays
        submission("retired-old", "old-key", now.minus(Duration.ofHours(49)));       // retired key, past 48 h: goes
        submission("retired-recent", "old-key", now.minus(Duration.ofHours(47)));    // still counted by the limits: stays
        submission("current-old", currentKid, now.minus(Duration.ofDays(400)));     // key current, single use: stays
        submission("legacy", null, now.minus(Duration.ofDays(30)));                   // before V5: labelled current, stays
        idempotency("expired", now.minusSeconds(1));
        idempotency("live", now.plusSeconds(3600));
        webhook("whk-old", now.minus(Duration.ofDays(5)).minusSeconds(1));
        webhook("whk-recent", now.minus(Duration.ofDays(4)));

        Map<String, Double> before = counters();
        Map<String, Long> purged = retention.purge();

        assertThat(exists(oldFinal)).isFalse();
        assertThat(exists(oldFailed)).isFalse();
        assertThat(exists(UUID.fromString(viaApi))).isFalse();
        assertThat(events(oldFinal.toString()) + events(oldFailed.toString()) + events(viaApi)).isZero();
        assertThat(exists(recentFinal)).isTrue();
        assertThat(events(recentFinal.toString())).isEqualTo(3);
        assertThat(exists(oldOpen)).isTrue();
        assertThat(events(oldOpen.toString())).isEqualTo(2);
        as(PERSON).get("/v1/pin-change-requests/{id}", viaApi).then().statusCode(404);
        assertThat(db.rows("select fingerprint from pin_submission where person_id like 'ret-%' order by 1"))
                .extracting(r -> ((String) r.get("fingerprint")).trim())
                .containsExactlyInAnyOrder(fingerprint("current-old"), fingerprint("legacy"), fingerprint("retired-recent"));
        assertThat(db.rows("select key_id from pin_submission where fingerprint = ?", fingerprint("legacy")).get(0).get("key_id"))
                .isEqualTo(currentKid);
        // The API's submissions are for the current key: kept, so the same JWE is still refused 90 days on.
        assertThat(db.rows("select count(*) as n from pin_submission where key_id = ? and person_id = ?", currentKid, PERSON)
                .get(0).get("n")).isEqualTo(2L);
        asDemo().body(direct).post("/v1/cards/{id}/pin", CARD).then().statusCode(409)
                .body("code", equalTo("encrypted_pin_reused"));
        assertThat(db.rows("select idem_key from idempotency_record where person_id = 'ret-person'"))
                .extracting(r -> r.get("idem_key")).containsExactly("live");
        assertThat(db.rows("select id from webhook_event where id like 'whk-%'"))
                .extracting(r -> r.get("id")).containsExactly("whk-recent");

        // The counter moved by what this run deleted (at least the rows above; older tests' rows go too).
        assertThat(purged.get("change_request")).isGreaterThanOrEqualTo(3);
        assertThat(purged.get("change_request_event")).isGreaterThanOrEqualTo(5);
        assertThat(purged.get("pin_submission")).isEqualTo(1);
        assertThat(purged.get("idempotency_record")).isGreaterThanOrEqualTo(1);
        assertThat(purged.get("webhook_event")).isGreaterThanOrEqualTo(1);
        Map<String, Double> after = counters();
        for (String table : Retention.TABLES) {
            assertThat(after.get(table) - before.get(table)).as(table).isEqualTo(purged.get(table).doubleValue());
        }
        io.pinbff.support.Management.given().get("/q/metrics").then().statusCode(200)
                .body(containsString("pinbff_retention_purged_rows_total{table=\"change_request\"}"))
                .body(containsString("pinbff_retention_purged_rows_total{table=\"pin_submission\"}"));

        // Nothing left to do: a second run deletes nothing.
        assertThat(retention.purge().values()).containsOnly(0L);
    }

    @Test
    void twoInstancesPurgingAtOnceDeleteEveryRowOnceAndDoNotDeadlock() throws Exception {
        retention.purge(); // whatever earlier tests left behind
        Instant old = Instant.now(clock).minus(Duration.ofDays(100));
        int requests = 5_500; // several batches of the default 1,000 each
        db.execute("insert into change_request (id, card_id, person_id, status, created_at, updated_at, expires_at, synced_at) "
                + "select gen_random_uuid(), 'ret-card-' || i, 'ret-person', "
                + "(array['COMPLETED', 'FAILED', 'EXPIRED'])[1 + i % 3], ? - i * interval '1 second', "
                + "? - i * interval '1 second', ?, ? from generate_series(1, " + requests + ") i",
                at(old), at(old), at(old), at(old));
        db.execute("insert into change_request_event (change_request_id, card_id, person_id, action, to_status, outcome, at) "
                + "select id, card_id, person_id, a, status, 'ok', updated_at from change_request, "
                + "unnest(array['create', 'confirm']) a where person_id = 'ret-person'");
        db.execute("insert into pin_submission (fingerprint, person_id, card_id, flow, submitted_at, key_id) "
                + "select encode(sha256(('ret-bulk-' || g)::bytea), 'hex'), 'ret-person', 'ret-card', 'sca', ?, 'old-key' "
                + "from generate_series(1, 2500) g", at(old));

        Map<String, Double> before = counters();
        CyclicBarrier together = new CyclicBarrier(2);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<Future<Map<String, Long>>> runs = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            runs.add(pool.submit(() -> {
                together.await();
                return retention.purge();
            }));
        }
        long requestsPurged = 0;
        long eventsPurged = 0;
        long submissionsPurged = 0;
        for (Future<Map<String, Long>> run : runs) {
            Map<String, Long> done = run.get(60, TimeUnit.SECONDS); // a deadlock would show as a timeout
            requestsPurged += done.get("change_request");
            eventsPurged += done.get("change_request_event");
            submissionsPurged += done.get("pin_submission");
        }
        pool.shutdown();

        assertThat(requestsPurged).isEqualTo(requests);
        assertThat(eventsPurged).isEqualTo(2L * requests);
        assertThat(submissionsPurged).isEqualTo(2_500);
        assertThat(db.rows("select count(*) as n from change_request where person_id = 'ret-person'").get(0).get("n")).isEqualTo(0L);
        assertThat(db.rows("select count(*) as n from change_request_event where person_id = 'ret-person'").get(0).get("n")).isEqualTo(0L);
        assertThat(db.rows("select count(*) as n from pin_submission where person_id = 'ret-person'").get(0).get("n")).isEqualTo(0L);
        assertThat(counters().get("change_request") - before.get("change_request")).isEqualTo((double) requests);
    }

    private UUID request(String status, Instant updated, int events) {
        UUID id = UUID.randomUUID();
        db.execute("insert into change_request (id, card_id, person_id, status, created_at, updated_at, expires_at, synced_at) "
                + "values (?, ?, 'ret-person', ?, ?, ?, ?, ?)", id, "ret-card-" + id.toString().substring(0, 8), status,
                at(updated.minusSeconds(60)), at(updated), at(updated.plus(Duration.ofMinutes(14))), at(updated));
        for (int i = 0; i < events; i++) {
            db.execute("insert into change_request_event (change_request_id, card_id, person_id, action, to_status, outcome, at) "
                    + "values (?, 'ret-card', 'ret-person', 'sync', ?, 'ok', ?)", id, status, at(updated));
        }
        return id;
    }

    private void submission(String name, String keyId, Instant at) {
        db.execute("insert into pin_submission (fingerprint, person_id, card_id, flow, submitted_at, key_id) "
                + "values (?, 'ret-person', 'ret-card', 'direct', ?, ?)", fingerprint(name), at(at), keyId);
    }

    private void idempotency(String key, Instant expires) {
        db.execute("insert into idempotency_record (person_id, idem_key, request_hash, status, created_at, expires_at, lease_until) "
                + "values ('ret-person', ?, ?, 204, ?, ?, ?)", key, fingerprint(key), at(expires.minus(Duration.ofHours(24))),
                at(expires), at(expires.minus(Duration.ofHours(24))));
    }

    private void webhook(String id, Instant received) {
        db.execute("insert into webhook_event (id, event_type, received_at) values (?, 'CARD_LIFECYCLE_EVENT', ?)", id, at(received));
    }

    private static String fingerprint(String name) {
        return io.pinbff.crypto.Sha256.hex(name);
    }

    private boolean exists(UUID id) {
        return !db.rows("select 1 from change_request where id = ?", id).isEmpty();
    }

    private long events(String requestId) {
        return (Long) db.rows("select count(*) as n from change_request_event where change_request_id = ?",
                UUID.fromString(requestId)).get(0).get("n");
    }

    private Map<String, Double> counters() {
        Map<String, Double> counts = new java.util.HashMap<>();
        for (String table : Retention.TABLES) {
            counts.put(table, meters.counter("pinbff_retention_purged_rows", "table", table).count());
        }
        return counts;
    }

    private static OffsetDateTime at(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }

    private static PinBffConfig mapping(Map<String, String> properties) {
        SmallRyeConfig config = new SmallRyeConfigBuilder().withMapping(PinBffConfig.class)
                .withConverter(Duration.class, 200, new io.quarkus.runtime.configuration.DurationConverter())
                .withSources(new PropertiesConfigSource(properties, "test", 500)).build();
        return config.getConfigMapping(PinBffConfig.class);
    }
}
