package io.github.jettysqlite.sessions.internal.sqlite;

/**
 * A back-off for an attempt that costs when it fails (a spin that burns a core, a wait that holds the writer): after
 * each failure in a row, more of the next chances are skipped, 1, 3, 7 ... up to 63; a success starts over. Not
 * thread-safe: one thread at a time uses it (the caller holding the spin, the leader holding the writer).
 */
final class SkipsAfterFailures {
    /** After failures in a row, up to 2^this - 1 chances are skipped. */
    private static final int MAX_SHIFT = 6;

    private int failuresInARow;
    private int toSkip;

    /** Whether this chance is to be skipped; counts it as skipped when it is. */
    boolean skipThisOne() {
        if (toSkip > 0) {
            toSkip--;
            return true;
        }
        return false;
    }

    /** The attempt failed: the next ones are skipped, more of them the more failed in a row. */
    void failed() {
        failuresInARow = Math.min(failuresInARow + 1, MAX_SHIFT);
        toSkip = (1 << failuresInARow) - 1;
    }

    /** The attempt succeeded: the next failure skips one chance again. */
    void succeeded() {
        failuresInARow = 0;
    }
}
