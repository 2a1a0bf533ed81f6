package io.github.jettysqlite.sessions.internal;

import io.github.jettysqlite.sessions.SessionDatabaseException;

/**
 * Where a store's statements run: an SQLite file or a PostgreSQL server. This says only how a unit of work gets a
 * connection and a transaction; the statements come from the table package, and what only one engine can do (an
 * SQLite file's maintenance) is that engine's own.
 */
public interface SessionDatabase {
    /** Runs the work in a write transaction; it commits when the work returns and rolls back when it throws. */
    <R> R write(SqlWork<R> work) throws SessionDatabaseException;

    /**
     * Runs work that is a single statement, atomic on its own. Where each transaction costs a round trip to a
     * server (PostgreSQL), it runs without an explicit transaction, so the statement's own commit is the only one;
     * an SQLite file gives it to its group-committing writer, which runs it the same way when it commits alone.
     */
    default <R> R writeStatement(SqlWork<R> work) throws SessionDatabaseException {
        return write(work);
    }

    /** Runs the work on a connection that sees every transaction committed before it started. */
    <R> R read(SqlWork<R> work) throws SessionDatabaseException;

    /** What writers announce to caches of this database; {@link ChangeSignals#NONE} where nothing is shared. */
    default ChangeSignals signals() {
        return ChangeSignals.NONE;
    }

    /**
     * Runs database calls that may change any number of sessions (a sweep, an administrator's deletion, moving rows)
     * announced as a change of all, so that every cache reads its sessions' rows again.
     */
    default <R> R changingAll(DatabaseCall<R> call) throws SessionDatabaseException {
        ChangeSignals.Change change = signals().beginAll();
        try {
            return call.call();
        } finally {
            signals().end(change);
        }
    }

    /**
     * Runs database calls that may rightly take long: creating or upgrading the table, an administrator's counts,
     * pages and purges. An engine that gives up on a statement whose answer is late (a server gone silent) gives these
     * far longer. Not the store's sweeps: their statements are short by design, and they run on
     * Jetty's scheduler, which must not wait on a server that will never answer.
     */
    default <R> R lengthy(DatabaseCall<R> call) throws SessionDatabaseException {
        return call.call();
    }

    /**
     * This database for an administrator's tools, where every call runs as {@link #lengthy} work: itself where
     * {@code lengthy} changes nothing, otherwise one {@link UnhurriedDatabase} over it (one, so that two tools on one
     * database can tell it is the same).
     */
    default SessionDatabase unhurried() {
        return this;
    }

    /** Calls on a database, to announce as one change. */
    @FunctionalInterface
    interface DatabaseCall<R> {
        R call() throws SessionDatabaseException;
    }

    /** Outages of this database seen by the work run on it; none are counted where the engine never retries. */
    default OutageWatch outages() {
        return null;
    }

    /** What to name in messages: the file, or the server URL without credentials. */
    String location();

    /** Closes what this database opened; {@link io.github.jettysqlite.sessions.internal.engine.SharedDatabases} calls it when the last user has gone. */
    void close();
}
