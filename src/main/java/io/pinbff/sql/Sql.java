package io.pinbff.sql;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * Plain JDBC, the little of it the service needs: a statement in auto-commit mode, statements in one
 * short transaction, positional parameters ({@link Instant}s bound as timestamps), rows mapped by the
 * caller. No ORM, no JTA: every write of the service is one or a few statements it names itself.
 */
public final class Sql {

    private Sql() {
    }

    /** Statements on one connection. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /** One row of a result, as the caller wants it. */
    @FunctionalInterface
    public interface Row<T> {
        T map(ResultSet rs) throws SQLException;
    }

    /** PostgreSQL refused or failed a statement; {@link #sqlState} says how (23505: a unique violation). */
    public static final class Failure extends RuntimeException {
        public final String sqlState;

        Failure(SQLException cause) {
            super("SQL state " + cause.getSQLState(), cause);
            this.sqlState = cause.getSQLState();
        }
    }

    /** {@code work} in auto-commit mode: each statement commits on its own. */
    public static <T> T autoCommit(DataSource db, Work<T> work) {
        try (Connection c = db.getConnection()) {
            return work.run(c);
        } catch (SQLException e) {
            throw new Failure(e);
        }
    }

    /** {@code work} in one transaction: committed when it returns, rolled back when it throws. */
    public static <T> T transaction(DataSource db, Work<T> work) {
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new Failure(e);
        }
    }

    /** An insert, update or delete; returns the rows it touched. */
    public static int update(Connection c, String sql, Object... parameters) throws SQLException {
        try (PreparedStatement statement = c.prepareStatement(sql)) {
            bind(statement, parameters);
            return statement.executeUpdate();
        }
    }

    /** A query (or a statement with {@code returning}); every row through {@code row}. */
    public static <T> List<T> query(Connection c, String sql, Row<T> row, Object... parameters) throws SQLException {
        try (PreparedStatement statement = c.prepareStatement(sql)) {
            bind(statement, parameters);
            try (ResultSet rs = statement.executeQuery()) {
                List<T> rows = new ArrayList<>();
                while (rs.next()) {
                    rows.add(row.map(rs));
                }
                return rows;
            }
        }
    }

    private static void bind(PreparedStatement statement, Object... parameters) throws SQLException {
        for (int i = 0; i < parameters.length; i++) {
            Object p = parameters[i];
            if (p instanceof Instant at) {
                statement.setTimestamp(i + 1, Timestamp.from(at));
            } else {
                statement.setObject(i + 1, p);
            }
        }
    }
}
