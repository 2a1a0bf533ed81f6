package io.github.jettysqlite.sessions.postgresql.internal;

import io.github.jettysqlite.sessions.SessionDatabaseException;
import io.github.jettysqlite.sessions.internal.Redaction;
import io.github.jettysqlite.sessions.internal.table.SchemaException;
import java.net.SocketTimeoutException;
import java.sql.SQLException;

/**
 * Turns a PostgreSQL failure into a sentence that names the server and says what went wrong: the cause travels
 * as a standard SQLSTATE. Every message is scrubbed of passwords first.
 */
final class PostgreSQLErrors {
    private PostgreSQLErrors() {}

    static SessionDatabaseException describe(String location, Exception failure, String password) {
        if (failure instanceof SessionDatabaseException described) {
            return described;
        }
        Exception e = Redaction.scrubbed(failure, password);
        if (e instanceof SchemaException) {
            return new SessionDatabaseException("Session database " + location + " " + e.getMessage(), e);
        }
        String state = null;
        for (Throwable t = e; t != null && state == null; t = t.getCause()) {
            if (t instanceof SQLException sql) {
                state = sql.getSQLState();
            }
        }
        String cause = answerNeverCame(e) ? UNANSWERED : state == null ? null : causeOfState(state);
        return new SessionDatabaseException(
                "Session database " + location + (cause == null ? " failed" : " " + cause) + ": " + e.getMessage(), e);
    }

    private static final String UNANSWERED = "did not answer in time (its machine or the network may be down, or it is"
            + " too busy to answer; see connectionTimeoutMs)";

    /** The pool's bound on waiting for an answer ran out (see PostgreSQLConnectionSettings.answerTimeoutSeconds). */
    private static boolean answerNeverCame(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SocketTimeoutException) {
                return true;
            }
        }
        return false;
    }

    private static String causeOfState(String state) {
        if (state.startsWith("08")) {
            return "cannot be reached (check the host, the port and that the server is running)";
        }
        if (state.startsWith("28")) {
            return "refused the credentials";
        }
        if (state.equals("3D000")) {
            return "has no such database";
        }
        if (state.equals("42501")) {
            return "denied this user the privilege it needs";
        }
        if (state.equals("53100")) {
            return "is full (no space left on the server's disk)";
        }
        if (state.startsWith("53")) {
            return "is out of resources (connections or memory)";
        }
        if (state.equals("57014")) {
            return "cancelled the statement (it ran past its statement_timeout, most often waiting for a lock another"
                    + " connection holds; or someone cancelled it with pg_cancel_backend)";
        }
        if (state.equals("55P03")) {
            return "gave up waiting for a lock another transaction holds (lock_timeout; pg_locks and pg_stat_activity"
                    + " show which transaction holds it)";
        }
        if (state.startsWith("57")) {
            return "is shutting down or cancelled the statement";
        }
        return null;
    }
}
