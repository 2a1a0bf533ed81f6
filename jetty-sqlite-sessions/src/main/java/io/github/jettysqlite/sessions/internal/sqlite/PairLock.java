package io.github.jettysqlite.sessions.internal.sqlite;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * The one lock per process under which every board touches its file's locks or closes its channel.
 *
 * <p>One pair at a time per process, whatever board: a JVM may not hold two overlapping file locks; the kernel, which
 * checks byte-range locks for deadlock per process rather than per thread, would report false deadlocks between
 * two processes each holding one pair and waiting for another; the locks are the process's, so two boards of one
 * file in one JVM (a redeployed application's new store beside the old one still closing) would not exclude
 * each other; and closing any channel of a file lets go of every lock the process holds on it, so a channel is
 * only closed holding this too.
 */
final class PairLock {
    private static final Object PAIR_LOCK = new Object();

    private PairLock() {}

    /**
     * Opens a board file: opening takes the whole file's lock, and a failed open closes its channel, both under the
     * one lock for pairs, or the close would let go of a pair lock another board of this JVM holds on the file.
     */
    static BoardFile open(Path file, Path databaseFile) throws IOException {
        synchronized (PAIR_LOCK) {
            return BoardFile.open(file, databaseFile);
        }
    }

    /** Closes a board file's channel, which lets go of every lock this process holds on the file. */
    static void close(BoardFile m) {
        synchronized (PAIR_LOCK) {
            m.close();
        }
    }

    /** Adds one to a counter of a pair; see {@link BoardFile#addOne}. */
    static ByteBuffer addOne(BoardFile m, int offset, int which) {
        synchronized (PAIR_LOCK) {
            return m.addOne(offset, which);
        }
    }

    /** Adds one to both counters of a pair in one write; see {@link BoardFile#addBoth}. */
    static void addBoth(BoardFile m, int offset) {
        synchronized (PAIR_LOCK) {
            m.addBoth(offset);
        }
    }
}
