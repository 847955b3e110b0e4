package io.pinbff.pin;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.pinbff.error.ApiException;
import io.pinbff.error.ErrorCode;
import java.util.Base64;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Pre-flight checks of an encrypted PIN, without decrypting it (only Solaris can): a compact JWE of
 * five unpadded base64url segments whose protected header names exactly the algorithms Solaris
 * accepts and the key the app says it used, and carries no header that would let a sender point at
 * another key or compress the plaintext.
 */
public final class EncryptedPinCheck {

    public static final int MAX_LENGTH = 4096;
    static final String ALG = "RSA-OAEP-256";
    static final String ENC = "A256CBC-HS512";
    private static final Set<String> FORBIDDEN_HEADERS = Set.of("zip", "jku", "jwk", "x5u");
    private static final Pattern BASE64URL = Pattern.compile("[A-Za-z0-9_-]*");
    private static final ObjectMapper HEADER_JSON = JsonMapper.builder()
            .build();

    static {
        HEADER_JSON.getFactory().setStreamReadConstraints(
                StreamReadConstraints.builder().maxNestingDepth(8).maxStringLength(2048).build());
    }

    private EncryptedPinCheck() {}

    /** Throws 400 {@code invalid_encrypted_pin} unless {@code jwe} is a well-formed JWE for {@code keyId}. */
    public static void check(String jwe, String keyId) {
        if (jwe.length() > MAX_LENGTH) {
            throw invalid("encrypted_pin must be at most " + MAX_LENGTH + " characters.");
        }
        String[] parts = jwe.split("\\.", -1);
        if (parts.length != 5) {
            throw invalid("encrypted_pin must be a compact JWE of five dot-separated parts.");
        }
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i];
            if (!BASE64URL.matcher(part).matches() || part.length() % 4 == 1) {
                throw invalid("encrypted_pin part " + (i + 1) + " is not unpadded base64url.");
            }
            if (part.isEmpty() && i != 3) {
                throw invalid("encrypted_pin part " + (i + 1) + " must not be empty.");
            }
        }
        JsonNode header = header(parts[0]);
        if (!ALG.equals(text(header, "alg")) || !ENC.equals(text(header, "enc"))) {
            throw invalid("encrypted_pin must use alg " + ALG + " and enc " + ENC + ".");
        }
        for (String name : FORBIDDEN_HEADERS) {
            if (header.has(name)) {
                throw invalid("encrypted_pin header must not carry '" + name + "'.");
            }
        }
        if (!keyId.equals(text(header, "kid"))) {
            throw invalid("encrypted_pin header kid must equal key_id.");
        }
    }

    private static JsonNode header(String part) {
        try {
            JsonNode header = HEADER_JSON.readTree(Base64.getUrlDecoder().decode(part));
            if (header != null && header.isObject()) {
                return header;
            }
        } catch (Exception e) {
            // fall through: any decoding or parsing failure is the same problem to the caller
        }
        throw invalid("encrypted_pin protected header is not a JSON object.");
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value != null && value.isTextual() ? value.asText() : null;
    }

    private static ApiException invalid(String message) {
        return ApiException.invalid(ErrorCode.INVALID_ENCRYPTED_PIN, "encrypted_pin", message);
    }
}
