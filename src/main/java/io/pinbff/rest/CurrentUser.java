package io.pinbff.rest;

import io.pinbff.error.ApiException;
import io.pinbff.error.ErrorCode;
import jakarta.enterprise.context.RequestScoped;
import jakarta.json.JsonString;
import org.eclipse.microprofile.jwt.JsonWebToken;

/** The signed-in app user: their Solaris person ID from the token's {@code person_id} claim. */
@RequestScoped
class CurrentUser {

    private final JsonWebToken token;

    CurrentUser(JsonWebToken token) {
        this.token = token;
    }

    /** 403 {@code forbidden} when the (valid) token carries no usable {@code person_id}. */
    String personId() {
        Object claim = token.getClaim("person_id");
        String personId = claim instanceof JsonString json ? json.getString() : claim instanceof String s ? s : null;
        if (personId == null || personId.isBlank() || personId.length() > 64 || !JsonFields.isPrintableAscii(personId)) {
            throw ApiException.of(ErrorCode.FORBIDDEN, "The token carries no person_id.");
        }
        return personId;
    }
}
