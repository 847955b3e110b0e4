package io.pinbff.solaris;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import java.io.IOException;

/**
 * A Solaris change request as every change-request call answers it (create, get, authorize,
 * confirm). {@code responseCode} and {@code responseBody} are the outcome of the PIN update a
 * confirm ran: 0 and null when Solaris gave none.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record SolarisChangeRequest(
        String id,
        String status,
        String url,
        @JsonProperty("string_to_sign") String stringToSign,
        @JsonProperty("response_code") @JsonDeserialize(using = LenientInt.class) int responseCode,
        @JsonProperty("response_body") SolarisErrors responseBody) {

    /** An integer as Solaris may send it (a number, or a string holding one); 0 when it is neither. */
    static final class LenientInt extends StdDeserializer<Integer> {
        LenientInt() {
            super(Integer.class);
        }

        @Override
        public Integer deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            JsonNode node = p.readValueAsTree();
            return node == null ? 0 : node.asInt(0);
        }

        @Override
        public Integer getNullValue(DeserializationContext ctxt) {
            return 0;
        }
    }
}
