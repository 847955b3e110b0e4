package io.pinbff.solaris;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/** The bodies the BFF sends to Solaris, field for field as Solaris names them. */
public final class SolarisRequests {

    private SolarisRequests() {}

    /** {@code POST /v1/cards/{id}/pin_update_requests}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record PinUpdate(
            @JsonProperty("device_id") String deviceId,
            @JsonProperty("encrypted_pin") String encryptedPin,
            @JsonProperty("key_id") String keyId,
            @JsonProperty("signature") String signature,
            @JsonProperty("device_data") String deviceData) {}

    /** {@code POST /v1/cards/{id}/sca_pin_update_requests}. */
    public record ScaPinUpdate(
            @JsonProperty("encrypted_pin") String encryptedPin,
            @JsonProperty("key_id") String keyId) {}

    /** {@code POST /v1/change_requests/{id}/authorize}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Authorize(
            @JsonProperty("delivery_method") String deliveryMethod,
            @JsonProperty("person_id") String personId,
            @JsonProperty("device_id") String deviceId) {}

    /** {@code POST /v1/change_requests/{id}/confirm}: a TAN, or a device signature. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Confirm(
            @JsonProperty("person_id") String personId,
            @JsonProperty("tan") String tan,
            @JsonProperty("device_id") String deviceId,
            @JsonProperty("signature") String signature) {

        public static Confirm withTan(String personId, String tan) {
            return new Confirm(personId, tan, null, null);
        }

        public static Confirm withSignature(String deviceId, String signature) {
            return new Confirm(null, null, deviceId, signature);
        }
    }
}
