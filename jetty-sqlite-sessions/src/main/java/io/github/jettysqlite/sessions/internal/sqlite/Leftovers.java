package io.github.jettysqlite.sessions.internal.sqlite;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Changes a board found under way in lanes that had an owner (begun and not ended there), which it ends once they
 * have stayed as they were for a grace period: those it finds when it opens the file, and those of a lane whose owner
 * let go of it later (looked for again every grace period). Their owner died during a write or a sweep, or moved to
 * another lane and ended them there; either way nobody else ever ends them, and their rows would stay "under way"
 * (read on every request, on every node) until the file is deleted. The grace leaves an owner that is alive and
 * merely without its lock (another class loader of its process closed a channel of the file) the time to end its own
 * changes: longer than a write can wait for SQLite's lock and commit (see {@link #graceMs}).
 *
 * @param found each row left under way, with its lane, the counters found there and when
 */
record Leftovers(List<Leftover> found) {
    static final Leftovers NONE = new Leftovers(List.of());

    /** A row of a lane whose counters differed when they were read, at {@code foundAtNanos} ({@link System#nanoTime()}). */
    record Leftover(int lane, int row, long begun, long ended, long foundAtNanos) {
        boolean isDue(long nowNanos, long graceNanos) {
            return nowNanos - foundAtNanos >= graceNanos;
        }
    }

    static Leftovers of(List<Leftover> found) {
        return found.isEmpty() ? NONE : new Leftovers(List.copyOf(found));
    }

    /**
     * The grace for a database whose writes wait up to {@code busyTimeoutMs} for SQLite's write lock: twice that, for a
     * write queued behind another that waited as long, and five seconds for the commit itself.
     */
    static long graceMs(int busyTimeoutMs) {
        return 2L * busyTimeoutMs + 5_000;
    }

    boolean anyDue(long nowNanos, long graceNanos) {
        for (Leftover left : found) {
            if (left.isDue(nowNanos, graceNanos)) {
                return true;
            }
        }
        return false;
    }

    /**
     * These leftovers and the ones given, one per lane and row: a row found again keeps its first finding (and its
     * time) when its counters are the same, and takes the new one when they moved on, which a leftover found earlier
     * would no longer match.
     */
    Leftovers plus(List<Leftover> more) {
        Map<Long, Leftover> byLaneAndRow = new LinkedHashMap<>();
        for (Leftover left : found) {
            byLaneAndRow.put(key(left), left);
        }
        for (Leftover next : more) {
            byLaneAndRow.merge(
                    key(next),
                    next,
                    (earlier, later) ->
                            earlier.begun() == later.begun() && earlier.ended() == later.ended() ? earlier : later);
        }
        return of(new ArrayList<>(byLaneAndRow.values()));
    }

    private static long key(Leftover left) {
        return ((long) left.lane() << 32) | left.row();
    }
}
