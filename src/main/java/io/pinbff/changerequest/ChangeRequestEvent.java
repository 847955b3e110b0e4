package io.pinbff.changerequest;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** One row of the audit trail: a status change or a call, and how it ended. Never content. */
@Entity
@Table(name = "change_request_event")
public class ChangeRequestEvent extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "change_request_id", nullable = false)
    public UUID changeRequestId;

    @Column(name = "card_id", nullable = false)
    public String cardId;

    @Column(name = "person_id", nullable = false)
    public String personId;

    @Column(nullable = false)
    public String action;

    @Column(name = "from_status")
    public String fromStatus;

    @Column(name = "to_status")
    public String toStatus;

    @Column(nullable = false)
    public String outcome;

    @Column(nullable = false)
    public Instant at;

    static void record(ChangeRequest request, String action, ChangeRequestStatus from, String outcome, Instant at) {
        ChangeRequestEvent event = new ChangeRequestEvent();
        event.changeRequestId = request.id;
        event.cardId = request.cardId;
        event.personId = request.personId;
        event.action = action;
        event.fromStatus = from == null ? null : from.name();
        event.toStatus = request.status.name();
        event.outcome = outcome.length() > 96 ? outcome.substring(0, 96) : outcome;
        event.at = at;
        event.persist();
    }
}
