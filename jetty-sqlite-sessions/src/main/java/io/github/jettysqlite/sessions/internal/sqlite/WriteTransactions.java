package io.github.jettysqlite.sessions.internal.sqlite;

import io.github.jettysqlite.sessions.internal.CachedConnection;
import io.github.jettysqlite.sessions.internal.SqlWork;
import java.sql.SQLException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The write connection of a database file and the transactions {@link GroupCommitWriter} runs on it: a batch in one
 * {@code BEGIN IMMEDIATE ... COMMIT}, a lone statement in autocommit, each write retried alone when its batch failed
 * because of one of them, and the connection replaced whenever its state is unknown. Not thread-safe: only the
 * holder of the writer calls it.
 */
final class WriteTransactions {
    private static final Logger LOG = LoggerFactory.getLogger(GroupCommitWriter.class);

    private final GroupCommitWriter.Opener opener;
    private final GroupCommitWriter.CommitListener listener;
    private CachedConnection connection;
    private boolean closed;
    private long transactions;
    private long writes;

    WriteTransactions(
            CachedConnection connection, GroupCommitWriter.Opener opener, GroupCommitWriter.CommitListener listener) {
        this.connection = connection;
        this.opener = opener;
        this.listener = listener;
    }

    /** Runs work on the connection outside any transaction of its own, for pragmas and checkpoints. */
    <R> R exclusive(SqlWork<R> work) throws SQLException {
        try {
            return work.run(requireConnection());
        } catch (RuntimeException e) {
            // Work that failed this way may have left the connection in a state nobody knows.
            if (connection != null) {
                discardConnection(e);
            }
            throw e;
        }
    }

    GroupCommitWriter.Counts counts() {
        return new GroupCommitWriter.Counts(transactions, writes);
    }

    /** Closes the connection; every later write fails, and none opens a connection nobody would close. */
    void close() throws SQLException {
        closed = true;
        if (connection != null) {
            connection.close();
            connection = null;
        }
    }

    /**
     * Commits the batch in one transaction; when a write's own statement or the commit fails, each write is tried
     * again in a transaction of its own, so that it fails alone. Every write of the batch learns an outcome.
     */
    void commitBatch(List<PendingWrite<?>> batch) {
        Failure failure = tryCommit(batch);
        if (failure == null) {
            return;
        }
        if (failure.beforeAnyWrite || batch.size() == 1) {
            batch.forEach(p -> p.fail(failure.cause));
            return;
        }
        for (int i = 0; i < batch.size(); i++) {
            Failure alone = tryCommit(batch.subList(i, i + 1));
            if (alone == null) {
                continue;
            }
            if (alone.beforeAnyWrite) {
                batch.subList(i, batch.size()).forEach(p -> p.fail(alone.cause));
                return;
            }
            batch.get(i).fail(alone.cause);
        }
    }

    /**
     * Runs the writes in one transaction; on success marks each done and tells the listener.
     *
     * @return null on success, otherwise what failed, the transaction rolled back
     */
    private Failure tryCommit(List<PendingWrite<?>> batch) {
        if (batch.size() == 1 && batch.get(0).singleStatement()) {
            return runAlone(batch.get(0));
        }
        CachedConnection c;
        try {
            c = requireConnection();
            c.execute("BEGIN IMMEDIATE");
        } catch (SQLException | RuntimeException e) {
            forgetStatements();
            if (String.valueOf(e.getMessage()).contains("within a transaction")) {
                // Some earlier work left a transaction open on this connection (a failed rollback elsewhere): it
                // is in a state nobody knows, and must not carry the writes.
                discardConnection(e);
            }
            return new Failure(e, true);
        }
        try {
            for (PendingWrite<?> p : batch) {
                p.run(c);
            }
            c.execute("COMMIT");
        } catch (SQLException | RuntimeException e) {
            rollback();
            return new Failure(e, false);
        } catch (Error e) {
            rollback();
            throw e;
        }
        transactions++;
        writes += batch.size();
        batch.forEach(PendingWrite::succeed);
        afterCommit(c);
        return null;
    }

    /** A single statement with no company: SQLite's autocommit makes it its own transaction. */
    private Failure runAlone(PendingWrite<?> pending) {
        CachedConnection c;
        try {
            c = requireConnection();
        } catch (SQLException | RuntimeException e) {
            return new Failure(e, true);
        }
        try {
            pending.run(c);
        } catch (SQLException | RuntimeException e) {
            // A failed statement in autocommit mode has rolled itself back: there is no transaction left to end. Not
            // getting the write lock is what a failed BEGIN would have been; anything else is this write's own fault.
            c.forgetStatements();
            return new Failure(e, SQLiteErrors.isLockWait(e));
        }
        transactions++;
        writes++;
        pending.succeed();
        afterCommit(c);
        return null;
    }

    private void afterCommit(CachedConnection c) {
        try {
            listener.committed(c, transactions);
        } catch (RuntimeException e) {
            // Housekeeping must never turn a committed write into a failed one. What it could not finish may have
            // left the connection mid-transaction, where a lone statement's autocommit would never commit: replace it.
            LOG.debug("Housekeeping after a commit failed", e);
            discardConnection(e);
        }
    }

    CachedConnection requireConnection() throws SQLException {
        if (closed) {
            throw new SQLException("the session database is closed");
        }
        if (connection == null) {
            connection = opener.open();
        }
        return connection;
    }

    private void forgetStatements() {
        if (connection != null) {
            connection.forgetStatements();
        }
    }

    private void rollback() {
        connection.forgetStatements();
        try {
            connection.execute("ROLLBACK");
        } catch (SQLException e) {
            // SQLite rolls back by itself after some failures (SQLITE_FULL, for one); then there is nothing left to
            // undo. Any other failure leaves the connection in a state nobody knows: it must not carry another write.
            if (String.valueOf(e.getMessage()).contains("no transaction is active")) {
                return;
            }
            discardConnection(e);
        }
    }

    /** Closes a connection whose transaction state is unknown; the next write opens a fresh one. */
    void discardConnection(Exception why) {
        LOG.warn("The write connection is in a state nobody knows ({}); replacing it", why.toString());
        try {
            connection.close();
        } catch (SQLException ignored) {
            // it is being discarded because it misbehaved
        }
        connection = null;
    }

    /** Why a transaction failed, and whether it failed before any write ran (so none of them is at fault). */
    private record Failure(Exception cause, boolean beforeAnyWrite) {}
}
