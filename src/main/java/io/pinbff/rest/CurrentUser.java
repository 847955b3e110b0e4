package io.pinbff.rest;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.pinbff.error.ApiException;
import io.pinbff.error.ErrorCode;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.RequestScoped;
import jakarta.json.JsonString;
import java.util.Optional;
import org.eclipse.microprofile.jwt.JsonWebToken;

/** The signed-in app user: their Solaris person ID from the token's {@code person_id} claim. */
@RequestScoped
class CurrentUser {

    /**
     * The person ID read from each verified token object (the principal), weakly keyed by identity: a
     * remembered token is the same object on every request, and SmallRye JWT answers a claim outside the
     * standard set only after throwing and catching an exception (2.5 % of a status poll's CPU). Keyed
     * by the very object, never by anything two tokens could share.
     */
    private static final Cache<JsonWebToken, Optional<String>> PERSON_IDS = Caffeine.newBuilder()
            .weakKeys()
            .maximumSize(10_000)
            .build();

    private final SecurityIdentity identity;

    CurrentUser(SecurityIdentity identity) {
        this.identity = identity;
    }

    /** 403 {@code forbidden} when the (valid) token carries no usable {@code person_id}. */
    String personId() {
        Optional<String> personId = identity.getPrincipal() instanceof JsonWebToken token
                ? PERSON_IDS.get(token, CurrentUser::read) : Optional.empty();
        return personId.orElseThrow(() -> ApiException.of(ErrorCode.FORBIDDEN, "The token carries no person_id."));
    }

    private static Optional<String> read(JsonWebToken token) {
        Object claim = token.getClaim("person_id");
        String personId = claim instanceof JsonString json ? json.getString() : claim instanceof String s ? s : null;
        if (personId == null || personId.isBlank() || personId.length() > 64 || !JsonFields.isPrintableAscii(personId)) {
            return Optional.empty();
        }
        return Optional.of(personId);
    }
}
