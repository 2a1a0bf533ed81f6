package io.github.jettysqlite.sessions.internal.sqlite;

import io.github.jettysqlite.sessions.internal.CachedConnection;
import io.github.jettysqlite.sessions.internal.SqlWork;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * Read connections of a database file. Under WAL, readers never wait for the writer, so reads run in parallel on
 * as many connections as there are concurrent readers, up to a bound; each connection keeps its prepared
 * statements. Connections are opened on first demand and kept until the database closes.
 *
 * <p>A thread takes the connection it used last when that one is free. A connection's page cache and SQLite's
 * state for it then stay in the caches of the core that thread runs on, rather than moving between cores with every
 * read; with four threads reading on two cores this made an {@code exists} about 40 % faster than a shared queue of
 * connections (see docs/benchmarks.md). Taking and giving back a connection is one atomic change of its slot.
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

    private static final int FREE = 0;
    private static final int IN_USE = 1;
    /**
     * Slot states lie this many ints apart (64 bytes, a cache line), so that a thread taking its slot does not pull
     * the line holding another thread's slot away from that thread's core.
     */
    private static final int STRIDE = 16;

    private final Opener opener;
    private final long waitMs;
    /** Per slot: {@link #FREE} or {@link #IN_USE}; a slot is the holder's alone while in use. */
    private final AtomicIntegerArray slots;
    /** Per slot, its connection, or null until first used (or after one was closed); written by the holder only. */
    private final CachedConnection[] connections;
    /** The slot this thread used last, or -1. */
    private final ThreadLocal<int[]> lastSlot = ThreadLocal.withInitial(() -> new int[] {-1});

    private final AtomicInteger opened = new AtomicInteger();
    private final AtomicInteger waiting = new AtomicInteger();
    private final Object freed = new Object();
    private volatile boolean closed;

    /**
     * @param max the most connections open at once
     * @param waitMs how long a read waits for a connection when all are in use
     */
    ReaderPool(Opener opener, int max, long waitMs) {
        this.opener = opener;
        this.waitMs = waitMs;
        this.slots = new AtomicIntegerArray(max * STRIDE);
        this.connections = new CachedConnection[max];
    }

    /**
     * Runs the read on a pooled connection. A connection whose work threw is closed rather than put back: the failure
     * may have left it mid-statement or holding a read transaction, which would pin a WAL snapshot (and so block
     * checkpoints) for as long as it sat idle; the next read opens a fresh one.
     */
    <R> R read(SqlWork<R> work) throws SQLException {
        int slot = acquire();
        boolean healthy = false;
        try {
            R result = work.run(connectionOf(slot));
            healthy = true;
            return result;
        } finally {
            if (!healthy) {
                closeConnection(slot);
            }
            release(slot);
        }
    }

    int opened() {
        return opened.get();
    }

    void close() {
        closed = true;
        for (int slot = 0; slot < connections.length; slot++) {
            // A free slot is taken for good; one in use is closed by its holder as it gives it back.
            if (claim(slot)) {
                closeConnection(slot);
            }
        }
        synchronized (freed) {
            freed.notifyAll();
        }
    }

    private int acquire() throws SQLException {
        requireOpen();
        int slot = take();
        if (slot >= 0) {
            return slot;
        }
        waiting.incrementAndGet();
        try {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMs);
            synchronized (freed) {
                while (true) {
                    requireOpen();
                    // Looked for again holding the monitor: a slot freed after this look is announced on it.
                    slot = take();
                    if (slot >= 0) {
                        return slot;
                    }
                    long leftMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                    if (leftMs <= 0) {
                        throw new SQLException("no read connection came free within " + waitMs + " ms (all "
                                + connections.length + " are in use; raise maxReaders or busyTimeoutMs)");
                    }
                    freed.wait(leftMs);
                }
            }
        } catch (InterruptedException e) {
            // The wake-up this waiter may have been given is passed on, so that a slot freed for it is not left
            // unclaimed while another waiter sleeps.
            synchronized (freed) {
                freed.notify();
            }
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while waiting for a read connection", e);
        } finally {
            waiting.decrementAndGet();
        }
    }

    /** Takes this thread's last slot if free, else a free slot with a connection, else any free slot; -1 if none. */
    private int take() {
        int[] last = lastSlot.get();
        if (last[0] >= 0 && claim(last[0])) {
            return last[0];
        }
        for (int pass = 0; pass < 2; pass++) {
            for (int slot = 0; slot < connections.length; slot++) {
                if ((connections[slot] != null) == (pass == 0) && claim(slot)) {
                    last[0] = slot;
                    return slot;
                }
            }
        }
        return -1;
    }

    private boolean claim(int slot) {
        return slots.compareAndSet(slot * STRIDE, FREE, IN_USE);
    }

    /** The slot's connection, opened now if it has none; the caller holds the slot. */
    private CachedConnection connectionOf(int slot) throws SQLException {
        CachedConnection connection = connections[slot];
        if (connection == null) {
            requireOpen();
            connection = opener.open();
            opened.incrementAndGet();
            connections[slot] = connection;
        }
        return connection;
    }

    private void requireOpen() throws SQLException {
        if (closed) {
            throw new SQLException("the session database is closed");
        }
    }

    private void release(int slot) {
        if (closed) {
            closeConnection(slot);
            return;
        }
        slots.set(slot * STRIDE, FREE);
        // Closed meanwhile: close() may have passed this slot while it was in use.
        if (closed && claim(slot)) {
            closeConnection(slot);
        }
        if (waiting.get() > 0) {
            // One waiter per slot freed: it looks again holding the monitor, so a slot freed before it waited is
            // found, and one taken meanwhile by a thread that did not wait leaves it for the next release.
            synchronized (freed) {
                freed.notify();
            }
        }
    }

    /** Closes the slot's connection, if it has one; the caller holds the slot. */
    private void closeConnection(int slot) {
        CachedConnection connection = connections[slot];
        if (connection == null) {
            return;
        }
        connections[slot] = null;
        try {
            connection.close();
        } catch (SQLException ignored) {
            // closing is best effort; the file stays consistent either way
        } finally {
            opened.decrementAndGet();
        }
    }
}
