package io.pinbff.changerequest;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import java.time.Instant;
import java.util.UUID;

/** A change request as stored. Status changes go through {@link ChangeRequestStore} only. */
@Entity
@Table(name = "change_request")
public class ChangeRequest extends PanacheEntityBase {

    @Id
    public UUID id;

    @Column(name = "solaris_id")
    public String solarisId;

    @Column(name = "card_id", nullable = false)
    public String cardId;

    @Column(name = "person_id", nullable = false)
    public String personId;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false)
    public ChangeRequestStatus status;

    @Column(name = "authorize_url")
    public String authorizeUrl;

    @Column(name = "string_to_sign")
    public String stringToSign;

    @Column(name = "delivery_method")
    public String deliveryMethod;

    @Column(name = "device_id")
    public String deviceId;

    @Column(name = "confirm_attempts", nullable = false)
    public int confirmAttempts;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;

    @Column(name = "expires_at", nullable = false)
    public Instant expiresAt;

    @Column(name = "synced_at", nullable = false)
    public Instant syncedAt;

    @Version
    public long version;

    /** The status as the app must see it at {@code now}: an open request past its expiry reads EXPIRED. */
    public ChangeRequestStatus statusAt(Instant now) {
        return status.open() && !now.isBefore(expiresAt) ? ChangeRequestStatus.EXPIRED : status;
    }
}
