package io.pinbff.changerequest;

import java.time.Instant;
import java.util.UUID;

/**
 * A change request as stored (table change_request), read and written by {@link ChangeRequestStore}
 * only, with plain SQL. {@link #version} goes up by one with every write of the row.
 */
public class ChangeRequest {

    public UUID id;

    public String solarisId;

    public String cardId;

    public String personId;

    public ChangeRequestStatus status;

    public String authorizeUrl;

    public String stringToSign;

    public String deliveryMethod;

    public String deviceId;

    public int confirmAttempts;

    public Instant createdAt;

    public Instant updatedAt;

    public Instant expiresAt;

    public Instant syncedAt;

    public long version;

    /** The fields a change may alter, to tell whether it altered any (no write, no new version, when not). */
    Object[] mutable() {
        return new Object[] { solarisId, status, authorizeUrl, stringToSign, deliveryMethod, deviceId, confirmAttempts,
                updatedAt, expiresAt, syncedAt };
    }

    /** The status as the app must see it at {@code now}: an open request past its expiry reads EXPIRED. */
    public ChangeRequestStatus statusAt(Instant now) {
        return status.open() && !now.isBefore(expiresAt) ? ChangeRequestStatus.EXPIRED : status;
    }
}
