package io.pinbff.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.agroal.api.AgroalDataSource;
import io.pinbff.config.PinBffConfig;
import io.pinbff.crypto.HmacSha256;
import io.pinbff.crypto.Sha256;
import io.pinbff.error.ApiException;
import io.pinbff.error.ErrorCode;
import io.pinbff.sql.Sql;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * {@code Idempotency-Key} on POSTs, scoped to the caller and held in PostgreSQL: the first request
 * with a key claims it (a row with no answer yet), runs, and stores its answer; a repeat with the
 * same request gets that answer without anything being sent to Solaris again; a different request
 * with the same key is refused; a repeat that arrives while the first is still running waits for
 * it. Outcomes that are not final (429, 5xx: 503, 504) are not kept, so the same request with the same
 * key is processed again. A claim is a lease of write budget + 10 s: when the instance running the
 * first request dies, the key is free again once the lease runs out (meanwhile 409 request_in_progress).
 * Resource methods get this by being {@link Idempotent} ({@link IdempotencyInterceptor}).
 */
@ApplicationScoped
public class Idempotency {

    public static final String HEADER = "Idempotency-Key";
    private static final Duration POLL = Duration.ofMillis(50);

    private final AgroalDataSource db;
    private final Clock clock;
    private final ObjectMapper json;
    private final Duration ttl;
    private final Duration waitForFirst;
    private final Duration lease;
    private final byte[] fingerprintKey;

    Idempotency(AgroalDataSource db, Clock clock, ObjectMapper json, PinBffConfig config,
            @ConfigProperty(name = "fingerprint.secret") String fingerprintSecret) {
        this.fingerprintKey = fingerprintSecret.getBytes(StandardCharsets.UTF_8);
        this.db = db;
        this.clock = clock;
        this.json = json;
        this.ttl = config.idempotency().ttl();
        this.waitForFirst = config.solaris().writeTimeout().plus(config.solaris().readBudget()).plusSeconds(1);
        // Longer than any live request can take (its read and write budgets), so only a dead one loses it.
        this.lease = config.solaris().writeTimeout().plusSeconds(10);
    }

    Response run(String personId, String key, String path, byte[] body, Supplier<Response> action) {
        if (key == null) {
            return render(action);
        }
        if (key.isEmpty() || key.length() > 255 || !JsonFields.isPrintableAscii(key)) {
            throw ApiException.invalid(ErrorCode.INVALID_REQUEST, HEADER, "Idempotency-Key must be 1 to 255 printable ASCII characters.");
        }
        // Keyed: a confirm body holds a 6-digit TAN, which an unkeyed hash would give away to 10^6 guesses.
        String hash = HmacSha256.hex(fingerprintKey, "POST " + path + "\n" + canonical(body));
        Optional<Response> replay = claimOrReplay(personId, key, hash);
        if (replay.isPresent()) {
            return replay.get();
        }
        Response response;
        try {
            response = render(action);
        } catch (RuntimeException e) {
            release(personId, key);
            throw e;
        }
        if (response.getStatus() >= 500 || response.getStatus() == 429) {
            release(personId, key);
        } else {
            store(personId, key, response);
        }
        return response;
    }

    private static Response render(Supplier<Response> action) {
        try {
            return action.get();
        } catch (ApiException e) {
            return Problems.render(e);
        }
    }

    // One statement, one round trip: claim the key (a new claim; or a record past its 24 h; or the lease of a
    // request that died holding the key, same request only: each makes this request the one that runs),
    // and read the record as it stood when the statement began (what a claim that did not happen found).
    private static final String CLAIM = "with claim as (insert into idempotency_record "
            + "(person_id, idem_key, request_hash, created_at, expires_at, lease_until) values (?, ?, ?, ?, ?, ?) "
            + "on conflict (person_id, idem_key) do update set request_hash = excluded.request_hash, status = null, "
            + "content_type = null, body = null, location = null, created_at = excluded.created_at, "
            + "expires_at = excluded.expires_at, lease_until = excluded.lease_until "
            + "where idempotency_record.expires_at < excluded.created_at or (idempotency_record.status is null "
            + "and idempotency_record.lease_until < excluded.created_at "
            + "and idempotency_record.request_hash = excluded.request_hash) returning 1) "
            + "select (select count(*) from claim), r.request_hash, r.status, r.content_type, r.body, r.location "
            + "from (select 1) as one left join idempotency_record r on r.person_id = ? and r.idem_key = ?";

