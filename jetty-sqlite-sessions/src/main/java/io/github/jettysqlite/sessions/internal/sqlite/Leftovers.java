package io.github.jettysqlite.sessions.internal.sqlite;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Changes a board found under way in lanes that had an owner when it opened the file (begun and not ended there),
 * which it ends once they have stayed as they were for {@value #GRACE_MS} ms. Their owner died during a write or a
 * sweep, or moved to another lane and ended them there; either way nobody else ever ends them, and their rows would
 * stay "under way" (read on every request, on every node) until the file is deleted. The grace leaves an owner that is
 * alive and merely without its lock (another class loader of its process closed a channel of the file) the time to
 * end its own changes: a commit takes far less.
 *
 * @param found each row left under way, with its lane and the counters found there
 * @param dueNanos when they may be ended ({@link System#nanoTime()})
 */
record Leftovers(List<Leftover> found, long dueNanos) {
    static final long GRACE_MS = 1_000;

    static final Leftovers NONE = new Leftovers(List.of(), Long.MAX_VALUE);

    /** A row of a lane whose counters differed when the board opened. */
    record Leftover(int lane, int row, long begun, long ended) {}

    static Leftovers of(List<Leftover> found) {
        return found.isEmpty()
                ? NONE
                : new Leftovers(List.copyOf(found), System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(GRACE_MS));
    }

    boolean isDue(long nowNanos) {
        return !found.isEmpty() && nowNanos - dueNanos >= 0;
    }
}
