package io.pinbff.ops;

import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.pinbff.config.PinBffConfig;
import io.pinbff.pin.PinKey;
import io.pinbff.pin.PinKeyCache;
import io.pinbff.sql.Sql;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntSupplier;
import org.jboss.logging.Logger;

/**
 * The one purge job: deletes what no rule needs any more, in batches of {@code pinbff.retention.batch-size}
 * rows, each batch its own short transaction, at most {@code max-batches-per-run} batches per table and run.
 * <ul>
 * <li>{@code change_request}: COMPLETED, FAILED or EXPIRED requests whose last change is older than
 * {@code pinbff.retention.change-requests} (90 days), with their {@code change_request_event} audit rows
 * in the same transaction. An open request is never deleted (the expiry sweep closes it first).</li>
 * <li>{@code pin_submission}: fingerprints older than {@code pinbff.retention.pin-submissions} (48 h, at least
 * the longest attempt-limit window and the Idempotency-Key TTL) whose PIN key is no longer Solaris'
 * current key: a JWE for any other key is refused (409 {@code pin_key_outdated}) before the replay check,
 * so single use holds for every JWE that could still be accepted. Rows written without a key (before V5)
 * are first labelled with the current key.</li>
 * <li>{@code idempotency_record}: records past their expiry ({@code pinbff.idempotency.ttl}).</li>
 * <li>{@code webhook_event}: IDs older than Solaris' 5-day retry window.</li>
 * </ul>
 * Every instance runs the job; each batch takes its rows {@code FOR UPDATE SKIP LOCKED}, so instances
 * purging at the same moment delete disjoint rows, never wait for each other and never deadlock (a
 * request's audit rows are deleted only by whoever locked the request). Counter
 * {@code pinbff_retention_purged_rows_total{table}}.
 */
@ApplicationScoped
public class Retention {

    /** Solaris retries a webhook notification for up to 5 days: its ID is remembered that long. */
    public static final Duration WEBHOOK_RETRY_WINDOW = Duration.ofDays(5);
    static final List<String> TABLES = List.of("change_request", "change_request_event", "pin_submission",
            "idempotency_record", "webhook_event");
    private static final Logger LOG = Logger.getLogger(Retention.class);

    private final AgroalDataSource db;
    private final Clock clock;
    private final PinBffConfig config;
    private final PinKeyCache keys;
    private final Map<String, Counter> purged = new LinkedHashMap<>();

    Retention(AgroalDataSource db, Clock clock, PinBffConfig config, PinKeyCache keys, MeterRegistry meters) {
        this.db = db;
        this.clock = clock;
        this.config = config;
        this.keys = keys;
        for (String table : TABLES) {
            purged.put(table, meters.counter("pinbff_retention_purged_rows", "table", table));
        }
    }

    /** A retention the rules cannot live with stops the start. */
    void check(@Observes StartupEvent start) {
        List<String> problems = problems(config);
        if (!problems.isEmpty()) {
            throw new IllegalStateException("Invalid retention configuration: " + String.join("; ", problems));
        }
    }

    /** What is wrong with the retention settings, given the limits they must serve; empty when nothing is. */
    public static List<String> problems(PinBffConfig config) {
        PinBffConfig.Retention r = config.retention();
        List<String> problems = new ArrayList<>();
        if (r.changeRequests().isNegative() || r.changeRequests().isZero()) {
            problems.add("pinbff.retention.change-requests must be positive");
        }
        Duration needed = longest(config.limits().perCardWindow(), config.limits().perUserWindow(), config.idempotency().ttl());
        if (r.pinSubmissions().compareTo(needed) < 0) {
            problems.add("pinbff.retention.pin-submissions (" + r.pinSubmissions() + ") must be at least " + needed
                    + ", the longest attempt-limit window or Idempotency-Key TTL");
        }
        if (r.batchSize() < 1) {
            problems.add("pinbff.retention.batch-size must be at least 1");
        }
        if (r.maxBatchesPerRun() < 1) {
            problems.add("pinbff.retention.max-batches-per-run must be at least 1");
        }
        return problems;
    }

    private static Duration longest(Duration... all) {
        Duration max = Duration.ZERO;
        for (Duration d : all) {
            max = d.compareTo(max) > 0 ? d : max;
        }
        return max;
    }

    @Scheduled(every = "${pinbff.retention.purge-every:1h}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        Map<String, Long> done = purge();
        if (done.values().stream().anyMatch(n -> n > 0)) {
            LOG.infof("Retention purge deleted %s", done);
        }
    }

