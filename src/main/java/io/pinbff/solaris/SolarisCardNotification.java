package io.pinbff.solaris;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * What the BFF reads of a Solaris {@code CARD_LIFECYCLE_EVENT_NOTIFICATION} webhook body: the ID of
 * the card that changed (null when Solaris sent none, or not as a string).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record SolarisCardNotification(String id) {}
