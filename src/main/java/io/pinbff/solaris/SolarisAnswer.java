package io.pinbff.solaris;

/**
 * A non-5xx answer from Solaris to a call whose refusals the caller interprets: the status, the
 * body when it succeeded (never null then, except for {@code Void}), and Solaris' error code
 * ({@code errors[0].code}, or null) when it did not. 4xx answers are not failures of Solaris.
 */
public record SolarisAnswer<T>(int status, T body, String errorCode) {

    public boolean ok() {
        return status >= 200 && status < 300;
    }
}