    /** One run: every table, batch after batch, until a batch comes back short or the run's bound is reached. */
    public Map<String, Long> purge() {
        Instant now = Instant.now(clock);
        int batch = config.retention().batchSize();
        Map<String, Long> done = new LinkedHashMap<>();
        TABLES.forEach(t -> done.put(t, 0L));
        guarded("change_request", () -> {
            Timestamp before = Timestamp.from(now.minus(config.retention().changeRequests()));
            repeat(() -> {
                long[] counts = Sql.autoCommit(db, c -> Sql.query(c,
                        "with doomed as (delete from change_request where id in ("
                                + "select id from change_request where status in ('COMPLETED', 'FAILED', 'EXPIRED') "
                                + "and updated_at < ? order by updated_at limit ? for update skip locked) "
                                + "returning id), "
                                + "trail as (delete from change_request_event where change_request_id in (select id from doomed) "
                                + "returning 1) "
                                + "select (select count(*) from doomed), (select count(*) from trail)",
                        rs -> new long[] { rs.getLong(1), rs.getLong(2) }, before, batch)).get(0);
                int requests = (int) counts[0];
                count(done, "change_request", requests);
                count(done, "change_request_event", (int) counts[1]);
                return requests;
            });
        });
        guarded("pin_submission", () -> {
            Set<String> current = currentKeys();
            if (current.isEmpty()) {
                return; // no key known yet: no way to tell which fingerprints single use still needs
            }
            labelUnknownKeys(current.iterator().next());
            Timestamp before = Timestamp.from(now.minus(config.retention().pinSubmissions()));
            for (String retired : keysInUse()) {
                if (current.contains(retired)) {
                    continue;
                }
                repeat(() -> count(done, "pin_submission", Sql.autoCommit(db, c -> Sql.update(c,
                        "delete from pin_submission where fingerprint in (select fingerprint from pin_submission "
                                + "where key_id = ? and submitted_at < ? order by submitted_at limit ? "
                                + "for update skip locked)", retired, before, batch))));
            }
        });
        guarded("idempotency_record", () -> repeat(() -> count(done, "idempotency_record",
                Sql.autoCommit(db, c -> Sql.update(c,
                        "delete from idempotency_record where (person_id, idem_key) in (select person_id, idem_key "
                                + "from idempotency_record where expires_at < ? order by expires_at limit ? "
                                + "for update skip locked)", now, batch)))));
        guarded("webhook_event", () -> repeat(() -> count(done, "webhook_event",
                Sql.autoCommit(db, c -> Sql.update(c,
                        "delete from webhook_event where id in (select id from webhook_event where received_at < ? "
                                + "order by received_at limit ? for update skip locked)", now.minus(WEBHOOK_RETRY_WINDOW), batch)))));
        return done;
    }

    /** Runs batches while they come back full, at most max-batches-per-run of them. */
    private void repeat(IntSupplier oneBatch) {
        int batch = config.retention().batchSize();
        for (int i = 0; i < config.retention().maxBatchesPerRun(); i++) {
            if (oneBatch.getAsInt() < batch) {
                return;
            }
        }
    }

    private int count(Map<String, Long> done, String table, int rows) {
        done.merge(table, (long) rows, Long::sum);
        purged.get(table).increment(rows);
        return rows;
    }

    /** One table failing (database away, a lock timeout) does not keep the others from being purged. */
    private void guarded(String table, Runnable purge) {
        try {
            purge.run();
        } catch (RuntimeException e) {
            LOG.warnf("Retention purge of %s failed (%s); it is retried at the next run", table, e.getClass().getSimpleName());
        }
    }

    /**
     * Rows without a key (written before V5, or by an instance of the previous version during a rolling
     * update) were written under the shared current key or an older one: labelling them with the current
     * key keeps them at least as long as their own key would.
     */
    private void labelUnknownKeys(String sharedCurrent) {
        repeat(() -> Sql.autoCommit(db, c -> Sql.update(c,
                "update pin_submission set key_id = ? where fingerprint in (select fingerprint from pin_submission "
                        + "where key_id is null limit ? for update skip locked)", sharedCurrent, config.retention().batchSize())));
    }

    /** The shared current key (first) and the one this instance holds (they differ for a moment around a rotation). */
    private Set<String> currentKeys() {
        Set<String> current = new LinkedHashSet<>();
        List<String> shared = Sql.autoCommit(db, c -> Sql.query(c, "select kid from pin_key where id = 1", rs -> rs.getString(1)));
        if (shared.isEmpty()) {
            return current;
        }
        current.add(shared.get(0));
        keys.current().map(PinKey::kid).ifPresent(current::add);
        return current;
    }

    /** The distinct key IDs of stored submissions (a handful), read by a skip scan of pin_submission_by_key. */
    private List<String> keysInUse() {
        return Sql.autoCommit(db, c -> Sql.query(c,
                "with recursive k(id) as ((select key_id from pin_submission order by key_id limit 1) union all "
                        + "select (select key_id from pin_submission where key_id > k.id order by key_id limit 1) "
                        + "from k where k.id is not null) select id from k where id is not null", rs -> rs.getString(1)));
    }
}
