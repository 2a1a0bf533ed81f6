package io.github.jettysqlite.sessions.internal.sqlite;

import io.github.jettysqlite.sessions.internal.CachedConnection;
import io.github.jettysqlite.sessions.internal.SqlWork;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Read connections of a database file. Under WAL, readers never wait for the writer, so reads run in parallel on
 * as many connections as there are concurrent readers, up to a bound; each connection keeps its prepared
 * statements. Connections are opened on first demand and kept until the database closes.
 *
 * <p>A thread takes the connection it used last when that one is free. A connection's page cache and SQLite's
 * state for it then stay in the caches of the core that thread runs on, rather than moving between cores with every
 * read; with four threads reading on two cores this made an {@code exists} about 40 % faster than a shared queue of
 * connections (see docs/benchmarks.md). Taking and giving back a connection is one atomic change of its slot. A
 * virtual thread per request has no connection it used last, so every read starts looking at the first slot: it still
 * takes the first free one, at the cost of reading each busy slot before it.
 *
 * <p>A read that finds every connection busy queues, and a connection given back wakes the first queued read. A
 * thread that reads again at once may take the connection before the woken read runs: with 32 threads reading on two
 * cores, handing each connection to the queue instead made reads 13 times slower, and doing so only for reads queued
 * 50 ms or more still cost 8 % (every read must wait for its thread to be scheduled). A read that has waited half its
 * wait is handed the next connection given back, so threads reading in a loop cannot make it fail; on that machine
 * some reads wait up to a second, none longer. A queued read waits at most the busy timeout, then fails in words
 * rather than pinning a Jetty thread; closing the pool wakes every queued read. The queue is a lock and conditions
 * rather than a monitor, so a virtual thread that waits does not pin its carrier.
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

    /** A read queued for a connection; its fields are guarded by the pool's lock. */
    private static final class Queued {
        final Condition wakeUp;
        final long queuedAtNs = System.nanoTime();
        /** The slot handed to this read, or -1. */
        int slot = -1;
        /** Woken to look for a free slot, and not yet looked. */
        boolean woken;

        Queued(Condition wakeUp) {
            this.wakeUp = wakeUp;
        }
    }

    private final Opener opener;
    private final long waitMs;
    private final long handOverAfterNs;
    /** Per slot: {@link #FREE} or {@link #IN_USE}; a slot is the holder's alone while in use. */
    private final AtomicIntegerArray slots;
    /** Per slot, its connection, or null until first used (or after one was closed); written by the holder only. */
    private final CachedConnection[] connections;
    /** The slot this thread used last, or -1. */
    private final ThreadLocal<int[]> lastSlot = ThreadLocal.withInitial(() -> new int[] {-1});

    private final AtomicInteger opened = new AtomicInteger();
    private final ReentrantLock lock = new ReentrantLock();
    /** Reads waiting for a connection, first come first; guarded by {@link #lock}. */
    private final ArrayDeque<Queued> queue = new ArrayDeque<>();
    /** The size of {@link #queue}, readable without the lock; changed only holding it. */
    private volatile int queued;
    /** When the first read in {@link #queue} queued, readable without the lock; changed only holding it. */
    private volatile long firstQueuedAtNs;

    private volatile boolean closed;

    /**
     * @param max the most connections open at once, 1 to {@link SQLiteDatabaseSettings#MAX_READERS}
     * @param waitMs how long a read waits for a connection when all are in use
     */
    ReaderPool(Opener opener, int max, long waitMs) {
        this(opener, max, waitMs, waitMs / 2);
    }

    /** @param handOverAfterMs how long a read queues before connections given back go to it */
    ReaderPool(Opener opener, int max, long waitMs, long handOverAfterMs) {
        if (max < 1 || max > SQLiteDatabaseSettings.MAX_READERS) {
            throw new IllegalArgumentException(
                    "a reader pool holds 1 to " + SQLiteDatabaseSettings.MAX_READERS + " connections, not " + max);
        }
        this.opener = opener;
        this.waitMs = waitMs;
        this.handOverAfterNs = TimeUnit.MILLISECONDS.toNanos(handOverAfterMs);
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
            try {
                if (!healthy) {
                    closeConnection(slot);
                }
            } finally {
                release(slot);
            }
        }
    }

    int opened() {
        return opened.get();
    }

    /** The queue's lock, for tests that order a release and a queued read's wake-up on it. */
    ReentrantLock queueLock() {
        return lock;
    }

    void close() {
        closed = true;
        for (int slot = 0; slot < connections.length; slot++) {
            // A free slot is taken for good; one in use is closed by its holder as it gives it back.
            if (claim(slot)) {
                closeConnection(slot);
            }
        }
        lock.lock();
        try {
            for (Queued read : queue) {
                read.wakeUp.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    private int acquire() throws SQLException {
        requireOpen();
        int slot = take();
        if (slot < 0) {
            slot = queue();
        }
        if (closed) {
            release(slot);
            requireOpen();
        }
        return slot;
    }

    /** Waits in line for a slot, at most {@link #waitMs}. */
    private int queue() throws SQLException {
        // Made before the lock is taken, so that nothing between taking it and the try below can fail.
        Queued read = new Queued(lock.newCondition());
        boolean got = false;
        int handedButUnused = -1;
        lock.lock();
        try {
            requireOpen();
            queue.addLast(read);
            queueChanged();
            long leftNs = TimeUnit.MILLISECONDS.toNanos(waitMs);
            while (true) {
                if (read.slot >= 0) {
                    lastSlot.get()[0] = read.slot;
                    got = true;
                    return read.slot;
                }
                read.woken = false;
                // Looked for on every turn, the first once queued: a slot given back before its holder could see
                // this read is free now.
                int slot = take();
                if (slot >= 0) {
                    got = true;
                    return slot;
                }
                requireOpen();
                if (leftNs <= 0) {
                    throw new SQLException("no read connection came free within " + waitMs + " ms (all "
                            + connections.length + " are in use; raise maxReaders or busyTimeoutMs)");
                }
                leftNs = read.wakeUp.awaitNanos(leftNs);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while waiting for a read connection", e);
        } finally {
            // However this read leaves (a slot, a timeout, an interrupt, an error), it leaves the queue, passing on a
            // wake-up it did not use.
            try {
                // The slot first: it is owed back even if leaving were to fail.
                if (!got) {
                    handedButUnused = read.slot;
                }
                leave(read);
            } finally {
                lock.unlock();
                if (handedButUnused >= 0) {
                    // Handed over as it failed: the slot goes on to the next in line (release takes the lock itself).
                    release(handedButUnused);
                }
            }
        }
    }

    /**
     * Takes a read out of the queue, if still in it; the caller holds {@link #lock}. A read leaving with a wake-up
     * it did not use passes it on.
     */
    private void leave(Queued read) {
        if (queue.remove(read)) {
            queueChanged();
            if (read.woken) {
                wakeOne();
            }
        }
    }

    /** Wakes the first queued read not yet woken to look for a free slot; the caller holds {@link #lock}. */
    private void wakeOne() {
        for (Queued read : queue) {
            if (!read.woken) {
                read.woken = true;
                read.wakeUp.signal();
                return;
            }
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
                // Read before the compare-and-set: a failing one would still take the slot's line from its holder.
                if (slots.get(slot * STRIDE) == FREE && (connections[slot] != null) == (pass == 0) && claim(slot)) {
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

    /** Publishes the queue's size and its first read's age for release to read without the lock. */
    private void queueChanged() {
        Queued first = queue.peekFirst();
        if (first != null) {
            firstQueuedAtNs = first.queuedAtNs;
        }
        queued = queue.size();
    }

    /**
     * Gives a held slot back: free, waking a queued read to take it, or to the first queued read once that one has
     * waited long. A slot is freed before the lock is taken, so a release that waits for the lock holds no
     * connection meanwhile.
     */
    private void release(int slot) {
        if (closed) {
            closeConnection(slot);
            return;
        }
        if (queued > 0 && System.nanoTime() - firstQueuedAtNs >= handOverAfterNs) {
            handOverOrFree(slot);
        } else {
            slots.set(slot * STRIDE, FREE);
            // A read that queues now either finds this slot free as it looks after queueing, or is seen queued here.
            if (queued > 0) {
                lock.lock();
                try {
                    wakeOne();
                } finally {
                    lock.unlock();
                }
            }
        }
        // Closed meanwhile: close() may have passed this slot while it was in use.
        if (closed && claim(slot)) {
            closeConnection(slot);
        }
    }

    /**
     * Hands a held slot to the first queued read if it has waited long, else frees it and wakes a queued read to take
     * it.
     */
    private void handOverOrFree(int slot) {
        lock.lock();
        try {
            Queued first = queue.peekFirst();
            if (first != null && System.nanoTime() - first.queuedAtNs >= handOverAfterNs) {
                queue.pollFirst();
                queueChanged();
                first.slot = slot;
                first.wakeUp.signal();
                if (first.woken) {
                    // It was already woken for a slot freed earlier, which the next in line now takes instead.
                    wakeOne();
                }
                return;
            }
            slots.set(slot * STRIDE, FREE);
            wakeOne();
        } finally {
            lock.unlock();
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
        } catch (SQLException | RuntimeException ignored) {
            // closing is best effort; the file stays consistent either way
        } finally {
            opened.decrementAndGet();
        }
    }
}
