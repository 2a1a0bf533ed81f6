package io.github.jettysqlite.sessions.internal.sqlite;

import io.github.jettysqlite.sessions.internal.CachedConnection;
import io.github.jettysqlite.sessions.internal.SqlWork;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the write-ahead log bounded from a thread and a connection of its own, so that no caller of a write ever
 * waits for a checkpoint.
 *
 * <p>The writer runs with SQLite's automatic checkpoint off, which would otherwise copy the log into the database
 * file inside the commit of whichever request crossed 1,000 pages. Instead, this thread runs a passive checkpoint
 * whenever about {@value #FRAMES_PER_CHECKPOINT} new pages are in the log (it learns the pace of writes from what each
 * checkpoint finds): it copies what it can and blocks nobody, neither writers nor readers. Under a
 * steady stream of commits a passive checkpoint never catches up with the end of the log, so the log would never
 * start over; once it holds more than {@value #RESTART_FRAMES} frames, a restarting checkpoint follows. That one
 * holds back writers, but only while it copies the few frames committed since the passive pass and waits for readers
 * of older snapshots to finish (loads take microseconds); then the next commit writes from the start of the log,
 * and {@code journal_size_limit} cuts the file back to {@value #LOG_SIZE_LIMIT_BYTES} bytes.
 *
 * <p>Why the log may hold 4,000 pages (16 MiB) and not SQLite's 1,000: every checkpoint that copies anything syncs
 * the log and the database file, and while it syncs, the writer's appends to the log wait on the file system (on
 * ext4 each sync is a journal commit); each restart also holds the writer for its copy and its sync. Four times fewer
 * of both took the p99 of a new session at one thread from 280-420 µs to 140-170 µs and wrote no more per session
 * (measured, docs/benchmarks.md, stop 35). 4,000 keeps a log restarted on time within the first of the WAL index's
 * hash tables (4,062 frames), so that readers seldom search a second one for a page; a log a busy machine lets run
 * past it costs them that until the restart.
 *
 * <p>A reader that holds one snapshot for long (an online backup, another process's long query) keeps any
 * checkpoint from restarting the log. The restarting checkpoint then gives up after {@value #RESTART_WAIT_MS} ms, so
 * writers are held back at most that long, and is tried again only after a pause that doubles up to
 * {@value #MAX_BACKOFF_MS} ms; meanwhile the log grows with the writes, and shrinks once that reader is done.
 */
final class Checkpointer {
    private static final Logger LOG = LoggerFactory.getLogger(Checkpointer.class);

    /** Frames (pages) in the log past which the log is restarted; SQLite's own automatic checkpoint uses 1,000. */
    static final int RESTART_FRAMES = 4000;

    /** Past this many frames (about 32 MiB) a restart that gave up is tried again at once, not after a backoff. */
    static final int RESTART_FRAMES_NO_BACKOFF = 2 * RESTART_FRAMES;

    /** What a restarted log file is cut back to. */
    static final long LOG_SIZE_LIMIT_BYTES = 16L * 1024 * 1024;

    /** How long a restarting checkpoint may hold back writers while waiting for readers of older snapshots. */
    static final int RESTART_WAIT_MS = 100;

    /**
     * Frames a passive checkpoint should find new, about: fewer and it ran more often than it needs to (each one that
     * copies anything syncs the log and the database file), more and the log grows between them.
     */
    static final int FRAMES_PER_CHECKPOINT = 2000;

    private static final long MIN_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long MAX_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    private static final long FIRST_BACKOFF_MS = 250;
    static final long MAX_BACKOFF_MS = 8_000;
    private static final int FAILURES_BEFORE_WARNING = 5;

    /** Opens the connection the checkpoints run on. */
    @FunctionalInterface
    interface Opener {
        CachedConnection open() throws SQLException;
    }

    /**
     * Runs work while this process's writer is held, so that the restarting checkpoint does not compete with it for
     * SQLite's write lock (SQLite's busy handler would have it retry in sleeps of milliseconds) and the writes it
     * holds back resume the moment it is done.
     */
    @FunctionalInterface
    interface WriterGate {
        WalCheckpoint holdingWriter(SqlWork<WalCheckpoint> work) throws SQLException;
    }

    /**
     * SQLite's answer to a checkpoint.
     *
     * @param busy whether it could not finish (a reader or writer was in the way)
     * @param logFrames frames in the log
     * @param checkpointedFrames frames copied into the database file
     */
    record WalCheckpoint(boolean busy, long logFrames, long checkpointedFrames) {}

    private final Opener opener;
    private final WriterGate gate;
    private final String name;
    private final Thread thread;
    private final AtomicLong restarts = new AtomicLong();
    private final AtomicLong restartsGivenUp = new AtomicLong();
    private volatile long committed;
    private volatile boolean stopping;
    /** Written by this thread only; volatile so that {@link #caughtUp(long)} may read it from another. */
    private volatile long checkedUpTo;

    private long intervalNanos = TimeUnit.MILLISECONDS.toNanos(10);
    private long lastLogFrames;
    private long backoffMs;
    private long nextRestartNanos = System.nanoTime();
    private final AtomicLong outsideWrites = new AtomicLong();
    private volatile long outsideWritesCheckedUpTo;
    private long failurePauseMs;
    private int failuresInARow;

    Checkpointer(Opener opener, WriterGate gate, String name) {
        this.opener = opener;
        this.gate = gate;
        this.name = name;
        this.thread = new Thread(this::run, "jetty-sessions-checkpoint " + name);
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /**
     * Tells the checkpointer that the writer committed; called by the writer after each commit. Only a volatile
     * write: the checkpointer looks at it on its own schedule, so a commit never pays for waking a thread.
     */
    void committed(long transactions) {
        committed = transactions;
    }

    /** Tells the checkpointer that work outside the writer's transactions (a VACUUM) wrote to the log. */
    void wroteOutsideCommits() {
        outsideWrites.incrementAndGet();
    }

    /** Restarting checkpoints run because the log outgrew {@value #RESTART_FRAMES} frames. */
    long restarts() {
        return restarts.get();
    }

    /**
     * Whether the first {@code transactions} commits, and every write outside commits told to this checkpointer so far,
     * have been checkpointed with the log left within its bound, for tests that must know that nothing earlier is left
     * to prompt a restart.
     */
    boolean caughtUp(long transactions) {
        return checkedUpTo >= transactions && outsideWritesCheckedUpTo == outsideWrites.get();
    }

    /** Restarting checkpoints that gave up because a reader held an old snapshot past {@value #RESTART_WAIT_MS} ms. */
    long restartsGivenUp() {
        return restartsGivenUp.get();
    }

    /** Stops the thread and closes its connection; returns once it has. */
    void stop() {
        stopping = true;
        LockSupport.unpark(thread);
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        CachedConnection connection = null;
        try {
            while (!stopping) {
                LockSupport.parkNanos(
                        this, failurePauseMs > 0 ? TimeUnit.MILLISECONDS.toNanos(failurePauseMs) : intervalNanos);
                // Only stop() may end this thread; an interrupt from elsewhere would make every park return at once.
                Thread.interrupted();
                long seen = committed;
                long outsideSeen = outsideWrites.get();
                if (stopping || (seen == checkedUpTo && outsideSeen == outsideWritesCheckedUpTo)) {
                    continue;
                }
                try {
                    if (connection == null) {
                        connection = open();
                    }
                    boolean withinBounds = checkpoint(connection);
                    failurePauseMs = 0;
                    failuresInARow = 0;
                    if (withinBounds) {
                        // Only now: a log still too long, or a VACUUM's pages not yet copied, are tried again.
                        checkedUpTo = seen;
                        outsideWritesCheckedUpTo = outsideSeen;
                    }
                } catch (Throwable e) {
                    // A checkpoint is only ever deferred: the frames stay in the log, readable and durable. The writer
                    // never checkpoints, so this thread must outlive any failure, pausing longer after each one.
                    failed(e);
                    closeQuietly(connection);
                    connection = null;
                }
            }
        } finally {
            closeQuietly(connection);
        }
    }

    /**
     * One failure is routine (a file briefly locked by another process); a run of them (a full disk, a file that
     * lost its permissions) means the log is growing, which an operator must hear about, once per run.
     */
    private void failed(Throwable e) {
        failuresInARow++;
        failurePauseMs = failurePauseMs == 0 ? FIRST_BACKOFF_MS : Math.min(MAX_BACKOFF_MS, failurePauseMs * 2);
        if (failuresInARow == FAILURES_BEFORE_WARNING || e instanceof Error) {
            LOG.warn(
                    "Checkpoints of {} keep failing ({} in a row); the write-ahead log grows until one succeeds."
                            + " Trying again every {} ms at most",
                    name,
                    failuresInARow,
                    MAX_BACKOFF_MS,
                    e);
        } else {
            LOG.debug("Checkpoint of {} deferred; next try in {} ms", name, failurePauseMs, e);
        }
    }

    private CachedConnection open() throws SQLException {
        CachedConnection c = opener.open();
        try (Statement s = c.connection().createStatement()) {
            s.executeUpdate("PRAGMA busy_timeout = " + RESTART_WAIT_MS);
        } catch (SQLException | RuntimeException e) {
            closeQuietly(c);
            throw e;
        }
        return c;
    }

    /** @return true when the log is within bounds; false when it still needs a restart (tried again shortly) */
    private boolean checkpoint(CachedConnection c) throws SQLException {
        long logFrames = walCheckpoint(c, "PASSIVE").logFrames();
        adjustInterval(logFrames < lastLogFrames ? logFrames : logFrames - lastLogFrames);
        lastLogFrames = logFrames;
        if (logFrames <= RESTART_FRAMES) {
            return true;
        }
        if (System.nanoTime() - nextRestartNanos < 0) {
            return false;
        }
        WalCheckpoint restart = gate.holdingWriter(ignored -> walCheckpoint(c, "RESTART"));
        if (!restart.busy()) {
            lastLogFrames = 0;
            restarts.incrementAndGet();
            backoffMs = 0;
            return true;
        }
        restartsGivenUp.incrementAndGet();
        if (logFrames > RESTART_FRAMES_NO_BACKOFF) {
            // The log is growing past what a backoff may let it reach: try again at the next look rather than
            // seconds later, since under a busy CPU readers keep missing the short wait and each backoff would let
            // the writer add megabytes. Each try holds the writer at most RESTART_WAIT_MS.
            backoffMs = 0;
            nextRestartNanos = System.nanoTime();
            return false;
        }
        backoffMs = backoffMs == 0 ? FIRST_BACKOFF_MS : Math.min(MAX_BACKOFF_MS, backoffMs * 2);
        nextRestartNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(backoffMs);
        LOG.debug("Log of {} not restarted: a reader holds an old snapshot; next try in {} ms", name, backoffMs);
        return false;
    }

    /**
     * Checkpoints about as often as SQLite's own automatic checkpoint would, by the frames written, not by the clock:
     * the pause halves when a checkpoint found many new frames and doubles when it found few.
     */
    private void adjustInterval(long newFrames) {
        if (newFrames > FRAMES_PER_CHECKPOINT) {
            intervalNanos = Math.max(MIN_INTERVAL_NANOS, intervalNanos / 2);
        } else if (newFrames < FRAMES_PER_CHECKPOINT / 2) {
            intervalNanos = Math.min(MAX_INTERVAL_NANOS, intervalNanos * 2);
        }
    }

    private static WalCheckpoint walCheckpoint(CachedConnection c, String mode) throws SQLException {
        try (Statement s = c.connection().createStatement();
                ResultSet r = s.executeQuery("PRAGMA wal_checkpoint(" + mode + ")")) {
            r.next();
            return new WalCheckpoint(r.getLong(1) != 0, r.getLong(2), r.getLong(3));
        }
    }

    private static void closeQuietly(CachedConnection c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (SQLException ignored) {
            // nothing was pending on it: checkpoints run in autocommit
        }
    }
}
