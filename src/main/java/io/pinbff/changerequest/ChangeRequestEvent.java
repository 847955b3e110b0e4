package io.pinbff.changerequest;

import io.pinbff.sql.Sql;
import java.sql.Connection;
import java.sql.SQLException;
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
        Sql.update(c, INSERT, request.id, request.cardId, request.personId, action, from == null ? null : from.name(),
                request.status.name(), outcome.length() > 96 ? outcome.substring(0, 96) : outcome, at);
    }
}
