package io.pinbff.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.pinbff.config.PinBffConfig;
import io.pinbff.crypto.HmacSha256;
import io.pinbff.crypto.Sha256;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import io.pinbff.error.ApiException;
import io.pinbff.error.ErrorCode;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

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

    private final EntityManager em;
    private final Clock clock;
    private final ObjectMapper json;
    private final Duration ttl;
    private final Duration waitForFirst;
    private final Duration lease;
    private final byte[] fingerprintKey;

    Idempotency(EntityManager em, Clock clock, ObjectMapper json, PinBffConfig config,
            @ConfigProperty(name = "fingerprint.secret") String fingerprintSecret) {
        this.fingerprintKey = fingerprintSecret.getBytes(StandardCharsets.UTF_8);
        this.em = em;
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

    private Optional<Response> claimOrReplay(String personId, String key, String hash) {
        Instant deadline = Instant.now().plus(waitForFirst);
        while (true) {
            Optional<Response> outcome = QuarkusTransaction.requiringNew().call(() -> {
                Instant now = Instant.now(clock);
                // A new claim; or a record past its 24 h; or the lease of a request that died holding the
                // key (same request only): each of these makes this request the one that runs.
                int claimed = em.createNativeQuery("insert into idempotency_record "
                        + "(person_id, idem_key, request_hash, created_at, expires_at, lease_until) values (:p, :k, :h, :now, :exp, :lease) "
                        + "on conflict (person_id, idem_key) do update set request_hash = excluded.request_hash, status = null, "
                        + "content_type = null, body = null, location = null, created_at = excluded.created_at, "
                        + "expires_at = excluded.expires_at, lease_until = excluded.lease_until "
                        + "where idempotency_record.expires_at < :now or (idempotency_record.status is null "
                        + "and idempotency_record.lease_until < :now and idempotency_record.request_hash = excluded.request_hash)")
                        .setParameter("p", personId).setParameter("k", key).setParameter("h", hash)
                        .setParameter("now", Timestamp.from(now)).setParameter("exp", Timestamp.from(now.plus(ttl)))
                        .setParameter("lease", Timestamp.from(now.plus(lease))).executeUpdate();
                if (claimed == 1) {
                    return Optional.<Response>empty();
                }
                List<?> rows = em.createNativeQuery("select request_hash, status, content_type, body, location from idempotency_record "
                        + "where person_id = :p and idem_key = :k").setParameter("p", personId).setParameter("k", key).getResultList();
                if (rows.isEmpty()) {
                    return null; // released in between: try to claim again
                }
                Object[] row = (Object[]) rows.get(0);
                if (!hash.equals(row[0])) {
                    throw ApiException.of(ErrorCode.IDEMPOTENCY_KEY_REUSED,
                            "This Idempotency-Key was used for a different request.");
                }
                return row[1] == null ? null : Optional.of(replay(((Number) row[1]).intValue(), (String) row[2], (String) row[3], (String) row[4]));
            });
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
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery("update idempotency_record set status = :s, content_type = :t, "
                + "body = :b, location = :l where person_id = :p and idem_key = :k")
                .setParameter("s", response.getStatus())
                .setParameter("t", response.getMediaType() == null ? null : response.getMediaType().toString())
                .setParameter("b", body).setParameter("l", location == null ? null : location.toString())
                .setParameter("p", personId).setParameter("k", key).executeUpdate());
    }

    private void release(String personId, String key) {
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery(
                "delete from idempotency_record where person_id = :p and idem_key = :k and status is null")
                .setParameter("p", personId).setParameter("k", key).executeUpdate());
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
