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
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.time.Duration;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.SecretKey;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * SmallRye JWT's parser with a short memory: a user token that verified (signature, issuer,
 * audience, expiry) is not verified again for up to a minute, and never past its own {@code exp}.
 * Apps poll change requests with the same token many times; the RS256 check is the largest CPU
 * cost of a poll (bench/run.sh with PROFILE=1). Only exact token strings that passed verification
 * are remembered, so nothing is accepted that would not have been. Tokens naming a key the
 * identity provider does not publish are refused before SmallRye JWT would refresh its JWKS for
 * them (see {@link IdpKeyIds}).
 */
@Alternative
@Priority(1)
@ApplicationScoped
public class CachingJwtParser implements JWTParser {

    private static final Duration REMEMBER = Duration.ofSeconds(60);

    private final JWTParser delegate;
    private final IdpKeyIds keyIds;
    private final Cache<String, JsonWebToken> verified = Caffeine.newBuilder()
            .maximumSize(5_000)
            .expireAfterWrite(REMEMBER)
            .build();

    CachingJwtParser(JWTAuthContextInfo authContextInfo, IdpKeyIds keyIds) {
        this.delegate = new DefaultJWTParser(authContextInfo);
        this.keyIds = keyIds;
    }

    @Override
    public JsonWebToken parse(String token) throws ParseException {
        JsonWebToken known = verified.getIfPresent(token);
        if (known != null && known.getExpirationTime() > System.currentTimeMillis() / 1000) {
            return known;
        }
        String kid = kid(token);
        if (kid != null && !keyIds.published(kid)) {
            // Not published (yet), and the JWKS was fetched too recently to look again.
            throw new ParseException("The token's key is not published by the identity provider.");
        }
        JsonWebToken jwt = delegate.parse(token);
        verified.put(token, jwt);
        return jwt;
    }

    /** The protected header's kid, or null when there is none to read (SmallRye then refuses the token). */
    private static String kid(String token) {
        int dot = token.indexOf('.');
        if (dot <= 0) {
            return null;
        }
        try {
            String header = new String(Base64.getUrlDecoder().decode(token.substring(0, dot)), StandardCharsets.UTF_8);
            Matcher m = KID.matcher(header);
            return m.find() ? m.group(1) : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static final Pattern KID = Pattern.compile("\"kid\"\\s*:\\s*\"([^\"]{1,200})\"");

    @Override
    public JsonWebToken parse(String token, JWTAuthContextInfo context) throws ParseException {
        return delegate.parse(token, context);
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
