package io.pinbff.auth;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.smallrye.jwt.auth.principal.ParseException;
import java.util.Base64;

/**
 * The protected header of a user token, read strictly before anything else happens: a JSON object
 * with no duplicate names, {@code alg} exactly {@code RS256}, and a top-level string {@code kid}.
 * Only this {@code kid} ever selects a key or causes a JWKS fetch; nested objects, escaped names
 * and the like are just JSON to Jackson, so they cannot smuggle a second {@code kid} past the gate.
 */
record TokenHeader(String kid) {

    private static final ObjectMapper STRICT = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();
    private static final int MAX_HEADER = 2048;
    private static final int MAX_KID = 200;

    static TokenHeader parse(String token) throws ParseException {
        int dot = token.indexOf('.');
        if (dot <= 0 || dot > MAX_HEADER) {
            throw new ParseException("The token has no readable header.");
        }
        JsonNode header;
        try {
            header = STRICT.readTree(Base64.getUrlDecoder().decode(token.substring(0, dot)));
        } catch (Exception e) {
            throw new ParseException("The token's header is not a JSON object without duplicate names.");
        }
        if (header == null || !header.isObject()) {
            throw new ParseException("The token's header is not a JSON object.");
        }
        JsonNode alg = header.get("alg");
        if (alg == null || !alg.isTextual() || !"RS256".equals(alg.textValue())) {
            throw new ParseException("Only RS256 tokens are accepted.");
        }
        JsonNode kid = header.get("kid");
        if (kid == null || !kid.isTextual() || kid.textValue().isEmpty() || kid.textValue().length() > MAX_KID) {
            throw new ParseException("The token's header names no key.");
        }
        return new TokenHeader(kid.textValue());
    }
}
