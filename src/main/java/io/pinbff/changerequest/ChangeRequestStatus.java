package io.pinbff.changerequest;

/**
 * The change-request state machine, in one place. Statuses only move forward (by rank); COMPLETED,
 * FAILED and EXPIRED are final. EXPIRED is the BFF's own: an open request past its expiry.
 */
public enum ChangeRequestStatus {
    ACCEPTED(0),
    AUTHORIZATION_REQUIRED(1),
    CONFIRMATION_REQUIRED(2),
    COMPLETED(3),
    FAILED(3),
    EXPIRED(3);

    private final int rank;

    ChangeRequestStatus(int rank) {
        this.rank = rank;
    }

    public boolean open() {
        return rank < 3;
    }

    public boolean canMoveTo(ChangeRequestStatus next) {
        return open() && next.rank > rank;
    }

    /**
     * Like {@link #canMoveTo}, for an outcome Solaris reported: a request the BFF expired while a
     * confirm was already on its way may still end COMPLETED (or FAILED) — Solaris acted on it, and
     * the app must never be told EXPIRED about a PIN that changed.
     */
    public boolean canSettleTo(ChangeRequestStatus next) {
        return canMoveTo(next) || (this == EXPIRED && (next == COMPLETED || next == FAILED));
    }

    /** Solaris' status string, or null when it is not one we know. */
    static ChangeRequestStatus fromSolaris(String value) {
        if (value == null) {
            return null;
        }
        for (ChangeRequestStatus s : values()) {
            if (s != EXPIRED && s.name().equals(value)) {
                return s;
            }
        }
        return null;
    }
}
