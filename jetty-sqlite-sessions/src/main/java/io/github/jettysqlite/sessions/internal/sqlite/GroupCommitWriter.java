package io.github.jettysqlite.sessions.internal.sqlite;

import io.github.jettysqlite.sessions.internal.CachedConnection;
import io.github.jettysqlite.sessions.internal.SqlWork;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The one write connection of a database file, shared by every store on that file, with group commit.
 *
 * <p>SQLite admits one writer at a time and every commit costs a WAL append (and an fsync under
 * {@code synchronous=FULL}). Callers therefore queue their work and then take the writer lock; whoever holds it
 * runs everything queued so far in one {@code BEGIN IMMEDIATE ... COMMIT} transaction and marks each piece done.
 * A caller whose work a previous holder already committed finds it done and returns at once. Nobody returns before
 * the transaction holding their work has committed. With one thread this is one transaction per write; under
 * concurrency many writes share one commit. Callers that find the writer busy park instead of queueing on its
 * lock, so that a leader's batch completes them all at once rather than handing the lock along one by one. Where
 * every commit waits for the disk, a leader first waits a little for the callers it expects ({@link CommitCompany}).
 *
 * <p>Failures fail fast and alone. When the transaction cannot even begin (another process holds the write lock
 * past the busy timeout), every write of the batch fails at once with that cause: retrying each would make the
 * k-th caller wait k busy timeouts. When a write's own statement or the commit fails, the transaction is rolled back
 * and each write is retried in a transaction of its own, so one bad write (say, a full disk hit by a large blob)
 * fails alone and the others land. A connection whose rollback failed is in an unknown state and is replaced.
 *
 * <p>The transactions themselves, and the write connection, are {@link WriteTransactions}'. Transactions are begun
 * with an explicit {@code BEGIN IMMEDIATE} on a connection left in auto-commit mode;
 * sqlite-jdbc's own transaction mode would begin the next transaction right after each commit and keep the
 * write lock while idle.
 */
final class GroupCommitWriter {
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

    /** How long one caller spins for the writer before it parks: about what a small write holds it for. */
    private static final long SPIN_NANOS = TimeUnit.MICROSECONDS.toNanos(100);

    /**
     * Callers may spin only while no more of them are inside the writer than there are cores (read once: a container
     * whose CPU limit changes later keeps the count it started with).
     */
    private static final int CORES = Runtime.getRuntime().availableProcessors();

    private final ReentrantLock lock = new ReentrantLock();
    private final AtomicBoolean spinning = new AtomicBoolean();
    /** Waits that park without spinning after spins in vain; used only by the caller holding {@link #spinning}. */
    private final SkipsAfterFailures spins = new SkipsAfterFailures();
    /** Callers inside {@link #submit}, leader included. */
    private final AtomicInteger writers = new AtomicInteger();

    private final ConcurrentLinkedQueue<PendingWrite<?>> queue = new ConcurrentLinkedQueue<>();
    /**
     * Writes in {@link #queue} (whose own size() walks it), counted after each is added and after each is taken, so
     * for a moment it may read one low or high: a hint for leaders and tests, never for correctness.
     */
    private final AtomicInteger queued = new AtomicInteger();

    private final CommitCompany company;
    /** Used only while holding {@link #lock}. */
    private final WriteTransactions transactions;

    GroupCommitWriter(CachedConnection connection, Opener opener, CommitListener listener) {
        this(connection, opener, listener, CommitCompany.none());
    }

    GroupCommitWriter(CachedConnection connection, Opener opener, CommitListener listener, CommitCompany company) {
        this.transactions = new WriteTransactions(connection, opener, listener);
        this.company = company;
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
        // Counted inside before it is queued: a leader that sees the write queued has seen it arrive too.
        company.arrived(writers.incrementAndGet());
        queue.add(pending);
        queued.incrementAndGet();
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
            writers.decrementAndGet();
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
                queued.decrementAndGet();
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
        if (spinWhileLed(pending)) {
            return false;
        }
        LockSupport.parkNanos(this, RECHECK_NANOS);
        if (!Thread.interrupted()) {
            return false;
        }
        if (queue.remove(pending)) {
            queued.decrementAndGet();
            // The wake-up a leader handed to this caller must not be lost with it: pass it on.
            wakeNext();
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while waiting for the writer; the write was not run");
        }
        // A leader has it: wait for its outcome. The flag is cleared, so the next park really parks.
        return true;
    }

    /**
     * Waits for the leader on a spare core for as long as a short write takes, rather than parking at once: a parked
     * caller costs a wake-up (tens of microseconds on a busy machine) for every write it hands over or is handed,
     * which at two threads took more than the writes themselves. Only while no more callers are inside the writer than
     * there are cores (threads doing the work around their writes are not counted), and only one at a time: with more,
     * a spinning caller would take the core another needs for the work around its write (measured: deletes at four and
     * eight threads on two cores lost a fifth), and parked callers are committed in one batch anyway.
     *
     * @return true when the caller's write is done or the writer is free, so it should look again without parking
     */
    private boolean spinWhileLed(PendingWrite<?> pending) {
        if (writers.get() > CORES || !spinning.compareAndSet(false, true)) {
            return false;
        }
        try {
            if (spins.skipThisOne()) {
                return false;
            }
            long deadline = System.nanoTime() + SPIN_NANOS;
            do {
                if (pending.done() || !lock.isLocked()) {
                    spins.succeeded();
                    return true;
                }
                Thread.onSpinWait();
            } while (System.nanoTime() - deadline < 0);
            // Writes here take longer than a spin (large rows, fsync under FULL, a busy disk): the CPU would be burnt
            // for nothing, so the next waits park at once, more of them the more spins in a row were in vain.
            spins.failed();
            return false;
        } finally {
            spinning.set(false);
        }
    }

    /** Runs work holding the writer without a transaction of its own, for pragmas and checkpoints. */
    <R> R exclusive(SqlWork<R> work) throws SQLException {
        lock.lock();
        try {
            return transactions.exclusive(work);
        } finally {
            unlockAndHandOff();
        }
    }

    /** What leaders wait for before they take a batch, for tests. */
    CommitCompany company() {
        return company;
    }

    /** Writes waiting for the writer, for tests that arrange a batch. */
    int queued() {
        return queued.get();
    }

    /** Transactions committed and the writes they carried. */
    record Counts(long transactions, long writes) {}

    /** Transactions committed and writes they carried, so tests and metrics can see batching happen. */
    Counts counts() {
        lock.lock();
        try {
            return transactions.counts();
        } finally {
            unlockAndHandOff();
        }
    }

    /** Closes the connection; every later write fails, and none opens a connection nobody would close. */
    void close() throws SQLException {
        lock.lock();
        try {
            transactions.close();
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
            company.awaitExpected(queued::get);
            company.batchTaken(writers.get());
            PendingWrite<?> next;
            while (batch.size() < MAX_BATCH && (next = queue.poll()) != null) {
                queued.decrementAndGet();
                batch.add(next);
            }
            if (!batch.isEmpty()) {
                long began = System.nanoTime();
                try {
                    transactions.commitBatch(batch);
                } finally {
                    company.batchEnded(System.nanoTime() - began, MAX_BATCH);
                }
            }
        } catch (Throwable e) {
            // Every caller must learn an outcome, or it would wait for a commit that will never come: this covers an
            // Error, and a checked exception a driver throws undeclared. Writes already committed keep their success:
            // failing a done write does nothing.
            batch.forEach(p -> p.fail(e));
            throw e;
        }
    }
}
