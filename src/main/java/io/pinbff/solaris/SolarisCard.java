package io.pinbff.solaris;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/** What the BFF needs of a Solaris card ({@code GET /v1/cards/{id}}): its owner and its status. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record SolarisCard(String id, @JsonProperty("person_id") String personId, String status) {
    public boolean active() {
        return "ACTIVE".equals(status);
    }
}
