package io.pinbff.error;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A request that ends in one of the contract's problems. Thrown anywhere below the resources and
 * rendered once, by {@code io.pinbff.rest.Problems}. Never put PIN material, signatures, TANs or tokens in
 * {@code detail} or {@code extras}.
 */
public class ApiException extends RuntimeException {

    public record FieldError(String field, String message) {}

    private final ErrorCode code;
    private final List<FieldError> errors;
    private final Map<String, Object> extras;
    private final Integer retryAfterSeconds;

    private ApiException(ErrorCode code, String detail, List<FieldError> errors, Map<String, Object> extras,
            Integer retryAfterSeconds) {
        super(detail, null, false, false);
        this.code = code;
        this.errors = errors;
        this.extras = extras;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public static ApiException of(ErrorCode code, String detail) {
        return new ApiException(code, detail, List.of(), Map.of(), null);
    }

    public static ApiException invalid(ErrorCode code, String field, String message) {
        return new ApiException(code, message, List.of(new FieldError(field, message)), Map.of(), null);
    }

    public static ApiException invalid(ErrorCode code, List<FieldError> errors) {
        String detail = errors.size() == 1 ? errors.get(0).message() : "The request has " + errors.size() + " invalid fields.";
        return new ApiException(code, detail, List.copyOf(errors), Map.of(), null);
    }

    public static ApiException retryLater(ErrorCode code, String detail, long retryAfterSeconds) {
        return new ApiException(code, detail, List.of(), Map.of(), (int) Math.max(1, retryAfterSeconds));
    }

    public ApiException with(String key, Object value) {
        Map<String, Object> more = new LinkedHashMap<>(extras);
        more.put(key, value);
        return new ApiException(code, getMessage(), errors, Map.copyOf(more), retryAfterSeconds);
    }

    public ErrorCode code() {
        return code;
    }

    public List<FieldError> errors() {
        return errors;
    }

    public Map<String, Object> extras() {
        return extras;
    }

    public Integer retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
