package io.github.jettysqlite.sessions.postgresql.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The two bounds on waiting for an answer that a connection carries: the driver's, after which the client gives a
 * statement up and closes the connection, and the server's {@code statement_timeout}, after which the server
 * cancels the statement itself. Lengthy work lifts both for its statements and puts them back after.
 */
final class AnswerBounds {
    /** What a connection had before lengthy work lifted it. */
    record Saved(int networkTimeoutMs, String statementTimeout) {}

    private AnswerBounds() {}

    /**
     * Lets the connection wait {@code answerTimeoutMs} for each answer, and the server run each statement a second
     * less; returns what to restore.
     */
    static Saved lift(Connection connection, int answerTimeoutMs) throws SQLException {
        Saved saved = new Saved(connection.getNetworkTimeout(), statementTimeout(connection));
        // The server's first: if that fails, nothing has changed.
        setStatementTimeout(connection, (answerTimeoutMs - 1_000) + "ms");
        connection.setNetworkTimeout(Runnable::run, answerTimeoutMs);
        return saved;
    }

    /** Puts back what {@link #lift} saved. */
    static void restore(Connection connection, Saved saved) throws SQLException {
        // The driver's first, so that a server gone silent meanwhile holds this only as long as any request.
        connection.setNetworkTimeout(Runnable::run, saved.networkTimeoutMs());
        setStatementTimeout(connection, saved.statementTimeout());
    }

    private static String statementTimeout(Connection connection) throws SQLException {
        try (PreparedStatement show = connection.prepareStatement("SELECT current_setting('statement_timeout')");
                ResultSet row = show.executeQuery()) {
            row.next();
            return row.getString(1);
        }
    }

    private static void setStatementTimeout(Connection connection, String value) throws SQLException {
        // set_config takes the value as a parameter, where SET would need it spliced into the statement.
        try (PreparedStatement set = connection.prepareStatement("SELECT set_config('statement_timeout', ?, false)")) {
            set.setString(1, value);
            set.executeQuery().close();
        }
    }
}
