package io.github.jettysqlite.sessions.postgresql.internal;

import java.sql.SQLException;

/**
 * Failures after which the same work can run again on a fresh connection and mean the same: the server closed or
 * lost the connection, or was not yet accepting them (SQLSTATE class 08; 57P01 administrator shutdown, 57P02 crash
 * shutdown, 57P03 cannot connect now, as during a restart or a failover; the pool's own timeout while it could not
 * connect, when it says so), or rolled the transaction back to order it after another (40001 serialization failure, 40P01 deadlock).
 *
 * <p>Running a store's work again is safe even when the first try committed before its connection broke: a first
 * write binds its version and replaces the row with the same values; metadata only moves forward (max, newer access
 * wins); an attribute write conditional on a version that the lost try already moved on finds the row changed and
 * merges this request's changes again, byte for byte, onto the row that holds them already; a delete of a row gone
 * deletes nothing; the sweeps delete what is expired, whoever deleted the rest.
 */
final class ConnectionLoss {
    private ConnectionLoss() {}

    /**
     * The server closed or lost the connection, or is not accepting connections yet: a SQLSTATE says so somewhere in
     * the causes. The pool's own timeout counts only when it carries such a state (its last attempt to connect
     * failed so); without one, the pool was merely exhausted by load, which waiting longer would only make worse.
     */
    static boolean isConnectionLoss(Throwable failure) {
        return anyState(failure, "08", "57P01", "57P02", "57P03");
    }

    /** The server rolled the transaction back to order it after a concurrent one. */
    static boolean isConflict(Throwable failure) {
        return anyState(failure, "40001", "40P01");
    }

    /** The server cancelled the statement: its {@code statement_timeout} ran out, or someone cancelled it. */
    static boolean isCancelled(Throwable failure) {
        return anyState(failure, "57014");
    }

    private static boolean anyState(Throwable failure, String... prefixes) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                for (String prefix : prefixes) {
                    if (sql.getSQLState().startsWith(prefix)) {
                        return true;
                    }
                }
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }
}
