package io.pinbff.changerequest;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;

/**
 * One row of the audit trail (table change_request_event): a status change or a call, and how it
 * ended. Never content. Written in the transaction of the change it records.
 */
final class ChangeRequestEvent {

    private static final String INSERT = "insert into change_request_event "
            + "(change_request_id, card_id, person_id, action, from_status, to_status, outcome, at) "
            + "values (?, ?, ?, ?, ?, ?, ?, ?)";

    private ChangeRequestEvent() {
    }

    static void record(Connection c, ChangeRequest request, String action, ChangeRequestStatus from, String outcome,
            Instant at) throws SQLException {
        try (PreparedStatement insert = c.prepareStatement(INSERT)) {
            insert.setObject(1, request.id);
            insert.setString(2, request.cardId);
            insert.setString(3, request.personId);
            insert.setString(4, action);
            insert.setString(5, from == null ? null : from.name());
            insert.setString(6, request.status.name());
            insert.setString(7, outcome.length() > 96 ? outcome.substring(0, 96) : outcome);
            insert.setTimestamp(8, Timestamp.from(at));
            insert.executeUpdate();
        }
    }
}