    private Optional<Response> claimOrReplay(String personId, String key, String hash) {
        Instant deadline = Instant.now().plus(waitForFirst);
        while (true) {
            Optional<Response> outcome = claimOnce(personId, key, hash);
            if (outcome != null) {
                return outcome;
            }
            if (Instant.now().isAfter(deadline)) {
                throw ApiException.retryLater(ErrorCode.REQUEST_IN_PROGRESS,
                        "A request with this Idempotency-Key is still being processed.", 1);
            }
            try {
                Thread.sleep(POLL);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw ApiException.retryLater(ErrorCode.REQUEST_IN_PROGRESS, "Interrupted while waiting.", 1);
            }
        }
    }

    /** Empty: this request claimed the key; a response: the stored answer; null: not decided yet (wait, try again). */
    private Optional<Response> claimOnce(String personId, String key, String hash) {
        Instant now = Instant.now(clock);
        List<Optional<Response>> rows = Sql.autoCommit(db, c -> Sql.query(c, CLAIM, row -> {
            if (row.getLong(1) == 1) {
                return Optional.<Response>empty();
            }
            String storedHash = row.getString(2);
            if (storedHash == null) {
                return null; // claimed by a request that began just before this statement, or released: try again
            }
            if (!hash.equals(storedHash)) {
                throw ApiException.of(ErrorCode.IDEMPOTENCY_KEY_REUSED,
                        "This Idempotency-Key was used for a different request.");
            }
            int status = row.getInt(3);
            return row.wasNull() ? null : Optional.of(replay(status, row.getString(4), row.getString(5), row.getString(6)));
        }, personId, key, hash, now, now.plus(ttl), now.plus(lease), personId, key));
        return rows.get(0);
    }

    private static Response replay(int status, String contentType, String body, String location) {
        Response.ResponseBuilder r = Response.status(status).header("Idempotent-Replayed", "true");
        if (body != null) {
            r.entity(body).type(contentType);
        }
        if (location != null) {
            r.header(HttpHeaders.LOCATION, location);
        }
        return r.build();
    }

    private void store(String personId, String key, Response response) {
        String body;
        try {
            body = response.getEntity() == null ? null : json.writeValueAsString(response.getEntity());
        } catch (Exception e) {
            release(personId, key);
            return;
        }
        Object location = response.getHeaders().getFirst(HttpHeaders.LOCATION);
        execute("update idempotency_record set status = ?, content_type = ?, body = ?, location = ? "
                + "where person_id = ? and idem_key = ?", response.getStatus(),
                response.getMediaType() == null ? null : response.getMediaType().toString(), body,
                location == null ? null : location.toString(), personId, key);
    }

    private void release(String personId, String key) {
        execute("delete from idempotency_record where person_id = ? and idem_key = ? and status is null", personId, key);
    }

    /** One statement in auto-commit mode: one round trip, no transaction around it. */
    private void execute(String sql, Object... parameters) {
        Sql.autoCommit(db, c -> Sql.update(c, sql, parameters));
    }

    /** The body with object keys sorted, so formatting and field order do not make a request "different". */
    private String canonical(byte[] body) {
        try {
            JsonNode node = json.readTree(body);
            Object value = json.treeToValue(node, Object.class);
            return json.writer().with(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS).writeValueAsString(value);
        } catch (Exception e) {
            return "raw:" + Sha256.hex(new String(body == null ? new byte[0] : body, StandardCharsets.ISO_8859_1));
        }
    }
}
