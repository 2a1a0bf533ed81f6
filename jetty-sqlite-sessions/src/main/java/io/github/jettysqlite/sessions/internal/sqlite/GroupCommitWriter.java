package io.github.jettysqlite.sessions.internal.sqlite;

import io.github.jettysqlite.sessions.internal.CachedConnection;
import io.github.jettysqlite.sessions.internal.SqlWork;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one write connection of a database file, shared by every store on that file, with group commit.
 *
 * <p>SQLite admits one writer at a time and every commit costs a WAL append (and an fsync under
 * {@code synchronous=FULL}). Callers therefore queue their work and then take the writer lock; whoever holds it
 * runs everything queued so far in one {@code BEGIN IMMEDIATE ... COMMIT} transaction and marks each piece done.
 * A caller whose work a previous holder already committed finds it done and returns at once. Nobody returns before
 * the transaction holding their work has committed. With one thread this is one transaction per write; under
 * concurrency many writes share one commit. Callers that find the writer busy park instead of queueing on its
 * lock, so that a leader's batch completes them all at once rather than handing the lock along one by one.
 *
 * <p>Failures fail fast and alone. When the transaction cannot even begin (another process holds the write lock
 * past the busy timeout), every write of the batch fails at once with that cause: retrying each would make the
 * k-th caller wait k busy timeouts. When a write's own statement or the commit fails, the transaction is rolled back
 * and each write is retried in a transaction of its own, so one bad write (say, a full disk hit by a large blob)
 * fails alone and the others land. A connection whose rollback failed is in an unknown state and is replaced.
 *
 * <p>Transactions are begun with an explicit {@code BEGIN IMMEDIATE} on a connection left in auto-commit mode;
 * sqlite-jdbc's own transaction mode would begin the next transaction right after each commit and keep the
 * write lock while idle.
 */
final class GroupCommitWriter {
    private static final Logger LOG = LoggerFactory.getLogger(GroupCommitWriter.class);

    /** Bounds one transaction, so a burst of writes does not hold the write lock for too long. */
    private static final int MAX_BATCH = 256;

    /** How long a parked caller sleeps before it looks at the writer again, should a wake-up ever go astray. */
    private static final long RECHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    /** Runs after each commit, still holding the writer: the place for checkpoints. */
    @FunctionalInterface
    interface CommitListener {
        void committed(CachedConnection connection, long transactions);
    }

    /** Opens a fresh write connection, to replace one left in an unknown state. */
    @FunctionalInterface
    interface Opener {
        CachedConnection open() throws SQLException;
    }

    private final Opener opener;
    private final CommitListener listener;
    private final ReentrantLock lock = new ReentrantLock();
    private final ConcurrentLinkedQueue<PendingWrite<?>> queue = new ConcurrentLinkedQueue<>();
    private CachedConnection connection;
    private boolean closed;
    private long transactions;
    private long writes;

    GroupCommitWriter(CachedConnection connection, Opener opener, CommitListener listener) {
        this.connection = connection;
        this.opener = opener;
        this.listener = listener;
    }

    /**
     * Runs the work inside a committed write transaction and returns its result once that commit is done.
     *
     * @throws SQLException when the write failed, or the caller was interrupted before a leader took its write
     */
    <R> R write(SqlWork<R> work) throws SQLException {
        return submit(new PendingWrite<>(work, Thread.currentThread(), false));
    }

    /**
     * Like {@link #write}, for work that is one statement: when it is the only write of its transaction it runs in
     * SQLite's autocommit mode, which takes the same locks (waiting for them as long as the busy timeout) and commits
     * as the statement ends, and saves the two statements of an explicit transaction: a sixth of a small write.
     */
    <R> R writeStatement(SqlWork<R> work) throws SQLException {
        return submit(new PendingWrite<>(work, Thread.currentThread(), true));
    }

