package io.pinbff.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.smallrye.jwt.auth.principal.DefaultJWTParser;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.JWTParser;
import io.smallrye.jwt.auth.principal.ParseException;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Semaphore;
import javax.crypto.SecretKey;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * How user tokens are verified: the protected header is read strictly ({@link TokenHeader}), its
 * top-level {@code kid} selects the identity provider's key from {@link IdpKeys} (the only code that
 * fetches the JWKS), and SmallRye JWT checks signature, issuer, audience and expiry with that key.
 * A token that verified is remembered for up to a minute and never past its own {@code exp}: apps poll
 * with the same token many times and the RS256 check is the largest CPU cost of a poll. Only exact
 * token strings that passed verification are remembered, so nothing is accepted that would not have been.
 * <p>
 * At most one signature check per processor runs at once (the others wait, using no CPU). Quarkus runs
 * token checks on its worker pool (up to 200 platform threads): in a burst of new tokens, 200 threads
 * doing RSA arithmetic at once would take nearly all of the CPU from the few threads that finish the
 * requests already admitted (event loops, virtual-thread carriers), whose Solaris answers would then
 * wait unprocessed past their attempt timeouts and open the circuit breaker. Bounded, new work waits
 * and admitted work completes (BurstIT).
 */
@Alternative
@Priority(1)
@ApplicationScoped
public class CachingJwtParser implements JWTParser {

    private static final Duration REMEMBER = Duration.ofSeconds(60);

    private final Semaphore signatureChecks = new Semaphore(Runtime.getRuntime().availableProcessors(), true);

    private final JWTParser delegate;
    private final IdpKeys keys;
    private final Cache<String, JsonWebToken> verified = Caffeine.newBuilder()
            .maximumSize(5_000)
            .expireAfterWrite(REMEMBER)
            .build();

    CachingJwtParser(JWTAuthContextInfo authContextInfo, IdpKeys keys) {
        this.delegate = new DefaultJWTParser(authContextInfo);
        this.keys = keys;
    }

    @Override
    public JsonWebToken parse(String token) throws ParseException {
        JsonWebToken known = remembered(token);
        if (known != null) {
            return known;
        }
        TokenHeader header = TokenHeader.parse(token);
        PublicKey key = keys.key(header.kid(), () -> issuedAt(token));
        JsonWebToken jwt;
        signatureChecks.acquireUninterruptibly();
        try {
            jwt = delegate.verify(token, key);
        } finally {
            signatureChecks.release();
        }
        verified.put(token, jwt);
        return jwt;
    }

    /**
     * This exact token string if it passed verification within the last minute and has not expired
     * since, else null. Never blocks and never verifies: {@link RememberedTokens} answers these on the
     * event loop.
     */
    JsonWebToken remembered(String token) {
        JsonWebToken known = verified.getIfPresent(token);
        return known != null && known.getExpirationTime() > System.currentTimeMillis() / 1000 ? known : null;
    }

    /** The unverified iat, only to tell a token older than our last JWKS fetch; null when unreadable. */
    private Instant issuedAt(String token) {
        try {
            long iat = delegate.parseOnly(token).getIssuedAtTime();
            return iat > 0 ? Instant.ofEpochSecond(iat) : null;
        } catch (Exception e) {
            return null;
        }
    }

    /** Any other context would bypass the key gate: every token goes through {@link #parse(String)}. */
    @Override
    public JsonWebToken parse(String token, JWTAuthContextInfo context) throws ParseException {
        return parse(token);
    }

    @Override
    public JsonWebToken verify(String token, PublicKey key) throws ParseException {
        return delegate.verify(token, key);
    }

    @Override
    public JsonWebToken verify(String token, SecretKey key) throws ParseException {
        return delegate.verify(token, key);
    }

    @Override
    public JsonWebToken verify(String token, String secret) throws ParseException {
        return delegate.verify(token, secret);
    }

    @Override
    public JsonWebToken decrypt(String token, PrivateKey key) throws ParseException {
        return delegate.decrypt(token, key);
    }

    @Override
    public JsonWebToken decrypt(String token, SecretKey key) throws ParseException {
        return delegate.decrypt(token, key);
    }

    @Override
    public JsonWebToken decrypt(String token, String secret) throws ParseException {
        return delegate.decrypt(token, secret);
    }

    @Override
    public JsonWebToken parseOnly(String token) throws ParseException {
        return delegate.parseOnly(token);
    }
}
