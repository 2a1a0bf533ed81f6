package io.github.jettysqlite.sessions.internal.sqlite;

import java.util.List;

/**
 * Changes a board found under way in lanes that had an owner when it opened the file (begun and not ended there),
 * which it ends once they have stayed as they were for a grace period. Their owner died during a write or a sweep,
 * or moved to another lane and ended them there; either way nobody else ever ends them, and their rows would stay
 * "under way" (read on every request, on every node) until the file is deleted. The grace leaves an owner that is
 * alive and merely without its lock (another class loader of its process closed a channel of the file) the time to
 * end its own changes: longer than a write can wait for SQLite's lock and commit (see {@link #graceMs}).
 *
 * @param found each row left under way, with its lane and the counters found there
 * @param foundAtNanos when they were found ({@link System#nanoTime()})
 */
record Leftovers(List<Leftover> found, long foundAtNanos) {
    static final Leftovers NONE = new Leftovers(List.of(), 0);

    /** A row of a lane whose counters differed when the board opened. */
    record Leftover(int lane, int row, long begun, long ended) {}

    static Leftovers of(List<Leftover> found) {
        return found.isEmpty() ? NONE : new Leftovers(List.copyOf(found), System.nanoTime());
    }

    /**
     * The grace for a database whose writes wait up to {@code busyTimeoutMs} for SQLite's write lock: twice that, for a
     * write queued behind another that waited as long, and five seconds for the commit itself.
     */
    static long graceMs(int busyTimeoutMs) {
        return 2L * busyTimeoutMs + 5_000;
    }

    boolean isDue(long nowNanos, long graceNanos) {
        return !found.isEmpty() && nowNanos - foundAtNanos >= graceNanos;
    }

    /** These leftovers, down to the ones given (those not ended yet). */
    Leftovers only(List<Leftover> remaining) {
        return remaining.isEmpty() ? NONE : new Leftovers(List.copyOf(remaining), foundAtNanos);
    }
}
