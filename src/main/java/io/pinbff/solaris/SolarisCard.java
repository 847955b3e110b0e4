package io.pinbff.solaris;

/** What the BFF needs of a Solaris card: its owner and its status. */
public record SolarisCard(String id, String personId, String status) {
    public boolean active() {
        return "ACTIVE".equals(status);
    }
}
