package io.github.jettysqlite.sessions.postgresql.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.postgresql.core.BaseConnection;
import org.postgresql.core.QueryExecutor;

/**
 * A connection that {@code LISTEN}s on a channel, the server process behind it when it began, the round trip's
 * statement, prepared once (the server then only binds and runs it, which matters when it shares the machine's cores
 * with the nodes), and how to take the notifications the driver received. Used by one thread at a time (see {@link
 * ChangeListener}).
 */
record Listening(Connection connection, int serverPid, PreparedStatement askPid, Received received) {
    private static final String ASK_PID = "SELECT pg_backend_pid()";

    /** Takes the notifications the driver has received and not handed out before. */
    @FunctionalInterface
    interface Received {
        PGNotification[] take() throws SQLException;
    }

    /** Makes {@code opened} listen on {@code channel}; gives it back and fails when it cannot. */
    static Listening on(Connection opened, String channel, int timeoutMs) throws SQLException {
        if (opened == null) {
            throw new SQLException("the driver did not accept the URL");
        }
        try {
            // Unwrapped first: a connection that cannot give its notifications must not be left listening.
            Received received = received(opened);
            opened.setAutoCommit(true);
            opened.setNetworkTimeout(Runnable::run, timeoutMs);
            PreparedStatement askPid = opened.prepareStatement(ASK_PID);
            // In one transaction, which even a transaction-mode pooler keeps on one server process: the process asked
            // for is the one that listens.
            opened.setAutoCommit(false);
            try (Statement listen = opened.createStatement()) {
                // The channel is a constant, not input.
                listen.execute("LISTEN " + channel);
            }
            int serverPid = askServerPid(askPid);
            opened.commit();
            opened.setAutoCommit(true);
            return new Listening(opened, serverPid, askPid, received);
        } catch (SQLException | RuntimeException | LinkageError e) {
            giveBack(opened);
            throw e;
        }
    }

    /**
     * The driver's queue of received notifications, read without touching the socket (see {@link #roundTrip}); for a
     * wrapper that only gives pgjdbc's public interface, that interface's way, which polls the socket: as right, only
     * slower.
     */
    private static Received received(Connection opened) throws SQLException {
        if (opened.isWrapperFor(BaseConnection.class)) {
            QueryExecutor executor = opened.unwrap(BaseConnection.class).getQueryExecutor();
            return executor::getNotifications;
        }
        PGConnection driver = opened.unwrap(PGConnection.class);
        return driver::getNotifications;
    }

    /**
     * The round trip: answered only after the server has sent every notification committed before it began; fails
     * when the connection now reaches another server process than the one that listens.
     *
     * <p>The notifications are those the driver collected while it read the answer, taken from its queue. Not through
     * {@code PGConnection.getNotifications()}: that also polls the socket for notifications sent after the answer, by
     * a read that waits 1 ms and then fails, so every round trip, and every request waiting for it, would wait a
     * millisecond for what it need not see (whatever comes later is read ahead of the next answer).
     *
     * @return the notifications received so far (and not returned before), never null
     */
    PGNotification[] roundTrip() throws SQLException {
        int pid = askServerPid(askPid);
        if (pid != serverPid) {
            throw new ReachesAnotherServerProcess(serverPid, pid);
        }
        PGNotification[] notifications = received.take();
        return notifications == null ? new PGNotification[0] : notifications;
    }

    /** A pooler in transaction or statement mode hands each statement to whichever server connection is free. */
    static final class ReachesAnotherServerProcess extends SQLException {
        ReachesAnotherServerProcess(int listening, int reached) {
            super("the listening connection reached another server process (" + reached + " after " + listening
                    + "): a pooler in transaction or statement mode passes notifications to whoever holds the server"
                    + " connection; listening needs a connection of its own, so the signals stay off until restart");
        }
    }

    private static int askServerPid(PreparedStatement askPid) throws SQLException {
        try (ResultSet pid = askPid.executeQuery()) {
            pid.next();
            return pid.getInt(1);
        }
    }

    /**
     * Aborted, so that closing a connection that stopped answering does not wait for it, and then closed, so that a
     * pool that lent it (an application's data source) takes its place back rather than counting it in use for good.
     */
    void abort() {
        try {
            connection.abort(Runnable::run);
        } catch (SQLException | RuntimeException ignored) {
            // closed below all the same
        }
        try {
            connection.close();
        } catch (SQLException | RuntimeException ignored) {
            // an aborted connection may refuse; the pool has seen it fail
        }
    }

    /**
     * Stops listening before the connection goes back, so that a pool that lent it (an application's data source)
     * does not lend out a connection still collecting notifications nobody reads.
     */
    static void giveBack(Connection c) {
        try (Statement unlisten = c.createStatement()) {
            unlisten.execute("UNLISTEN *");
        } catch (SQLException | RuntimeException ignored) {
            // broken: the pool discards it
        }
        try {
            c.close();
        } catch (SQLException | RuntimeException ignored) {
            // already broken; nothing more to give back
        }
    }
}