    private <R> R submit(PendingWrite<R> pending) throws SQLException {
        queue.add(pending);
        boolean interrupted = false;
        try {
            while (!pending.done()) {
                if (lock.tryLock()) {
                    leadUntilDone(pending);
                } else {
                    interrupted |= awaitLeader(pending);
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        return pending.result();
    }

    /** Holding the writer: commits batches of what is queued until this caller's own write has an outcome. */
    private void leadUntilDone(PendingWrite<?> pending) {
        try {
            while (!pending.done()) {
                commitQueued();
            }
        } catch (Throwable e) {
            // The batch that failed may not have held this caller's own write: it must not stay queued for a later
            // leader to commit after its caller was told it failed.
            if (queue.remove(pending)) {
                pending.fail(e);
            }
            throw e;
        } finally {
            unlockAndHandOff();
        }
    }

    /**
     * Another thread leads. It wakes this caller when its write is committed, or, if the write came too late for its
     * batches, when it lets go of the writer so that this caller can lead. The timeout is only a safety net: no
     * wake-up is ever owed to a caller that does not look again.
     *
     * @return true when the caller was interrupted (and its write was already taken by a leader, whose outcome it
     *     then waits for)
     * @throws SQLException when the caller was interrupted before any leader took its write, which is not run
     */
    private boolean awaitLeader(PendingWrite<?> pending) throws SQLException {
        LockSupport.parkNanos(this, RECHECK_NANOS);
        if (!Thread.interrupted()) {
            return false;
        }
        if (queue.remove(pending)) {
            // The wake-up a leader handed to this caller must not be lost with it: pass it on.
            wakeNext();
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while waiting for the writer; the write was not run");
        }
        // A leader has it: wait for its outcome. The flag is cleared, so the next park really parks.
        return true;
    }

    /** Runs work holding the writer without a transaction of its own, for pragmas and checkpoints. */
    <R> R exclusive(SqlWork<R> work) throws SQLException {
        lock.lock();
        try {
            return work.run(requireConnection());
        } catch (RuntimeException e) {
            // Work that failed this way may have left the connection in a state nobody knows.
            if (connection != null) {
                discardConnection(e);
            }
            throw e;
        } finally {
            unlockAndHandOff();
        }
    }

    /** Writes waiting for the writer, for tests that arrange a batch. */
    int queued() {
        return queue.size();
    }

    /** Transactions committed and the writes they carried. */
    record Counts(long transactions, long writes) {}

    /** Transactions committed and writes they carried, so tests and metrics can see batching happen. */
    Counts counts() {
        lock.lock();
        try {
            return new Counts(transactions, writes);
        } finally {
            unlockAndHandOff();
        }
    }

    /** Closes the connection; every later write fails, and none opens a connection nobody would close. */
    void close() throws SQLException {
        lock.lock();
        try {
            closed = true;
            if (connection != null) {
                connection.close();
                connection = null;
            }
        } finally {
            unlockAndHandOff();
        }
    }

    /**
     * Lets go of the writer and wakes the oldest waiting caller, which then leads the next batch. Every release goes
     * through here: a caller that queued its write after the last batch was drained is parked, and only this wakes
     * it.
     */
    private void unlockAndHandOff() {
        lock.unlock();
        wakeNext();
    }

    private void wakeNext() {
        PendingWrite<?> next = queue.peek();
        if (next != null) {
            LockSupport.unpark(next.owner());
        }
    }

    private void commitQueued() {
        List<PendingWrite<?>> batch = new ArrayList<>();
        try {
            PendingWrite<?> next;
            while (batch.size() < MAX_BATCH && (next = queue.poll()) != null) {
                batch.add(next);
            }
            if (!batch.isEmpty()) {
                commitBatch(batch);
            }
        } catch (Throwable e) {
            // Every caller must learn an outcome, or it would wait for a commit that will never come: this covers an
            // Error, and a checked exception a driver throws undeclared. Writes already committed keep their success:
            // failing a done write does nothing.
            batch.forEach(p -> p.fail(e));
            throw e;
        }
    }

    private void commitBatch(List<PendingWrite<?>> batch) {
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

    private CachedConnection requireConnection() throws SQLException {
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
    private void discardConnection(Exception why) {
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
