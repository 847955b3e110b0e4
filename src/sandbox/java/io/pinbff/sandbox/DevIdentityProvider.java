package io.pinbff.sandbox;

import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.lang.JoseException;

import io.quarkus.arc.properties.IfBuildProperty;
import io.quarkus.runtime.Startup;

/**
 * Stand-in for the bank's identity provider in dev mode and tests: RS256 signing keys published
 * as a JWKS, and user tokens carrying the Solaris {@code person_id}.
 */
@Startup
@ApplicationScoped
@IfBuildProperty(name = "pinbff.sandbox.enabled", stringValue = "true")
public class DevIdentityProvider {

    public static final Duration DEFAULT_TTL = Duration.ofMinutes(15);

    /** A signing key and its kid. */
    public record SigningKey(String kid, KeyPair keyPair) {
    }

    @ConfigProperty(name = "auth.issuer", defaultValue = "https://idp.sandbox.pinbff.local")
    String issuer;
    @ConfigProperty(name = "auth.audience", defaultValue = "pin-bff")
    String audience;

    // every key ever published stays in the JWKS, like an IdP during a rollover
    private final List<SigningKey> keys = new CopyOnWriteArrayList<>();
    private volatile SigningKey current;

    @PostConstruct
    void init() {
        rotate();
    }

    /** Publishes a new key and signs with it from now on; returns its kid. */
    public synchronized String rotate() {
        SigningKey key = new SigningKey(UUID.randomUUID().toString(), SandboxCrypto.newRsaKeyPair());
        keys.add(key);
        current = key;
        return key.kid();
    }

    /** The public JWKs of all keys (kid, kty, use sig, alg RS256, n, e). */
    private final java.util.concurrent.atomic.AtomicInteger jwksFetches = new java.util.concurrent.atomic.AtomicInteger();

    /** How many times the JWKS endpoint was fetched (tests check refreshes are rate-limited). */
    public int jwksFetches() {
        return jwksFetches.get();
    }

    void jwksServed() {
        jwksFetches.incrementAndGet();
    }

    public List<Map<String, Object>> jwks() {
        return keys.stream().map(DevIdentityProvider::publicJwk).toList();
    }

    public PrivateKey signingKey() {
        return current.keyPair().getPrivate();
    }

    public String signingKid() {
        return current.kid();
    }

    public String issuer() {
        return issuer;
    }

    public String audience() {
        return audience;
    }

    /** A valid user token for this person (sub and person_id), 15 minutes. */
    public String mint(String personId) {
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("sub", personId);
        claims.put("person_id", personId);
        return mint(claims, DEFAULT_TTL);
    }

    /**
     * A token with iss, aud, iat, exp (now + ttl, negative for an expired token) and jti, then the
     * given claims on top: they override those defaults, and a null value removes a claim.
     */
    public String mint(Map<String, Object> claims, Duration ttl) {
        Instant now = Instant.now();
        Map<String, Object> all = new LinkedHashMap<>();
        all.put("iss", issuer);
        all.put("aud", audience);
        all.put("iat", now.getEpochSecond());
        all.put("exp", now.plus(ttl).getEpochSecond());
        all.put("jti", UUID.randomUUID().toString());
        claims.forEach((name, value) -> {
            if (value == null) {
                all.remove(name);
            } else {
                all.put(name, value);
            }
        });
        JwtClaims jwtClaims = new JwtClaims();
        all.forEach(jwtClaims::setClaim);
        return sign(jwtClaims.toJson(), current);
    }

    private static String sign(String payload, SigningKey key) {
        JsonWebSignature jws = new JsonWebSignature();
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
        jws.setKeyIdHeaderValue(key.kid());
        jws.setHeader("typ", "JWT");
        jws.setPayload(payload);
        jws.setKey(key.keyPair().getPrivate());
        try {
            return jws.getCompactSerialization();
        } catch (JoseException e) {
            throw new IllegalStateException("cannot sign a dev token", e);
        }
    }

    private static Map<String, Object> publicJwk(SigningKey key) {
        RSAPublicKey rsa = (RSAPublicKey) key.keyPair().getPublic();
        Map<String, Object> jwk = new LinkedHashMap<>();
        jwk.put("kid", key.kid());
        jwk.put("kty", "RSA");
        jwk.put("use", "sig");
        jwk.put("alg", "RS256");
        jwk.put("n", SandboxCrypto.base64Url(rsa.getModulus()));
        jwk.put("e", SandboxCrypto.base64Url(rsa.getPublicExponent()));
        return jwk;
    }
}
