package io.pinbff.rest;

import io.pinbff.error.ApiException;
import io.pinbff.error.ErrorCode;
import java.util.regex.Pattern;

/** Path IDs: at most 64 characters of [A-Za-z0-9_-], checked before they go anywhere. */
final class Ids {

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    private Ids() {}

    static String require(String field, String value) {
        if (value == null || !ID.matcher(value).matches()) {
            throw ApiException.invalid(ErrorCode.INVALID_REQUEST, field,
                    field + " must be 1 to 64 characters of A-Z, a-z, 0-9, '_' and '-'.");
        }
        return value;
    }
}
