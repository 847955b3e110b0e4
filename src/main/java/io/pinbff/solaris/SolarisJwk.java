package io.pinbff.solaris;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * Solaris' PIN-encryption key as it sends it ({@code GET /v1/cards/pin_keys/latest}): a JWK that
 * Solaris labels {@code alg: "RS256"}. Fields Solaris sends as anything but a string are null.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record SolarisJwk(String kid, String kty, String use, String alg, String n, String e) {}
