package io.github.jettysqlite.sessions;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The one write connection of a database file, shared by every store on that file, with group commit.
 *
 * <p>SQLite admits one writer at a time and every commit costs a WAL append (and an fsync under
 * {@code synchronous=FULL}). Callers therefore queue their work and then take the writer lock; whoever holds it
 * runs everything queued so far in one {@code BEGIN IMMEDIATE ... COMMIT} transaction and marks each piece done.
 * A caller whose work a previous holder already committed finds it done and returns at once. Nobody returns before
 * the transaction holding their work has committed. With one thread this is one transaction per write; under
 * concurrency many writes share one commit.
 *
 * <p>If a shared transaction fails, it is rolled back and each piece is retried in a transaction of its own, so
 * one bad write (say, a full disk hit by a large blob) fails alone and the others still land.
 *
 * <p>Transactions are begun with an explicit {@code BEGIN IMMEDIATE} on a connection left in auto-commit mode;
 * sqlite-jdbc's own transaction mode would begin the next transaction right after each commit and keep the
 * write lock while idle.
 */
final class GroupCommitWriter {
    /** Bounds one transaction, so a burst of writes does not hold the write lock for too long. */
    private static final int MAX_BATCH = 256;

    /** Runs after each commit, still holding the writer: the place for checkpoints. */
    @FunctionalInterface
    interface CommitListener {
        void committed(CachedConnection connection, long transactions);
    }

    private final CachedConnection connection;
    private final CommitListener listener;
    private final ReentrantLock lock = new ReentrantLock();
    private final ConcurrentLinkedQueue<Pending<?>> queue = new ConcurrentLinkedQueue<>();
    private long transactions;
    private long writes;

    GroupCommitWriter(CachedConnection connection, CommitListener listener) {
        this.connection = connection;
        this.listener = listener;
    }

    /** Runs the work inside a committed write transaction and returns its result once that commit is done. */
    <R> R write(SqlWork<R> work) throws SQLException {
        Pending<R> pending = new Pending<>(work);
        queue.add(pending);
        lock.lock();
        try {
            while (!pending.done) {
                commitQueued();
            }
        } finally {
            lock.unlock();
        }
        return pending.result();
    }

    /** Runs work holding the writer without a transaction of its own, for pragmas and checkpoints. */
    <R> R exclusive(SqlWork<R> work) throws SQLException {
        lock.lock();
        try {
            return work.run(connection);
        } finally {
            lock.unlock();
        }
    }

    /** Writes waiting for the writer, for tests that arrange a batch. */
    int queued() {
        return queue.size();
    }

    /** Transactions committed and writes they carried, so tests and metrics can see batching happen. */
    long[] counts() {
        lock.lock();
        try {
            return new long[] {transactions, writes};
        } finally {
            lock.unlock();
        }
    }

    void close() throws SQLException {
        lock.lock();
        try {
            connection.close();
        } finally {
            lock.unlock();
        }
    }

    private void commitQueued() {
        List<Pending<?>> batch = new ArrayList<>();
        Pending<?> next;
        while (batch.size() < MAX_BATCH && (next = queue.poll()) != null) {
            batch.add(next);
        }
        if (batch.isEmpty()) {
            return;
        }
        try {
            commit(batch);
        } catch (Exception e) {
            if (batch.size() == 1) {
                batch.get(0).fail(e);
            } else {
                batch.forEach(this::commitAlone);
            }
        } catch (Error e) {
            // Every caller must learn its outcome, or it would wait for a commit that will never come.
            batch.forEach(p -> p.fail(e));
            throw e;
        }
    }

    private void commitAlone(Pending<?> pending) {
        try {
            commit(List.of(pending));
        } catch (Exception | Error e) {
            pending.fail(e);
        }
    }

    /** Runs the writes in one transaction; on any failure rolls it back and throws, leaving each write undone. */
    private void commit(List<Pending<?>> batch) throws Exception {
        try {
            connection.execute("BEGIN IMMEDIATE");
            for (Pending<?> p : batch) {
                p.run(connection);
            }
            connection.execute("COMMIT");
        } catch (Exception | Error e) {
            rollback();
            throw e;
        }
        transactions++;
        writes += batch.size();
        batch.forEach(Pending::succeed);
        try {
            listener.committed(connection, transactions);
        } catch (RuntimeException e) {
            // Housekeeping must never turn a committed write into a failed one; the listener logs its own faults.
        }
    }

    private void rollback() {
        connection.forgetStatements();
        try {
            connection.execute("ROLLBACK");
        } catch (SQLException ignored) {
            // SQLite had already rolled back (it does so itself after SQLITE_FULL, for one); nothing is left.
        }
    }

    /** One caller's work and, once the writer has run it, its outcome. Fields are guarded by the writer lock. */
    private static final class Pending<R> {
        private final SqlWork<R> work;
        private R value;
        private R staged;
        private Throwable failure;
        private boolean done;

        Pending(SqlWork<R> work) {
            this.work = work;
        }

        void run(CachedConnection c) throws SQLException {
            staged = work.run(c);
        }

        void succeed() {
            value = staged;
            done = true;
        }

        void fail(Throwable e) {
            failure = e;
            done = true;
        }

        R result() throws SQLException {
            if (failure instanceof SQLException sql) {
                throw sql;
            }
            if (failure instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (failure instanceof Error error) {
                throw error;
            }
            if (failure != null) {
                throw new SQLException(failure);
            }
            return value;
        }
    }
}
