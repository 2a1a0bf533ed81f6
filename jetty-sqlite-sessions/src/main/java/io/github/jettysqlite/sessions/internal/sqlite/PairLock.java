package io.github.jettysqlite.sessions.internal.sqlite;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The one lock per process under which every board touches its file's locks or closes its channel.
 *
 * <p>One pair at a time per process, whatever board: a JVM may not hold two overlapping file locks; the kernel, which
 * checks byte-range locks for deadlock per process rather than per thread, would report false deadlocks between
 * two processes each holding one pair and waiting for another; the locks are the process's, so two boards of one
 * file in one JVM (a redeployed application's new store beside the old one still closing) would not exclude
 * each other; and closing any channel of a file lets go of every lock the process holds on it, so a channel is
 * only closed holding this too.
 *
 * <p>Additions to pairs are combined: a thread queues its addition, and whichever thread holds the lock runs every
 * addition queued so far, one after another, and wakes their threads. Handing the lock from thread to thread instead
 * (a monitor) waits for each woken thread to be scheduled before the next addition: with 32 writing threads on two
 * cores, a JFR recording counted 21 s of waiting to enter that monitor in 9 s.
 */
final class PairLock {
    private static final ReentrantLock LOCK = new ReentrantLock();
    private static final ConcurrentLinkedQueue<Addition> QUEUED = new ConcurrentLinkedQueue<>();

    /** How long a thread whose addition is queued sleeps before it looks again, should a wake-up go astray. */
    private static final long RECHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private PairLock() {}

    /**
     * Opens a board file: opening takes the whole file's lock, and a failed open closes its channel, both under the
     * one lock for pairs, or the close would let go of a pair lock another board of this JVM holds on the file.
     */
    static BoardFile open(Path file, Path databaseFile) throws IOException {
        LOCK.lock();
        try {
            return BoardFile.open(file, databaseFile);
        } finally {
            unlockAndWakeNext();
        }
    }

    /** Closes a board file's channel, which lets go of every lock this process holds on the file. */
    static void close(BoardFile m) {
        LOCK.lock();
        try {
            m.close();
        } finally {
            unlockAndWakeNext();
        }
    }

    /** Adds one to a counter of a pair; see {@link BoardFile#addOne}. */
    static ByteBuffer addOne(BoardFile m, int offset, int which) {
        return run(new Addition(m, offset, which, Thread.currentThread()));
    }

    /** Adds one to both counters of a pair in one write; see {@link BoardFile#addBoth}. */
    static void addBoth(BoardFile m, int offset) {
        run(new Addition(m, offset, -1, Thread.currentThread()));
    }

    private static ByteBuffer run(Addition addition) {
        QUEUED.add(addition);
        // An interrupt that came after the board put the flag aside is put aside too: with it set, the park below
        // would return at once, and a thread running the queued additions would close the channel for the whole
        // process at its first call.
        boolean interrupted = false;
        try {
            while (!addition.done) {
                interrupted |= Thread.interrupted();
                if (LOCK.tryLock()) {
                    try {
                        interrupted |= runQueued();
                    } finally {
                        unlockAndWakeNext();
                    }
                } else {
                    LockSupport.parkNanos(PairLock.class, RECHECK_NANOS);
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        return addition.result();
    }

    /**
     * Holding the lock: runs every queued addition, each under its pair's file lock, and wakes its thread. Whatever
     * one addition throws is its own thread's outcome: the others are still run. The running thread's interrupt flag
     * is put aside before each addition, as one that came during the batch would otherwise close the channel for the
     * whole process at the next call.
     *
     * @return whether the running thread was interrupted meanwhile
     */
    private static boolean runQueued() {
        boolean interrupted = false;
        Addition next;
        while ((next = QUEUED.poll()) != null) {
            interrupted |= Thread.interrupted();
            next.runHoldingLock();
        }
        return interrupted;
    }

    /**
     * Lets go of the lock; an addition queued after the holder's last look would otherwise wait for its thread's
     * next look, so the oldest one's thread is woken to run it.
     */
    private static void unlockAndWakeNext() {
        LOCK.unlock();
        Addition next = QUEUED.peek();
        if (next != null) {
            LockSupport.unpark(next.owner);
        }
    }

    /** One thread's addition to a pair and, once run, its outcome. */
    private static final class Addition {
        private final BoardFile board;
        private final int offset;
        /** {@link BoardFile#BEGUN} or {@link BoardFile#ENDED}, or -1 for both. */
        private final int which;

        private final Thread owner;
        private ByteBuffer before;
        private Throwable failure;
        private volatile boolean done;

        Addition(BoardFile board, int offset, int which, Thread owner) {
            this.board = board;
            this.offset = offset;
            this.which = which;
            this.owner = owner;
        }

        void runHoldingLock() {
            try {
                if (which < 0) {
                    board.addBoth(offset);
                } else {
                    before = board.addOne(offset, which);
                }
            } catch (Throwable e) {
                // Even an Error: it is this addition's outcome, thrown in its own thread, never in the one running it.
                failure = e;
            }
            done = true;
            if (owner != Thread.currentThread()) {
                LockSupport.unpark(owner);
            }
        }

        ByteBuffer result() {
            if (failure instanceof RuntimeException e) {
                throw e;
            }
            if (failure instanceof Error e) {
                throw e;
            }
            if (failure != null) {
                // A checked exception a file call threw undeclared: the board is as good as gone for this addition.
                throw new BoardFile.Gone();
            }
            return before;
        }
    }
}
