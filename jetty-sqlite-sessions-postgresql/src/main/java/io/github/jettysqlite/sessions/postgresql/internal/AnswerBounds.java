package io.github.jettysqlite.sessions.postgresql.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * The two bounds on waiting for an answer that a connection carries: the driver's, after which the client gives a
 * statement up and closes the connection, and the server's {@code statement_timeout}, after which the server
 * cancels the statement itself. Lengthy work lifts both for its transaction.
 */
final class AnswerBounds {
    private AnswerBounds() {}

    /**
     * Lets the connection wait {@code answerTimeoutMs} for each answer, and the server run each statement of the
     * transaction under way a second less; returns the driver's bound to put back with {@link #restore} once the
     * transaction is over. The server's bound needs no putting back: it is local to the transaction, and ends with it
     * whether it commits or rolls back, so a failure half-way leaves nothing behind, and a pooler that lends a server
     * connection per transaction (PgBouncer in transaction mode) never passes it on to another client.
     */
    static int lift(Connection connection, int answerTimeoutMs) throws SQLException {
        int networkTimeoutMs = connection.getNetworkTimeout();
        // set_config takes the value as a parameter, where SET LOCAL would need it spliced into the statement.
        try (PreparedStatement set = connection.prepareStatement("SELECT set_config('statement_timeout', ?, true)")) {
            set.setString(1, (answerTimeoutMs - 1_000) + "ms");
            set.executeQuery().close();
        }
        connection.setNetworkTimeout(Runnable::run, answerTimeoutMs);
        return networkTimeoutMs;
    }

    /**
     * The statement that brings a new connection's {@code statement_timeout} down to {@code ms}, leaving one already
     * lower (set on the role or the database) as it is. A role-level setting is also the way to keep this statement
     * from changing anything behind a pooler that lends server connections per transaction, where a session's
     * setting outlives the client that made it.
     */
    static String capStatementTimeout(int ms) {
        return capSetting("statement_timeout", ms, false);
    }

    /**
     * The statement that brings a setting in milliseconds (0 meaning none) down to {@code ms}, for the session or,
     * with {@code transactionOnly}, for the transaction under way, leaving one already lower as it is.
     */
    static String capSetting(String name, int ms, boolean transactionOnly) {
        // pg_settings gives the value in milliseconds, whatever unit it was set in.
        return "SELECT set_config('" + name + "', '" + ms + "ms', " + transactionOnly + ") FROM pg_settings"
                + " WHERE name = '" + name + "' AND (setting::bigint = 0 OR setting::bigint > " + ms + ")";
    }

    /** Puts back the driver's bound {@link #lift} returned; no round trip to the server. */
    static void restore(Connection connection, int networkTimeoutMs) throws SQLException {
        connection.setNetworkTimeout(Runnable::run, networkTimeoutMs);
    }
}
