package io.github.jettysqlite.sessions.internal.sqlite;

import io.github.jettysqlite.sessions.internal.CachedConnection;
import io.github.jettysqlite.sessions.internal.SqlWork;
import java.sql.SQLException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Read connections of a database file. Under WAL, readers never wait for the writer, so reads run in parallel on
 * as many connections as there are concurrent readers, up to a bound; each connection keeps its prepared
 * statements. Connections are opened on first demand and kept until the database closes.
 *
 * <p>A read that finds every connection busy waits at most the busy timeout, then fails in words rather than pinning
 * a Jetty thread; closing the pool wakes every waiter.
 */
final class ReaderPool {
    /** Opens one more read connection. */
    @FunctionalInterface
    interface Opener {
        CachedConnection open() throws SQLException;
    }

    /** Enough permits to wake any number of waiters when the pool closes. */
    private static final int WAKE_ALL = Integer.MAX_VALUE / 2;

    private final Opener opener;
    private final int max;
    private final long waitMs;
    private final Semaphore permits;
    private final ConcurrentLinkedQueue<CachedConnection> idle = new ConcurrentLinkedQueue<>();
    private final AtomicInteger opened = new AtomicInteger();
    private volatile boolean closed;

    /**
     * @param max the most connections open at once
     * @param waitMs how long a read waits for a connection when all are in use
     */
    ReaderPool(Opener opener, int max, long waitMs) {
        this.opener = opener;
        this.max = max;
        this.waitMs = waitMs;
        this.permits = new Semaphore(max);
    }

    /**
     * Runs the read on a pooled connection. A connection whose work threw is closed rather than put back: the failure
     * may have left it mid-statement or holding a read transaction, which would pin a WAL snapshot (and so block
     * checkpoints) for as long as it sat idle; the next read opens a fresh one.
     */
    <R> R read(SqlWork<R> work) throws SQLException {
        CachedConnection connection = acquire();
        boolean healthy = false;
        try {
            R result = work.run(connection);
            healthy = true;
            return result;
        } finally {
            if (healthy) {
                release(connection);
            } else {
                discard(connection);
            }
        }
    }

    int opened() {
        return opened.get();
    }

    void close() {
        closed = true;
        permits.release(WAKE_ALL);
        CachedConnection connection;
        while ((connection = idle.poll()) != null) {
            closeQuietly(connection);
        }
    }

    private CachedConnection acquire() throws SQLException {
        requireOpen();
        try {
            if (!permits.tryAcquire(waitMs, TimeUnit.MILLISECONDS)) {
                throw new SQLException("no read connection came free within " + waitMs + " ms (all " + max
                        + " are in use; raise maxReaders or busyTimeoutMs)");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while waiting for a read connection", e);
        }
        try {
            requireOpen();
            CachedConnection connection = idle.poll();
            if (connection != null) {
                return connection;
            }
            connection = opener.open();
            opened.incrementAndGet();
            return connection;
        } catch (SQLException | RuntimeException e) {
            permits.release();
            throw e;
        }
    }

    private void requireOpen() throws SQLException {
        if (closed) {
            throw new SQLException("the session database is closed");
        }
    }

    private void release(CachedConnection connection) {
        if (closed) {
            closeQuietly(connection);
        } else {
            idle.offer(connection);
            // Closed meanwhile: close() may have drained the idle connections before this one arrived.
            if (closed && idle.remove(connection)) {
                closeQuietly(connection);
            }
        }
        permits.release();
    }

    private void discard(CachedConnection connection) {
        closeQuietly(connection);
        permits.release();
    }

    private void closeQuietly(CachedConnection connection) {
        try {
            connection.close();
        } catch (SQLException ignored) {
            // closing is best effort; the file stays consistent either way
        } finally {
            opened.decrementAndGet();
        }
    }
}
